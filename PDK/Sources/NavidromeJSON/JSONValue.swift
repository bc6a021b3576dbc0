/// A JSON value. Objects keep their members in document order (see ``JSONObject``).
///
/// Integers that fit in `Int64` are `.int`; every other number is `.double`.
public enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Parses a complete JSON document (see ``JSONParser``).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses a complete JSON document given as text.
    public static func parse(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Compact JSON text as UTF-8 bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)  // most host requests fit: no regrowth byte by byte
        JSONSerializer.write(self, to: &out)
        return out
    }

    /// Compact JSON text.
    public func serializedString() -> String {
        String(decoding: serialized(), as: UTF8.self)
    }

    /// The member named `key` if this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as `Int64`: integers, and doubles with an integral value in range.
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d):
            guard d.rounded(.towardZero) == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.string(let x), .string(let y)): return x.hasSameUTF8(as: y)
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x == y
        default: return false
        }
    }
}

/// A JSON object: members in document order. Lookup compares keys byte by byte (no Unicode
/// normalisation, which keeps Unicode tables out of plugins); with duplicate keys the last wins,
/// as in Go's `encoding/json`.
public struct JSONObject: Equatable {
    public var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public var isEmpty: Bool { members.isEmpty }
    public var count: Int { members.count }

    /// The value of the last member named `key`; setting replaces it or appends a member
    /// (`nil` removes every member with that key).
    public subscript(key: String) -> JSONValue? {
        @inline(never) get {
            var i = members.count - 1
            while i >= 0 {
                if members[i].key.hasSameUTF8(as: key) { return members[i].value }
                i -= 1
            }
            return nil
        }
        set {
            guard let newValue else {
                members.removeAll { $0.key.hasSameUTF8(as: key) }
                return
            }
            var i = members.count - 1
            while i >= 0 {
                if members[i].key.hasSameUTF8(as: key) {
                    members[i].value = newValue
                    return
                }
                i -= 1
            }
            members.append((key, newValue))
        }
    }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.members.count == b.members.count else { return false }
        for i in 0..<a.members.count {
            guard a.members[i].key.hasSameUTF8(as: b.members[i].key),
                  a.members[i].value == b.members[i].value else { return false }
        }
        return true
    }
}
