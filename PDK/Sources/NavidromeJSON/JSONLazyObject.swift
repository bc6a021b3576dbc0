/// Reads selected members of a large JSON object without building the whole tree.
///
/// One pass records where each member of the object starts and ends, skipping values by
/// scanning (strings, numbers and nesting are still checked, so malformed input is an error);
/// only the members you ask for are parsed. Built for messages like Discord gateway events,
/// where a 500 KB payload is needed only for `op`, `s`, `t` and a few fields of `d`:
///
/// ```swift
/// let event = try JSONLazyObject(bytes: message)
/// let op = try event.int64("op")
/// if let d = try event.object("d") { let session = try d.string("session_id") }
/// ```
public struct JSONLazyObject {
    let bytes: [UInt8]
    /// Key bytes range and value bytes range of each member, in document order.
    var members: [(key: Range<Int>, value: Range<Int>)] = []
    let maxDepth: Int

    /// Scans `bytes`, which must hold exactly one JSON object.
    public init(bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONError) {
        try self.init(bytes: bytes, range: 0..<bytes.count, maxDepth: maxDepth, wholeDocument: true)
    }

    /// Scans `text`, which must hold exactly one JSON object.
    public init(text: String, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONError) {
        try self.init(bytes: Array(text.utf8), maxDepth: maxDepth)
    }

