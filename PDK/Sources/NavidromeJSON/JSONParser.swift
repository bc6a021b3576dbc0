/// A strict RFC 8259 JSON parser for Embedded Swift.
///
/// Validates UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), decodes `\u`
/// escapes including surrogate pairs (a lone surrogate is an error), reads integers as `Int64`
/// (larger ones as `Double`) and other numbers as correctly rounded `Double`, limits nesting
/// depth, and rejects trailing data. Every failure is a ``JSONError`` with the byte offset.
public struct JSONParser {
    /// Default nesting limit for arrays and objects.
    public static let defaultMaxDepth = 256
    /// Highest accepted nesting limit: deeper recursion could exhaust a plugin's 1 MiB stack.
    public static let maximumDepth = 512

    let bytes: [UInt8]
    var index: Int
    let end: Int
    let maxDepth: Int
    var depth = 0

    /// A parser over `bytes[range]` (the whole array by default); `maxDepth` is capped at
    /// ``maximumDepth``.
    public init(_ bytes: [UInt8], range: Range<Int>? = nil, maxDepth: Int = JSONParser.defaultMaxDepth) {
        self.bytes = bytes
        self.index = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
        self.maxDepth = min(max(maxDepth, 1), JSONParser.maximumDepth)
    }

    /// Parses one value surrounded only by whitespace.
    public mutating func parseDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < end {
            throw JSONError.at(.trailingData, index, "unexpected data after the JSON value")
        }
        return value
    }

    mutating func skipWhitespace() {
        while index < end {
            let b = bytes[index]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 } else { return }
        }
    }

    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONError.at(.unexpectedByte, index, "expected a value", found: bytes[index])
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let start = index
        let p = word.utf8Start
        for i in 0..<word.utf8CodeUnitCount {
            guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input in literal") }
            guard bytes[index] == p[i] else { throw JSONError.at(.unexpectedByte, start, "invalid literal") }
            index += 1
        }
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > maxDepth {
            throw JSONError.at(.tooDeep, index, "arrays and objects nested deeper than the depth limit")
        }
    }

    mutating func parseArray() throws(JSONError) -> [JSONValue] {
        try enter()
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return items
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input in array") }
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "]") { break }
            throw JSONError.at(.unexpectedByte, index - 1, "expected ',' or ']' in array", found: b)
        }
        depth -= 1
        return items
    }

    mutating func parseObject() throws(JSONError) -> JSONObject {
        try enter()
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < end && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input in object") }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw JSONError.at(.unexpectedByte, index, "expected a string key in object", found: bytes[index])
            }
            let key = try parseString()
            skipWhitespace()
            guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input in object") }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw JSONError.at(.unexpectedByte, index, "expected ':' after object key", found: bytes[index])
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input in object") }
            let b = bytes[index]
            index += 1
            if b == UInt8(ascii: ",") { continue }
            if b == UInt8(ascii: "}") { break }
            throw JSONError.at(.unexpectedByte, index - 1, "expected ',' or '}' in object", found: b)
        }
        depth -= 1
        return JSONObject(members)
    }

    mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < end else { throw JSONError.at(.unexpectedEnd, start, "truncated number") }
        let integerStart = index
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < end, isDigit(bytes[index]) {
                throw JSONError.at(.invalidNumber, start, "leading zeros are not allowed in numbers")
            }
        } else if isDigit(bytes[index]) {
            skipDigits()
        } else {
            throw JSONError.at(.invalidNumber, start, "expected a digit in number")
        }
        let integer = integerStart..<index
        var fraction = index..<index
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < end, isDigit(bytes[index]) else {
                throw JSONError.at(.invalidNumber, start, "expected a digit after the decimal point")
            }
            let fractionStart = index
            skipDigits()
            fraction = fractionStart..<index
        }
        var isInteger = fraction.isEmpty
        var exponent = 0
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            var expNegative = false
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                expNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end, isDigit(bytes[index]) else {
                throw JSONError.at(.invalidNumber, start, "expected a digit in exponent")
            }
            while index < end, isDigit(bytes[index]) {
                if exponent < 100_000_000 { exponent = exponent * 10 + Int(bytes[index] - 0x30) }
                index += 1
            }
            if expNegative { exponent = -exponent }
        }
        // Integers that fit in Int64 (at most 19 digits) are exact.
        if isInteger && integer.count <= 19 {
            var v: UInt64 = 0
            for i in integer { v = v &* 10 &+ UInt64(bytes[i] &- 0x30) }  // < 10^19
            if !negative && v <= UInt64(Int64.max) { return .int(Int64(v)) }
            if negative && v <= UInt64(Int64.max) + 1 { return .int(0 &- Int64(truncatingIfNeeded: v)) }
        }
        guard let magnitude = DecimalToDouble.convert(bytes, integer: integer, fraction: fraction, exponent: exponent) else {
            throw JSONError.at(.numberOutOfRange, start, "number is too large for a double")
        }
        return .double(negative ? -magnitude : magnitude)
    }

    mutating func skipDigits() {
        while index < end, isDigit(bytes[index]) { index += 1 }
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
