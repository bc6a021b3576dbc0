import Foundation

/// A request object read field by field as Go's `encoding/json` fills a struct: a missing field
/// or `null` reads as Go's zero value, a field of the wrong type or out of its Go type's range
/// is an error naming the field. Numbers from outside are range-checked before any conversion.
package struct JSONRequest: Sendable {
    private let members: JSONObject

    /// Parses a request body; an empty body or `null` is an empty request.
    package init(_ bytes: [UInt8]) throws(JSONRequestError) {
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

    private init(members: JSONObject) { self.members = members }

    /// The field's value; nil when missing or `null`.
    private func field(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    package func string(_ key: String) throws(JSONRequestError) -> String {
        guard let value = field(key) else { return "" }
        guard case .string(let text) = value else { throw JSONRequestError("field \"\(key)\" must be a string") }
        return text
    }

    /// A Go `int64` field: an integer (`1e3` included, as Go accepts it) within `Int64`.
    package func int64(_ key: String) throws(JSONRequestError) -> Int64 {
        guard let value = field(key) else { return 0 }
        switch value {
        case .integer(let integer):
            return integer
        case .number(let number):
            guard number == number.rounded() else { throw JSONRequestError("field \"\(key)\" must be an integer") }
            guard let integer = Int64(exactly: number) else {
                throw JSONRequestError("field \"\(key)\" is out of range (\(Int64.min)…\(Int64.max))")
            }
            return integer
        default:
            throw JSONRequestError("field \"\(key)\" must be a number")
        }
    }

    /// An integer field that must lie in `range`; the error names the field and the range.
    package func int64(_ key: String, in range: ClosedRange<Int64>) throws(JSONRequestError) -> Int64 {
        let value = try int64(key)
        guard range.contains(value) else {
            throw JSONRequestError("field \"\(key)\" is out of range (\(range.lowerBound)…\(range.upperBound)): \(value)")
        }
        return value
    }

    /// A Go `int32` field.
    package func int32(_ key: String) throws(JSONRequestError) -> Int32 {
        let value = try int64(key)
        guard let integer = Int32(exactly: value) else {
            throw JSONRequestError("field \"\(key)\" is out of range (\(Int32.min)…\(Int32.max)): \(value)")
        }
        return integer
    }

    /// A Go `float64` field (the parser refuses numbers beyond `Double`'s range).
    package func double(_ key: String) throws(JSONRequestError) -> Double {
        guard let value = field(key) else { return 0 }
        guard let number = value.numberValue else { throw JSONRequestError("field \"\(key)\" must be a number") }
        return number
    }

    package func bool(_ key: String) throws(JSONRequestError) -> Bool {
        guard let value = field(key) else { return false }
        guard case .bool(let flag) = value else { throw JSONRequestError("field \"\(key)\" must be a boolean") }
        return flag
    }

    /// A `[]byte` field: standard base64 (padding optional: Go's decoder requires it, but PDKs
    /// always send it).
    package func bytes(_ key: String) throws(JSONRequestError) -> [UInt8] {
        let text = try string(key)
        if text.isEmpty { return [] }
        var padded = text
        let remainder = padded.utf8.count % 4
        if remainder != 0 { padded += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: padded) else {
            throw JSONRequestError("field \"\(key)\" is not valid base64")
        }
        return Array(data)
    }

    package func strings(_ key: String) throws(JSONRequestError) -> [String] {
        guard let value = field(key) else { return [] }
        guard case .array(let items) = value else { throw JSONRequestError("field \"\(key)\" must be an array of strings") }
        var result: [String] = []
        for item in items {
            switch item {
            case .string(let text): result.append(text)
            case .null: result.append("")  // Go's zero value
            default: throw JSONRequestError("field \"\(key)\" must be an array of strings")
            }
        }
        return result
    }

    /// A Go `map[string]string` field.
    package func stringMap(_ key: String) throws(JSONRequestError) -> [String: String] {
        guard let value = field(key) else { return [:] }
        guard case .object(let object) = value else { throw JSONRequestError("field \"\(key)\" must be an object of strings") }
        var result: [String: String] = [:]
        for member in object {
            switch member.value {
            case .string(let text): result[member.key] = text
            case .null: result[member.key] = ""  // Go's zero value
            default: throw JSONRequestError("field \"\(key)\" must be an object of strings")
            }
        }
        return result
    }

    /// A nested struct field.
    package func object(_ key: String) throws(JSONRequestError) -> JSONRequest {
        guard let value = field(key) else { return JSONRequest(members: JSONObject()) }
        guard case .object(let object) = value else { throw JSONRequestError("field \"\(key)\" must be an object") }
        return JSONRequest(members: object)
    }
}

/// A request field of the wrong type or out of range, or a body that is not JSON.
package struct JSONRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