    init(bytes: [UInt8], range: Range<Int>, maxDepth: Int, wholeDocument: Bool) throws(JSONError) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        var scanner = JSONParser(bytes, range: range, maxDepth: maxDepth)
        scanner.skipWhitespace()
        guard scanner.index < scanner.end else {
            throw JSONError.at(.unexpectedEnd, scanner.index, "unexpected end of input, expected an object")
        }
        guard bytes[scanner.index] == UInt8(ascii: "{") else {
            throw JSONError.at(.typeMismatch, scanner.index, "expected a JSON object")
        }
        try scanner.enter()
        scanner.index += 1
        scanner.skipWhitespace()
        if scanner.index < scanner.end && bytes[scanner.index] == UInt8(ascii: "}") {
            scanner.index += 1
        } else {
            while true {
                scanner.skipWhitespace()
                guard scanner.index < scanner.end else {
                    throw JSONError.at(.unexpectedEnd, scanner.index, "unexpected end of input in object")
                }
                guard bytes[scanner.index] == UInt8(ascii: "\"") else {
                    throw JSONError.at(.unexpectedByte, scanner.index, "expected a string key in object")
                }
                let keyStart = scanner.index + 1
                try scanner.skipString()
                let key = keyStart..<(scanner.index - 1)
                scanner.skipWhitespace()
                guard scanner.index < scanner.end, bytes[scanner.index] == UInt8(ascii: ":") else {
                    throw JSONError.at(.unexpectedByte, scanner.index, "expected ':' after object key")
                }
                scanner.index += 1
                scanner.skipWhitespace()
                let valueStart = scanner.index
                try scanner.skipValue()
                members.append((key, valueStart..<scanner.index))
                scanner.skipWhitespace()
                guard scanner.index < scanner.end else {
                    throw JSONError.at(.unexpectedEnd, scanner.index, "unexpected end of input in object")
                }
                let b = bytes[scanner.index]
                scanner.index += 1
                if b == UInt8(ascii: ",") { continue }
                if b == UInt8(ascii: "}") { break }
                throw JSONError.at(.unexpectedByte, scanner.index - 1, "expected ',' or '}' in object")
            }
        }
        if wholeDocument {
            scanner.skipWhitespace()
            if scanner.index < scanner.end {
                throw JSONError.at(.trailingData, scanner.index, "unexpected data after the JSON value")
            }
        }
    }

    /// Member names in document order.
    public var keys: [String] {
        members.map { member in
            var p = JSONParser(bytes, range: (member.key.lowerBound - 1)..<(member.key.upperBound + 1))
            return (try? p.parseString()) ?? ""
        }
    }

    func rangeOf(_ key: String) -> Range<Int>? {
        var key = key
        return key.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { p in
                var i = members.count - 1
                while i >= 0 {
                    let raw = UnsafeBufferPointer(rebasing: p[members[i].key])
                    // Keys with escapes (checked by the scan) are compared after decoding only:
                    // the raw text of "k\u0041" is not the key `k\u0041`.
                    if raw.contains(UInt8(ascii: "\\")) {
                        let decoded = JSONParser.decodeChecked(p, members[i].key)
                        if decoded.withUnsafeBufferPointer({ $0.hasSameBytes(as: wanted) }) { return members[i].value }
                    } else if raw.hasSameBytes(as: wanted) {
                        return members[i].value
                    }
                    i -= 1
                }
                return nil
            }
        }
    }

    /// Parses just the member `key` (`nil` when missing).
    public func value(_ key: String) throws(JSONError) -> JSONValue? {
        guard let r = rangeOf(key) else { return nil }
        var parser = JSONParser(bytes, range: r, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// The raw JSON text of member `key`, unparsed.
    public func rawValue(_ key: String) -> [UInt8]? {
        guard let r = rangeOf(key) else { return nil }
        return Array(bytes[r])
    }

    /// Member `key` as a lazily read object (`nil` when missing or `null`).
    public func object(_ key: String) throws(JSONError) -> JSONLazyObject? {
        guard let r = rangeOf(key) else { return nil }
        if bytes[r.lowerBound] == UInt8(ascii: "n") { return nil }
        return try JSONLazyObject(bytes: bytes, range: r, maxDepth: maxDepth, wholeDocument: false)
    }

    func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> JSONError {
        JSONError.mismatch("field '\(key)': expected \(expected), found \(found.kindName)")
    }

    /// Member `key` as a string (`nil` when missing or `null`).
    public func string(_ key: String) throws(JSONError) -> String? {
        guard let utf8 = try stringBytes(key) else { return nil }
        return utf8.withUnsafeBufferPointer { JSONParser.string($0) }
    }

    /// Member `key` as the UTF-8 bytes of a string, escapes decoded (`nil` when missing or
    /// `null`). Makes no `String`: for text that is read further as bytes (e.g. JSON in JSON).
    public func stringBytes(_ key: String) throws(JSONError) -> [UInt8]? {
        guard let r = rangeOf(key) else { return nil }
        switch bytes[r.lowerBound] {
        case UInt8(ascii: "\""):  // checked by the scan
            return bytes.withUnsafeBufferPointer { JSONParser.decodeChecked($0, (r.lowerBound + 1)..<(r.upperBound - 1)) }
        case UInt8(ascii: "n"):
            return nil
        default:
            var parser = JSONParser(bytes, range: r, maxDepth: maxDepth)
            throw mismatch(key, "string", try parser.parseDocument())
        }
    }

    /// Member `key` as an integer (`nil` when missing or `null`).
    public func int64(_ key: String) throws(JSONError) -> Int64? {
        guard let v = try value(key), !v.isNull else { return nil }
        guard let i = v.int64Value else { throw mismatch(key, "integer", v) }
        return i
    }

    /// Member `key` as a boolean (`nil` when missing or `null`).
    public func bool(_ key: String) throws(JSONError) -> Bool? {
        guard let v = try value(key), !v.isNull else { return nil }
        guard case .bool(let b) = v else { throw mismatch(key, "boolean", v) }
        return b
    }
}

extension JSONParser {
    /// Skips one value of any kind, checking its syntax without building it.
    mutating func skipValue() throws(JSONError) {
        let start = index
        let end = self.end
        let depth = self.depth
        let maxDepth = self.maxDepth
        if let next = bytes.withUnsafeBufferPointer({ Self.valueEnd($0, at: start, end: end, depth: depth, maxDepth: maxDepth) }) {
            index = next
            return
        }
        try skipValueChecked()  // finds and reports the problem
    }

    /// The index after the valid value at `p[i]` (containers entered at `depth`), or nil when
    /// the value is invalid — or a number with an exponent or more than 300 digits, whose range
    /// only the number parser checks.
    static func valueEnd(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int, depth: Int, maxDepth: Int) -> Int? {
        guard start < end else { return nil }
        if p[start] == UInt8(ascii: "{") || p[start] == UInt8(ascii: "[") {
            return containerEnd(p, at: start, end: end, depth: depth, maxDepth: maxDepth)
        }
        return scalarEnd(p, at: start, end: end)
    }

    /// ``valueEnd(_:at:end:depth:maxDepth:)`` of an object or array.
    static func containerEnd(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int, depth: Int, maxDepth: Int) -> Int? {
        let isObject = p[start] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        guard depth < maxDepth else { return nil }
        var i = spaceEnd(p, from: start + 1, end: end)
        if i < end && p[i] == close { return i + 1 }
        while true {
            guard i < end else { return nil }
            if isObject {
                var escaped = false
                guard p[i] == UInt8(ascii: "\""),
                      let keyClose = closingQuote(p, open: i, end: end, escaped: &escaped) else { return nil }
                i = spaceEnd(p, from: keyClose + 1, end: end)
                guard i < end, p[i] == UInt8(ascii: ":") else { return nil }
                i = spaceEnd(p, from: i + 1, end: end)
                guard i < end else { return nil }
            }
            let next = p[i] == UInt8(ascii: "{") || p[i] == UInt8(ascii: "[")
                ? containerEnd(p, at: i, end: end, depth: depth + 1, maxDepth: maxDepth)
                : scalarEnd(p, at: i, end: end)
            guard let next else { return nil }
            i = spaceEnd(p, from: next, end: end)
            guard i < end else { return nil }
            let b = p[i]
            i += 1
            if b == close { return i }
            guard b == UInt8(ascii: ",") else { return nil }
            i = spaceEnd(p, from: i, end: end)
        }
    }

    /// ``valueEnd(_:at:end:depth:maxDepth:)`` of a string, number or literal (`start < end`).
    @inline(__always)
    static func scalarEnd(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Int? {
        switch p[start] {
        case UInt8(ascii: "\""):
            var escaped = false
            guard let close = closingQuote(p, open: start, end: end, escaped: &escaped) else { return nil }
            return close + 1
        case UInt8(ascii: "t"): return literalEnd(p, at: start, end: end, "true")
        case UInt8(ascii: "f"): return literalEnd(p, at: start, end: end, "false")
        case UInt8(ascii: "n"): return literalEnd(p, at: start, end: end, "null")
        default: return numberEnd(p, at: start, end: end)
        }
    }

    /// The index of the first non-whitespace byte from `start` on, or `end`.
    @inline(__always)
    static func spaceEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int, end: Int) -> Int {
        var i = start
        while i < end {
            let b = p[i]
            guard b <= 0x20 && (b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) else { return i }
            i += 1
        }
        return end
    }

    static func literalEnd(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int, _ word: StaticString) -> Int? {
        let n = word.utf8CodeUnitCount
        guard end - i >= n else { return nil }
        for k in 1..<n where p[i + k] != word.utf8Start[k] { return nil }
        return i + n
    }

    /// The index after the number at `p[i]` when it has no exponent and at most 300 digits
    /// (so it is within range), or nil.
    static func numberEnd(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Int? {
        var i = start
        if i < end && p[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end else { return nil }
        let digitsStart = i
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < end && p[i] &- 0x30 < 10 { return nil }  // leading zero
        } else {
            while i < end && p[i] &- 0x30 < 10 { i += 1 }
            guard i > digitsStart else { return nil }
        }
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < end && p[i] &- 0x30 < 10 { i += 1 }
            guard i > fractionStart else { return nil }
        }
        guard i - digitsStart <= 301, i == end || p[i] | 0x20 != UInt8(ascii: "e") else { return nil }
        return i
    }

    /// ``skipValue()`` with errors: checks every step and throws at the first problem.
    mutating func skipValueChecked() throws(JSONError) {
        guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[index] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            try enter()
            index += 1
            skipWhitespace()
            if index < end && bytes[index] == close {
                index += 1
                depth -= 1
                return
            }
            while true {
                skipWhitespace()
                if isObject {
                    guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input in object") }
                    guard bytes[index] == UInt8(ascii: "\"") else {
                        throw JSONError.at(.unexpectedByte, index, "expected a string key in object")
                    }
                    try skipString()
                    skipWhitespace()
                    guard index < end, bytes[index] == UInt8(ascii: ":") else {
                        throw JSONError.at(.unexpectedByte, index, "expected ':' after object key")
                    }
                    index += 1
                    skipWhitespace()
                }
                try skipValueChecked()
                skipWhitespace()
                guard index < end else { throw JSONError.at(.unexpectedEnd, index, "unexpected end of input") }
                let b = bytes[index]
                index += 1
                if b == UInt8(ascii: ",") { continue }
                if b == close { break }
                throw JSONError.at(.unexpectedByte, index - 1, "expected ',' or a closing bracket")
            }
            depth -= 1
        default:
            _ = try parseValue()
        }
    }
}
