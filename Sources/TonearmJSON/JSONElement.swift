import Foundation

/// How one value of a Go type is read from JSON, as Go's encoding/json fills it: `nil` (a
/// missing member or `null`) is the zero value, a wrong type or an out-of-range number is an
/// error naming where it was (`field "track.artists[0].name" must be a string`). Numbers from
/// outside are range-checked before any conversion. ``JSONRequest`` reads its fields with these.
package struct JSONElement<Value>: Sendable {
    /// Reads one value; `path` names it in errors.
    package let decode: @Sendable (_ value: JSONValue?, _ path: String) throws(JSONRequestError) -> Value

    package init(decode: @escaping @Sendable (_ value: JSONValue?, _ path: String) throws(JSONRequestError) -> Value) {
        self.decode = decode
    }

    package static func wrongType(_ path: String, _ expected: String) -> JSONRequestError {
        JSONRequestError("field \"\(path)\" must be \(expected)")
    }

    package static func outOfRange(_ path: String, _ range: String, _ value: some CustomStringConvertible) -> JSONRequestError {
        JSONRequestError("field \"\(path)\" is out of range (\(range)): \(value)")
    }
}

extension JSONElement where Value == String {
    package static var string: Self {
        Self { (value, path) throws(JSONRequestError) in
            guard let value else { return "" }
            guard case .string(let text) = value else { throw wrongType(path, "a string") }
            return text
        }
    }
}

extension JSONElement where Value == Bool {
    package static var bool: Self {
        Self { (value, path) throws(JSONRequestError) in
            guard let value else { return false }
            guard case .bool(let flag) = value else { throw wrongType(path, "a boolean") }
            return flag
        }
    }
}

extension JSONElement where Value == Int64 {
    /// A Go `int64`: an integer (`1e3` included, as Go accepts it) within `Int64`.
    package static var int64: Self {
        Self { (value, path) throws(JSONRequestError) in
            guard let value else { return 0 }
            switch value {
            case .integer(let integer):
                return integer
            case .number(let number):
                guard number == number.rounded() else { throw wrongType(path, "an integer") }
                guard let integer = Int64(exactly: number) else {
                    throw outOfRange(path, "\(Int64.min)…\(Int64.max)", number)
                }
                return integer
            default:
                throw wrongType(path, "a number")
            }
        }
    }
}

extension JSONElement where Value == Int32 {
    /// A Go `int32`.
    package static var int32: Self {
        Self { (value, path) throws(JSONRequestError) in
            let integer = try JSONElement<Int64>.int64.decode(value, path)
            guard let narrow = Int32(exactly: integer) else {
                throw outOfRange(path, "\(Int32.min)…\(Int32.max)", integer)
            }
            return narrow
        }
    }
}

extension JSONElement where Value == Double {
    /// A Go `float64` (the parser refuses numbers beyond `Double`'s range).
    package static var double: Self {
        Self { (value, path) throws(JSONRequestError) in
            guard let value else { return 0 }
            guard let number = value.numberValue else { throw wrongType(path, "a number") }
            return number
        }
    }
}

extension JSONElement where Value == Float {
    /// A Go `float32`: a number within `Float`'s range (Go refuses larger ones).
    package static var float32: Self {
        Self { (value, path) throws(JSONRequestError) in
            let number = try JSONElement<Double>.double.decode(value, path)
            guard number.magnitude <= Double(Float.greatestFiniteMagnitude) else {
                throw outOfRange(path, "float32", number)
            }
            return Float(number)
        }
    }
}

extension JSONElement where Value == [UInt8] {
    /// A Go `[]byte`: standard base64 (padding optional: Go's decoder requires it, but PDKs
    /// always send it).
    package static var bytes: Self {
        Self { (value, path) throws(JSONRequestError) in
            let text = try JSONElement<String>.string.decode(value, path)
            if text.isEmpty { return [] }
            var padded = text
            let remainder = padded.utf8.count % 4
            if remainder != 0 { padded += String(repeating: "=", count: 4 - remainder) }
            guard let data = Data(base64Encoded: padded) else { throw JSONRequestError("field \"\(path)\" is not valid base64") }
            return Array(data)
        }
    }
}

extension JSONElement where Value == JSONValue {
    /// Any JSON (Go `any`), as it is; missing is `null`.
    package static var any: Self {
        Self { (value, _) throws(JSONRequestError) in value ?? .null }
    }
}

extension JSONElement {
    /// A Go slice: `null` or missing is empty, `null` elements are zero values.
    package static func array<Item>(of element: JSONElement<Item>) -> JSONElement<[Item]> {
        JSONElement<[Item]> { (value, path) throws(JSONRequestError) in
            guard let value else { return [] }
            guard case .array(let items) = value else { throw JSONElement<[Item]>.wrongType(path, "an array") }
            var result: [Item] = []
            result.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                result.append(try element.decode(item.isNull ? JSONValue?.none : item, "\(path)[\(index)]"))
            }
            return result
        }
    }

    /// A Go `map[string]T`.
    package static func map<Item>(of element: JSONElement<Item>) -> JSONElement<[String: Item]> {
        JSONElement<[String: Item]> { (value, path) throws(JSONRequestError) in
            guard let value else { return [:] }
            guard case .object(let object) = value else { throw JSONElement<[String: Item]>.wrongType(path, "an object") }
            var result: [String: Item] = [:]
            for member in object {
                result[member.key] = try element.decode(member.value.isNull ? JSONValue?.none : member.value, "\(path).\(member.key)")
            }
            return result
        }
    }

    /// A Go pointer: missing or `null` is nil.
    package static func optional<Item>(_ element: JSONElement<Item>) -> JSONElement<Item?> {
        JSONElement<Item?> { (value, path) throws(JSONRequestError) in
            guard let value else { return nil }
            return try element.decode(value, path)
        }
    }
}
