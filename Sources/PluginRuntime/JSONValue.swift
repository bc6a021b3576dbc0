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

    /// A float64 formatted as Go's `json.Marshal` does: the shortest digits that read back as
    /// the same value, in plain notation from 1e-6 up to (not including) 1e21 (3 → `3`,
    /// 0.5 → `0.5`, 1e20 → `100000000000000000000`), in exponent notation outside it (1e21 →
    /// `1e+21`, 1e-7 → `1e-7`). NaN and infinities, which JSON cannot hold (Go refuses them),
    /// are written as `null`.
    static func goNumber(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        let sign = value.sign == .minus ? "-" : ""
        let (digits, point) = shortestDigits(of: value.magnitude)
        guard !digits.isEmpty else { return sign + "0" }
        let magnitude = value.magnitude
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // strconv 'e' with the shortest precision, then Go's clean-up of "e-07" to "e-7".
            var text = sign + String(digits.first!)
            if digits.count > 1 { text += "." + String(digits.dropFirst()) }
            let exponent = point - 1
            let exponentDigits = String(exponent.magnitude)
            text += exponent < 0 ? "e-" + exponentDigits : "e+" + (exponentDigits.count < 2 ? "0" : "") + exponentDigits
            return text
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + String(digits[..<split]) + "." + String(digits[split...])
    }

    /// The shortest decimal digits that identify the finite, non-negative `value` (no leading or
    /// trailing zeros; empty for zero), and where the decimal point goes: value = 0.digits × 10^point.
    private static func shortestDigits(of value: Double) -> (digits: String, point: Int) {
        // Swift's description is the shortest round-tripping form: "123.45", "1e+19", "5e-324".
        let text = value.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", maxSplits: 1)
        let integer = String(mantissa[0])
        let fraction = mantissa.count == 2 ? String(mantissa[1]) : ""
        var digits = Substring(integer + fraction)
        var point = integer.count + exponent
        while digits.first == "0" {
            digits = digits.dropFirst()
            point -= 1
        }
        while digits.last == "0" { digits = digits.dropLast() }
        return (String(digits), point)
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
