import Foundation

extension JSONValue {
    /// A Go `[]byte` value: standard padded base64.
    package static func bytes(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    /// A Go map: Go writes its members sorted by key.
    package static func map(_ members: [String: JSONValue]) -> JSONValue {
        .object(JSONObject(members))
    }

    /// What Go's `omitempty` leaves out: false, 0, "", nil, empty slices and maps. (A struct is
    /// never left out; its writer does not ask.)
    package var isGoEmpty: Bool {
        switch self {
        case .null: true
        case .bool(let value): !value
        case .integer(let value): value == 0
        case .number(let value): value == 0
        case .string(let value): value.isEmpty
        case .array(let values): values.isEmpty
        case .object(let members): members.isEmpty
        }
    }
}
