/// A type read from a JSON object through a ``JSONObjectReader``.
///
/// ```swift
/// struct Song: JSONDecodable, JSONEncodable {
///     var title: String
///     var seconds: Double
///     init(json: JSONObjectReader) throws(JSONError) {
///         title = try json.string("title")
///         seconds = try json.double("seconds")
///     }
///     func encode(to json: inout JSONObjectWriter) {
///         json.set("title", title)
///         json.set("seconds", seconds)
///     }
/// }
/// ```
public protocol JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError)
}

/// A type written as a JSON object through a ``JSONObjectWriter``.
public protocol JSONEncodable {
    func encode(to json: inout JSONObjectWriter)
}

extension JSONDecodable {
    /// Decodes from JSON text (bytes) that must hold an object.
    public static func decode(json bytes: [UInt8]) throws(JSONError) -> Self {
        try decode(jsonValue: try JSONValue.parse(bytes))
    }

    /// Decodes from JSON text that must hold an object.
    public static func decode(json text: String) throws(JSONError) -> Self {
        try decode(json: Array(text.utf8))
    }

    /// Decodes from a parsed value that must be an object.
    public static func decode(jsonValue value: JSONValue) throws(JSONError) -> Self {
        guard case .object(let object) = value else {
            throw JSONError.mismatch("expected a JSON object, found \(value.kindName)")
        }
        return try Self(json: JSONObjectReader(object))
    }
}

extension Array where Element: JSONDecodable {
    /// Decodes JSON text that must hold an array of objects.
    public static func decode(json text: String) throws(JSONError) -> [Element] {
        let value = try JSONValue.parse(text)
        guard case .array(let items) = value else {
            throw JSONError.mismatch("expected a JSON array, found \(value.kindName)")
        }
        var result: [Element] = []
        for i in 0..<items.count {
            guard case .object(let o) = items[i] else {
                throw JSONError.mismatch("element [\(i)]: expected object, found \(items[i].kindName)")
            }
            result.append(try Element(json: JSONObjectReader(o, path: "[\(i)]")))
        }
        return result
    }
}

extension JSONEncodable {
    /// The value as a JSON object.
    public var jsonValue: JSONValue {
        var writer = JSONObjectWriter()
        encode(to: &writer)
        return .object(writer.object)
    }

    /// Compact JSON text as UTF-8 bytes.
    public func jsonBytes() -> [UInt8] { jsonValue.serialized() }

    /// Compact JSON text.
    public func jsonString() -> String { jsonValue.serializedString() }
}

/// Typed, Go-like access to the members of a JSON object: a missing or `null` member gives
/// the zero value (`""`, `0`, `false`, `[]`), a member of the wrong type is an error naming its
/// path. The `optional…` variants tell missing/`null` apart.
public struct JSONObjectReader {
    public let object: JSONObject
    /// Path of this object in the document (`""` at the root, e.g. `track.artists[0]`).
    public let path: String

    public init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    @inline(never)
    func fieldPath(_ key: String, index: Int = -1) -> String {
        var p = path
        if !p.utf8.isEmpty { p.append(".") }
        p.append(key)
        if index >= 0 { p.append("[\(index)]") }
        return p
    }

    @inline(never)
    func mismatch(_ key: String, _ expected: StaticString, _ found: JSONValue, index: Int = -1) -> JSONError {
        JSONError.mismatch("field '\(fieldPath(key, index: index))': expected \(expected), found \(found.kindName)")
    }

    /// The raw member, `nil` when missing or `null`.
    @inline(never)
    public func value(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    /// Whether the member is present (even if `null`).
    @inline(never)
    public func contains(_ key: String) -> Bool { object[key] != nil }

    @inline(never)
    public func optionalString(_ key: String) throws(JSONError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw mismatch(key, "string", v) }
        return s
    }

    @inline(never)
    public func string(_ key: String) throws(JSONError) -> String { try optionalString(key) ?? "" }

