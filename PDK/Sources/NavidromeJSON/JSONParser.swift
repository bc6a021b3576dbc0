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

    /// Parses a string starting at the opening quote.
    mutating func parseString() throws(JSONError) -> String {
        var decoded: [UInt8] = []
        if let raw = try scanString(decodingInto: &decoded) {
            return bytes.withUnsafeBufferPointer { Self.string(UnsafeBufferPointer(rebasing: $0[raw])) }
        }
        return decoded.withUnsafeBufferPointer { Self.string($0) }
    }

    /// The UTF-8 bytes of the string starting at the opening quote, escapes decoded.
    mutating func parseStringBytes() throws(JSONError) -> [UInt8] {
        var decoded: [UInt8] = []
        if let raw = try scanString(decodingInto: &decoded) { return Array(bytes[raw]) }
        return decoded
    }

    /// Reads the string starting at the opening quote, checking escapes and UTF-8. Without
    /// escapes it returns the range of the raw content and leaves `out` alone; otherwise it
    /// appends the decoded content to `out` and returns nil. Runs of plain ASCII are found
    /// eight bytes at a time and copied in bulk.
    @inline(never)
    mutating func scanString(decodingInto out: inout [UInt8]) throws(JSONError) -> Range<Int>? {
        let open = index
        let contentStart = index + 1
        let end = self.end
        var i = contentStart
        var escaped = false
        var pending = contentStart  // first byte not yet copied to `out` (once escaped)
        while true {
            i = bytes.withUnsafeBufferPointer { Self.plainRunEnd($0, from: i, to: end) }
            guard i < end else { throw JSONError.at(.unexpectedEnd, open, "unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                index = i + 1
                if !escaped { return contentStart..<i }
                appendRun(pending..<i, to: &out)
                return nil
            }
            if b == UInt8(ascii: "\\") {
                appendRun(pending..<i, to: &out)
                escaped = true
                index = i
                try parseEscape(into: &out)
                i = index
                pending = i
                continue
            }
            if b < 0x20 {
                throw JSONError.at(.unexpectedByte, i, "unescaped control character in string", found: b)
            }
            index = i
            i += try validateUTF8Sequence()
        }
    }

    /// Appends `bytes[range]` to `out` in one copy.
    func appendRun(_ range: Range<Int>, to out: inout [UInt8]) {
        guard !range.isEmpty else { return }
        bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// The index of the first byte in `p[start..<end]` that ends a run of plain string content
    /// (a quote, a backslash, a control character or a non-ASCII byte), or `end`.
    static func plainRunEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        guard let base = p.baseAddress, end <= p.count else { return end }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = start
        while i + 8 <= end {
            // Little-endian word: a borrow only runs upward from a byte that matched, so the
            // lowest flagged byte is the first special one.
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let quote = (w ^ (ones &* 0x22)) &- ones
            let backslash = (w ^ (ones &* 0x5C)) &- ones
            let control = w &- (ones &* 0x20)
            let flags = (((quote | backslash | control) & ~w) | w) & highs
            if flags != 0 { return i + flags.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < end {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return i }
            i += 1
        }
        return end
    }

    /// Text from UTF-8 already checked by the parser (the one place strings are made).
    @inline(never)
    static func string(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: utf8, as: UTF8.self)
    }

    /// Checks the multi-byte UTF-8 sequence at `index` (no overlong forms, surrogates or code
    /// points above U+10FFFF) and returns its length; `index` is not moved.
    func validateUTF8Sequence() throws(JSONError) -> Int {
        let start = index
        let b0 = bytes[index]
        var need: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; upper = 0x9F
        case 0xF0: need = 3; lower = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; upper = 0x8F
        default: throw JSONError.at(.invalidUnicode, start, "invalid UTF-8 lead byte", found: b0)
        }
        guard end - index > need else { throw JSONError.at(.unexpectedEnd, start, "truncated UTF-8 sequence") }
        let b1 = bytes[index + 1]
        guard b1 >= lower && b1 <= upper else { throw JSONError.at(.invalidUnicode, start, "invalid UTF-8 sequence") }
        var k = 2
        while k <= need {
            let b = bytes[index + k]
            guard b >= 0x80 && b <= 0xBF else { throw JSONError.at(.invalidUnicode, start, "invalid UTF-8 sequence") }
            k += 1
        }
        return need + 1
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(JSONError) {
        let start = index
        guard index + 1 < end else { throw JSONError.at(.unexpectedEnd, start, "unterminated escape sequence") }
        let c = bytes[index + 1]
        index += 2
        switch c {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4(escapeAt: start)
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw JSONError.at(.invalidUnicode, start, "lone high surrogate: \\u escape not followed by a low surrogate")
                }
                let lowStart = index
                index += 2
                let low = try readHex4(escapeAt: lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw JSONError.at(.invalidUnicode, lowStart, "high surrogate followed by a \\u escape that is not a low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw JSONError.at(.invalidUnicode, start, "lone low surrogate in \\u escape")
            }
            JSONSerializer.appendUTF8(scalar, to: &out)
        default:
            throw JSONError.at(.invalidEscape, start, "invalid escape sequence", found: c)
        }
    }

    mutating func readHex4(escapeAt start: Int) throws(JSONError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard index < end else { throw JSONError.at(.unexpectedEnd, start, "truncated \\u escape") }
            let b = bytes[index]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw JSONError.at(.invalidEscape, start, "invalid hex digit in \\u escape")
            }
            v = v << 4 | UInt32(d)
            index += 1
        }
        return v
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
