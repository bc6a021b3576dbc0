import Foundation
import TonearmJSON

/// A plugin's configuration schema (the manifest's `config.schema`, JSON Schema): validates
/// operator-supplied settings, matching keys case-insensitively, applying defaults, and
/// flattens the result to strings as Navidrome does.
///
/// Supported keywords: `type`, `properties`, `required`, `additionalProperties` (false),
/// `enum`, `const`, `default`, `minLength`/`maxLength`, `pattern`, `minimum`/`maximum`,
/// `exclusiveMinimum`/`exclusiveMaximum`, `items`, `minItems`/`maxItems`, `anyOf`, `oneOf`,
/// `allOf`. Other keywords (`title`, `description`, `format`, …) are ignored.
public struct ConfigSchema: Sendable {
    public let schema: JSONValue

    public init(_ schema: JSONValue) { self.schema = schema }

    /// Checks that the schema itself is usable (keyword types, compilable patterns); returns
    /// each problem with its JSON path.
    public func problems() -> [String] {
        var problems: [String] = []
        Self.checkSchema(schema, path: "config.schema", into: &problems)
        return problems
    }

    /// Validates `settings` (an object) and returns it with schema keys' spelling and defaults
    /// applied; every problem names the key.
    public func validate(_ settings: [String: JSONValue]) throws(ConfigValidationError) -> [String: JSONValue] {
        var problems: [String] = []
        let result = Self.validate(.object(JSONObject(settings)), against: schema, path: "", problems: &problems)
        guard problems.isEmpty else { throw ConfigValidationError(problems: problems) }
        return result.objectValue?.dictionary ?? [:]
    }

    /// Flattens validated settings to the string map plugins read with `config_get`: strings
    /// unchanged, everything else as Go's `json.Marshal` writes a value decoded into `any`
    /// (numbers through float64, object keys sorted).
    public static func flatten(_ settings: [String: JSONValue]) -> [String: String] {
        settings.mapValues { value in
            if case .string(let text) = value { return text }
            return goJSON(value)
        }
    }

    /// `value` as Go writes it once decoded into `any`: every number a float64, every object a map.
    private static func goJSON(_ value: JSONValue) -> String {
        func float64(_ value: JSONValue) -> JSONValue {
            switch value {
            case .integer(let integer): .number(Double(integer))
            case .array(let values): .array(values.map(float64))
            case .object(let members): .object(JSONObject(members.map { ($0.key, float64($0.value)) }))
            default: value
            }
        }
        return float64(value).sortingKeys().goJSON
    }

    private static func validate(
        _ value: JSONValue, against schema: JSONValue, path: String, problems: inout [String]
    ) -> JSONValue {
        guard let rules = schema.objectValue else { return value }
        let name = path.isEmpty ? "settings" : path
        var value = value
        for keyword in ["anyOf", "oneOf"] {
            guard let alternatives = rules[keyword]?.arrayValue, !alternatives.isEmpty else { continue }
            var matches: [JSONValue] = []
            for alternative in alternatives {
                var trial: [String] = []
                let result = validate(value, against: alternative, path: path, problems: &trial)
                if trial.isEmpty { matches.append(result) }
            }
            if matches.isEmpty || (keyword == "oneOf" && matches.count > 1) {
                let forms = alternatives.compactMap { $0.objectValue?["title"]?.stringValue ?? $0.objectValue?["type"]?.stringValue }
                problems.append("\(name): matches \(matches.isEmpty ? "none" : "more than one") of the allowed forms (\(forms.joined(separator: ", ")))")
                return value
            }
            value = matches[0]
        }
        for sub in rules["allOf"]?.arrayValue ?? [] {
            value = validate(value, against: sub, path: path, problems: &problems)
        }
        if let types = typeList(rules["type"]), !types.contains(where: { matches(value, type: $0) }) {
            problems.append("\(name): expected \(types.joined(separator: " or ")), got \(value.typeName)")
            return value
        }
        if let allowed = rules["enum"]?.arrayValue, !allowed.contains(where: { equal($0, value) }) {
            let list = allowed.map(goJSON).joined(separator: ", ")
            problems.append("\(name): \(goJSON(value)) is not one of \(list)")
        }
        if let constant = rules["const"], !equal(constant, value) {
            problems.append("\(name): must be \(goJSON(constant))")
        }
        switch value {
        case .string(let text):
            let count = text.unicodeScalars.count
            if let min = rules["minLength"]?.numberValue, Double(count) < min {
                problems.append("\(name): must be at least \(GoJSONWriter.number(min)) characters long")
            }
            if let max = rules["maxLength"]?.numberValue, Double(count) > max {
                problems.append("\(name): must be at most \(GoJSONWriter.number(max)) characters long")
            }
            if let pattern = rules["pattern"]?.stringValue,
                let regex = try? NSRegularExpression(pattern: pattern),
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil
            {
                problems.append("\(name): does not match the pattern \(pattern)")
            }
        case .integer, .number:
            let number = value.numberValue ?? 0
            if let min = rules["minimum"]?.numberValue, number < min {
                problems.append("\(name): must be ≥ \(GoJSONWriter.number(min))")
            }
            if let max = rules["maximum"]?.numberValue, number > max {
                problems.append("\(name): must be ≤ \(GoJSONWriter.number(max))")
            }
            if let min = rules["exclusiveMinimum"]?.numberValue, number <= min {
                problems.append("\(name): must be > \(GoJSONWriter.number(min))")
            }
            if let max = rules["exclusiveMaximum"]?.numberValue, number >= max {
                problems.append("\(name): must be < \(GoJSONWriter.number(max))")
            }
        case .array(let items):
            if let min = rules["minItems"]?.numberValue, Double(items.count) < min {
                problems.append("\(name): must have at least \(GoJSONWriter.number(min)) items")
            }
            if let max = rules["maxItems"]?.numberValue, Double(items.count) > max {
                problems.append("\(name): must have at most \(GoJSONWriter.number(max)) items")
            }
            if let itemSchema = rules["items"] {
                return .array(items.enumerated().map { index, item in
                    validate(item, against: itemSchema, path: "\(name)[\(index)]", problems: &problems)
                })
            }
        case .object(let members):
            return .object(validateObject(members, rules: rules, path: path, problems: &problems))
        case .bool, .null:
            break
        }
        return value
    }

