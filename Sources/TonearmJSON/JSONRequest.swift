/// A request object read field by field as Go's `encoding/json` fills a struct: a missing field
/// or `null` reads as Go's zero value, a field of the wrong type or out of its Go type's range
/// is an error naming the field. Numbers from outside are range-checked before any conversion.
package struct JSONRequest: Sendable {
    private let members: JSONObject
    /// Where this object sits in the request (`""` at the top, `track.artists[0]` inside).
    private let path: String

    /// Parses a request body; an empty body or `null` is an empty request.
    package init(_ bytes: [UInt8]) throws(JSONRequestError) {
        path = ""
        if bytes.isEmpty {
            members = JSONObject()
            return
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(bytes)
        } catch {
            throw JSONRequestError("invalid JSON request: \(error.description)")
        }
        switch parsed {
        case .null: members = JSONObject()
        case .object(let object): members = object
        default: throw JSONRequestError("invalid JSON request: expected an object")
        }
    }

    /// An object already parsed, found at `path` (named in errors).
    package init(_ object: JSONObject, path: String = "") {
        members = object
        self.path = path
    }

    /// The field's value; nil when missing or `null`.
    package func value(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    /// The field read as `element` says (Go's zero value when missing or `null`).
    package func field<Value>(_ key: String, _ element: JSONElement<Value>) throws(JSONRequestError) -> Value {
        try element.decode(value(key), path.isEmpty ? key : path + "." + key)
    }

    package func string(_ key: String) throws(JSONRequestError) -> String { try field(key, .string) }

    /// A Go `int64` field: an integer (`1e3` included, as Go accepts it) within `Int64`.
    package func int64(_ key: String) throws(JSONRequestError) -> Int64 { try field(key, .int64) }

    /// An integer field that must lie in `range`; the error names the field and the range.
    package func int64(_ key: String, in range: ClosedRange<Int64>) throws(JSONRequestError) -> Int64 {
        let value = try int64(key)
        guard range.contains(value) else {
            throw JSONElement<Int64>.outOfRange(path.isEmpty ? key : path + "." + key,
                                                "\(range.lowerBound)…\(range.upperBound)", value)
        }
        return value
    }

    /// A Go `int32` field.
    package func int32(_ key: String) throws(JSONRequestError) -> Int32 { try field(key, .int32) }

    /// A Go `float64` field (the parser refuses numbers beyond `Double`'s range).
    package func double(_ key: String) throws(JSONRequestError) -> Double { try field(key, .double) }

    package func bool(_ key: String) throws(JSONRequestError) -> Bool { try field(key, .bool) }

    /// A `[]byte` field: standard base64.
    package func bytes(_ key: String) throws(JSONRequestError) -> [UInt8] { try field(key, .bytes) }

    /// A Go `[]string` field.
    package func strings(_ key: String) throws(JSONRequestError) -> [String] {
        try field(key, .array(of: JSONElement<String>.string))
    }

    /// A Go `map[string]string` field.
    package func stringMap(_ key: String) throws(JSONRequestError) -> [String: String] {
        try field(key, .map(of: JSONElement<String>.string))
    }

    /// A nested struct field (missing or `null` is the zero struct).
    package func object(_ key: String) throws(JSONRequestError) -> JSONRequest {
        let at = path.isEmpty ? key : path + "." + key
        guard let value = value(key) else { return JSONRequest(JSONObject(), path: at) }
        guard case .object(let object) = value else { throw JSONElement<JSONRequest>.wrongType(at, "an object") }
        return JSONRequest(object, path: at)
    }
}

/// A request field of the wrong type or out of range, or a body that is not JSON.
package struct JSONRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
