/// A JSON value: what the host parses (manifests, host-service requests, Subsonic and
/// ListenBrainz bodies, Discord frames in the simulator) and what it writes with Go's rules
/// (``goJSON``).
///
/// Integers that fit in `Int64` are `.integer`, every other number `.number`, so a reader can
/// insist on an integer (as Go's decoder does for `int` fields, and Discord for timestamps) and
/// integers beyond 2^53 keep their digits. Objects keep their members in order (``JSONObject``),
/// as Go writes struct fields.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A Go `float32` value: the float64 with the float32's shortest digits, so that the Go
    /// writer writes exactly what Go writes for a `float32` field (`Float(245.3)` → `245.3`).
    public static func float32(_ value: Float) -> JSONValue {
        .number(Double(GoJSONWriter.number(value)) ?? Double(value))
    }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let value) = self { value } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The payload of `.integer` (a number written without fraction or exponent that fits in
    /// `Int64`), or nil.
    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// Any number as a `Double` (integers beyond 2^53 rounded), or nil.
    public var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }

    public var isNull: Bool { self == .null }

    /// The JSON type name (`"string"`, `"number"`, `"object"`, …) for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The same value with every object's members sorted by key, as Go writes a map
    /// (`map[string]any`, which is what Go decodes an arbitrary JSON object into).
    public func sortingKeys() -> JSONValue {
        switch self {
        case .array(let values): .array(values.map { $0.sortingKeys() })
        case .object(let members):
            .object(JSONObject(members.sorted { $0.key < $1.key }.map { ($0.key, $0.value.sortingKeys()) }))
        default: self
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