    @inline(never)
    public func optionalBool(_ key: String) throws(JSONError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw mismatch(key, "boolean", v) }
        return b
    }

    @inline(never)
    public func bool(_ key: String) throws(JSONError) -> Bool { try optionalBool(key) ?? false }

    @inline(never)
    public func optionalInt64(_ key: String) throws(JSONError) -> Int64? {
        guard let v = value(key) else { return nil }
        guard let i = v.int64Value else { throw mismatch(key, "integer", v) }
        return i
    }

    @inline(never)
    public func int64(_ key: String) throws(JSONError) -> Int64 { try optionalInt64(key) ?? 0 }

    @inline(never)
    public func int32(_ key: String) throws(JSONError) -> Int32 {
        let i = try int64(key)
        guard i >= Int64(Int32.min) && i <= Int64(Int32.max) else {
            throw JSONError.mismatch("field '\(fieldPath(key))': \(i) does not fit in 32 bits")
        }
        return Int32(i)
    }

    @inline(never)
    public func int(_ key: String) throws(JSONError) -> Int { Int(try int64(key)) }

    @inline(never)
    public func optionalDouble(_ key: String) throws(JSONError) -> Double? {
        guard let v = value(key) else { return nil }
        guard let d = v.doubleValue else { throw mismatch(key, "number", v) }
        return d
    }

    @inline(never)
    public func double(_ key: String) throws(JSONError) -> Double { try optionalDouble(key) ?? 0 }

    /// Bytes sent as standard base64 (Go `[]byte`).
    @inline(never)
    public func bytes(_ key: String) throws(JSONError) -> [UInt8] {
        guard let s = try optionalString(key) else { return [] }
        do {
            return try Base64.decode(s)
        } catch {
            throw JSONError(.invalidBase64, at: -1, "field '\(fieldPath(key))': \(error.message)")
        }
    }

    /// A nested object as a reader (`nil` when missing or `null`).
    @inline(never)
    public func optionalObject(_ key: String) throws(JSONError) -> JSONObjectReader? {
        guard let v = value(key) else { return nil }
        guard case .object(let o) = v else { throw mismatch(key, "object", v) }
        return JSONObjectReader(o, path: fieldPath(key))
    }

    @inline(never)
    public func optionalDecode<T: JSONDecodable>(_ key: String, as type: T.Type = T.self) throws(JSONError) -> T? {
        guard let reader = try optionalObject(key) else { return nil }
        return try T(json: reader)
    }

    /// A nested object; missing or `null` decodes from an empty object (Go's zero struct).
    @inline(never)
    public func decode<T: JSONDecodable>(_ key: String, as type: T.Type = T.self) throws(JSONError) -> T {
        let reader = try optionalObject(key) ?? JSONObjectReader(JSONObject(), path: fieldPath(key))
        return try T(json: reader)
    }

    func elements(_ key: String) throws(JSONError) -> [JSONValue] {
        guard let v = value(key) else { return [] }
        guard case .array(let items) = v else { throw mismatch(key, "array", v) }
        return items
    }

    /// An array of objects.
    @inline(never)
    public func array<T: JSONDecodable>(_ key: String, of type: T.Type = T.self) throws(JSONError) -> [T] {
        var result: [T] = []
        let items = try elements(key)
        for i in 0..<items.count {
            guard case .object(let o) = items[i] else { throw mismatch(key, "object", items[i], index: i) }
            result.append(try T(json: JSONObjectReader(o, path: fieldPath(key, index: i))))
        }
        return result
    }

    @inline(never)
    public func stringArray(_ key: String) throws(JSONError) -> [String] {
        var result: [String] = []
        let items = try elements(key)
        for i in 0..<items.count {
            guard case .string(let s) = items[i] else { throw mismatch(key, "string", items[i], index: i) }
            result.append(s)
        }
        return result
    }

    /// An object of strings (e.g. HTTP headers), in document order.
    @inline(never)
    public func stringPairs(_ key: String) throws(JSONError) -> [(key: String, value: String)] {
        guard let reader = try optionalObject(key) else { return [] }
        var result: [(key: String, value: String)] = []
        for member in reader.object.members {
            guard case .string(let s) = member.value else {
                throw JSONError.mismatch("field '\(reader.fieldPath(member.key))': expected string, found \(member.value.kindName)")
            }
            result.append((member.key, s))
        }
        return result
    }
}

/// Builds a JSON object member by member, in order. `omitEmpty: true` leaves the member out
/// for `""`, `0`, `false` or an empty array, as Go's `omitempty` does.
public struct JSONObjectWriter {
    public var object = JSONObject()

    public init() {}

    public mutating func set(_ key: String, _ value: JSONValue) {
        object.members.append((key, value))
    }

    public mutating func set(_ key: String, _ value: String, omitEmpty: Bool = false) {
        if omitEmpty && value.utf8.isEmpty { return }
        set(key, .string(value))
    }

    public mutating func set(_ key: String, _ value: String?) {
        if let value { set(key, .string(value)) }
    }

    public mutating func set(_ key: String, _ value: Bool, omitEmpty: Bool = false) {
        if omitEmpty && !value { return }
        set(key, .bool(value))
    }

    public mutating func set(_ key: String, _ value: Int64, omitEmpty: Bool = false) {
        if omitEmpty && value == 0 { return }
        set(key, .int(value))
    }

    public mutating func set(_ key: String, _ value: Int32, omitEmpty: Bool = false) {
        set(key, Int64(value), omitEmpty: omitEmpty)
    }

    public mutating func set(_ key: String, _ value: Int, omitEmpty: Bool = false) {
        set(key, Int64(value), omitEmpty: omitEmpty)
    }

    public mutating func set(_ key: String, _ value: Double, omitEmpty: Bool = false) {
        if omitEmpty && value == 0 { return }
        set(key, .double(value))
    }

    /// Bytes as standard base64 (Go `[]byte`).
    public mutating func set(_ key: String, bytes: [UInt8], omitEmpty: Bool = false) {
        if omitEmpty && bytes.isEmpty { return }
        set(key, .string(Base64.encode(bytes)))
    }

    public mutating func set<T: JSONEncodable>(_ key: String, _ value: T) {
        set(key, value.jsonValue)
    }

    public mutating func set<T: JSONEncodable>(_ key: String, _ value: T?) {
        if let value { set(key, value.jsonValue) }
    }

    public mutating func set<T: JSONEncodable>(_ key: String, _ values: [T], omitEmpty: Bool = false) {
        if omitEmpty && values.isEmpty { return }
        set(key, .array(values.map { $0.jsonValue }))
    }

    public mutating func set(_ key: String, _ values: [String], omitEmpty: Bool = false) {
        if omitEmpty && values.isEmpty { return }
        set(key, .array(values.map { .string($0) }))
    }

    /// An object of strings (e.g. HTTP headers), in the given order.
    public mutating func set(_ key: String, pairs: [(key: String, value: String)], omitEmpty: Bool = false) {
        if omitEmpty && pairs.isEmpty { return }
        set(key, .object(JSONObject(pairs.map { ($0.key, JSONValue.string($0.value)) })))
    }
}