    private static func validateObject(
        _ members: JSONObject, rules: JSONObject, path: String, problems: inout [String]
    ) -> JSONObject {
        let properties = rules["properties"]?.objectValue ?? [:]
        var byLowercased: [String: String] = [:]
        for key in properties.keys { byLowercased[key.lowercased()] = key }
        var result = JSONObject()
        for (key, value) in members {
            let schemaKey = properties[key] != nil ? key : (byLowercased[key.lowercased()] ?? key)
            let keyPath = path.isEmpty ? schemaKey : "\(path).\(schemaKey)"
            if result[schemaKey] != nil {
                problems.append("\(keyPath): given more than once (keys match case-insensitively)")
                continue
            }
            if let propertySchema = properties[schemaKey] {
                result[schemaKey] = validate(value, against: propertySchema, path: keyPath, problems: &problems)
            } else if case .bool(false) = rules["additionalProperties"] {
                problems.append("\(keyPath): unknown setting")
            } else {
                result[schemaKey] = value
            }
        }
        for (key, propertySchema) in properties where result[key] == nil {
            if let value = propertySchema.objectValue?["default"] { result[key] = value }
        }
        for case .string(let key) in rules["required"]?.arrayValue ?? [] where result[key] == nil {
            problems.append("\(path.isEmpty ? key : "\(path).\(key)"): required setting is missing")
        }
        return result
    }

    private static func typeList(_ value: JSONValue?) -> [String]? {
        switch value {
        case .string(let type): [type]
        case .array(let types): types.compactMap(\.stringValue)
        default: nil
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("array", .array), ("object", .object),
            ("null", .null), ("number", .number), ("number", .integer), ("integer", .integer):
            true
        case ("integer", .number(let number)): number == number.rounded()
        default: false
        }
    }

    /// JSON equality: numbers by value (`1` equals `1.0`), arrays in order, objects in any order.
    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let integer), .number(let number)), (.number(let number), .integer(let integer)):
            Int64(exactly: number) == integer
        case (.array(let x), .array(let y)):
            x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            x.count == y.count && x.allSatisfy { member in y[member.key].map { equal(member.value, $0) } ?? false }
        default:
            a == b
        }
    }

    private static func checkSchema(_ schema: JSONValue, path: String, into problems: inout [String]) {
        guard let rules = schema.objectValue else {
            if case .bool = schema { return }
            problems.append("\(path): a schema must be an object, not \(schema.typeName)")
            return
        }
        let known = ["string", "number", "integer", "boolean", "array", "object", "null"]
        if let type = rules["type"] {
            if let types = typeList(type), !types.isEmpty {
                for name in types where !known.contains(name) { problems.append("\(path).type: unknown type \"\(name)\"") }
            } else {
                problems.append("\(path).type: must be a type name or a list of them")
            }
        }
        for keyword in ["minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum",
                        "exclusiveMinimum", "exclusiveMaximum"]
        where rules[keyword] != nil && rules[keyword]?.numberValue == nil {
            problems.append("\(path).\(keyword): must be a number")
        }
        if let pattern = rules["pattern"] {
            if let text = pattern.stringValue {
                if (try? NSRegularExpression(pattern: text)) == nil {
                    problems.append("\(path).pattern: \"\(text)\" is not a valid regular expression")
                }
            } else {
                problems.append("\(path).pattern: must be a string")
            }
        }
        if let required = rules["required"], required.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            problems.append("\(path).required: must be a list of strings")
        }
        if let enumValues = rules["enum"], enumValues.arrayValue == nil {
            problems.append("\(path).enum: must be a list")
        }
        if let properties = rules["properties"] {
            if let members = properties.objectValue {
                for (key, sub) in members { checkSchema(sub, path: "\(path).properties.\(key)", into: &problems) }
            } else {
                problems.append("\(path).properties: must be an object")
            }
        }
        if let items = rules["items"] { checkSchema(items, path: "\(path).items", into: &problems) }
        for keyword in ["anyOf", "oneOf", "allOf"] {
            guard let list = rules[keyword] else { continue }
            guard let alternatives = list.arrayValue else {
                problems.append("\(path).\(keyword): must be a list of schemas")
                continue
            }
            for (index, sub) in alternatives.enumerated() { checkSchema(sub, path: "\(path).\(keyword)[\(index)]", into: &problems) }
        }
    }
}

/// Settings that do not satisfy a plugin's configuration schema.
public struct ConfigValidationError: Error, CustomStringConvertible, Sendable {
    /// One entry per problem, each naming the key.
    public let problems: [String]

    public var description: String { problems.joined(separator: "; ") }
}
