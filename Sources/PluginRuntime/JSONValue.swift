import Foundation

/// A JSON value, as manifests and configuration schemas hold them.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text; throws a `DecodingError` describing the problem.
    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { value } else { nil }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { value } else { nil }
    }

    public var numberValue: Double? {
        if case .number(let value) = self { value } else { nil }
    }

    /// The JSON type name (`"string"`, `"object"`, …) for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Compact JSON as Go's `encoding/json` writes it: object keys sorted, `<`, `>` and `&`
    /// escaped as `\u003c`, `\u003e`, `\u0026`, numbers through float64.
    public var goJSON: String {
        var out = ""
        writeGoJSON(to: &out)
        return out
    }

    private func writeGoJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value): out += Self.goNumber(value)
        case .string(let value): Self.writeGoString(value, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += "," }
                value.writeGoJSON(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                Self.writeGoString(key, to: &out)
                out += ":"
                members[key]!.writeGoJSON(to: &out)
            }
            out += "}"
        }
    }

    /// A float64 formatted as Go's `json.Marshal` does (3 → `3`, 0.5 → `0.5`, 1e21 → `1e+21`).
    static func goNumber(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e21 {
            return String(Int64(value))
        }
        let magnitude = abs(value)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // Go: exponent form with at least two exponent digits.
            var text = String(describing: value)
            if let range = text.range(of: "e-"), text.distance(from: range.upperBound, to: text.endIndex) == 1 {
                text.insert("0", at: range.upperBound)
            }
            if let range = text.range(of: "e+"), text.distance(from: range.upperBound, to: text.endIndex) == 1 {
                text.insert("0", at: range.upperBound)
            }
            return text
        }
        return String(describing: value)
    }

    private static func writeGoString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
