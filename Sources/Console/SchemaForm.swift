import TonearmJSON

/// An HTML form for a plugin's configuration schema (the manifest's `config.schema`, with the
/// optional `config.uiSchema`), as Navidrome's UI offers one: ``html(values:errors:)`` renders
/// the fields, ``read(form:previous:)`` turns a submitted form back into settings, and
/// ``fieldErrors(fromProblems:)`` places the problems `ConfigSchema.validate` reports next to
/// their fields. Validation itself stays with `ConfigSchema`.
///
/// Field names are the settings paths `ConfigSchema` reports: `clientid`, a nested object's
/// `a.b`, a row of an array of objects `users[0].username`. The form adds these controls:
/// - `users[0].__index`: hidden, the row's position in the settings the form was rendered from
///   (empty for a new row), so that a secret left blank keeps that row's stored secret;
/// - `users[0].__remove`: a checkbox that drops the row;
/// - `users.__form`: hidden, which alternative of an `anyOf`/`oneOf` setting the form shows.
///
/// A boolean is a hidden `false` followed by a checkbox `true` of the same name; the last value
/// submitted counts, so unchecked reads as false and checked as true (`on`, `1` and `yes` are
/// read as true too).
///
/// A field that is not submitted at all keeps its stored value: that is how the settings the
/// form cannot show (past the field limit, more rows than it lists) survive a save.
package struct SchemaForm: Sendable {
    /// Why parts of the schema are not shown as fields (or not shown at all), each naming its
    /// place in the manifest (`config.schema.properties.users.items`).
    package let problems: [String]
    let root: FormGroup
    /// Settings paths of secret fields, rows written `users[]`.
    let secretPaths: Set<String>
    /// Secret fields edited as JSON: every path inside them is secret too.
    let secretSubtrees: Set<String>

    /// Compiles the form. Never traps, whatever the schema and uiSchema hold; what cannot be
    /// shown as fields is listed in ``problems``.
    package init(schema: JSONValue, uiSchema: JSONValue? = nil) {
        var compiler = FormCompiler()
        root = compiler.compileRoot(schema, ui: FormUIHints(uiSchema: uiSchema))
        problems = compiler.problems
        secretPaths = compiler.secretPaths
        secretSubtrees = compiler.secretSubtrees
    }

    /// Whether the setting at `path` (`webhooksecret`, `users[2].token`) is secret, so that the
    /// form never shows it: its key or title contains token, password, secret, apikey, api_key
    /// or "api key" (any case), its schema says `"format": "password"` or `"writeOnly": true`,
    /// the uiSchema marks it as a password (`"ui:widget": "password"`, JSON Forms
    /// `options.format`), or it is inside an object or array with such a key or title. A form
    /// of an `anyOf`/`oneOf` setting can be secret on its own (Discord's `users` written as
    /// "username:token,…"). Booleans are never secret: they are checkboxes.
    package func isSecret(path: String) -> Bool {
        let path = Self.rowPattern(path)
        if secretPaths.contains(path) { return true }
        var index = path.startIndex
        while index < path.endIndex {
            if path[index] == "." || path[index] == "[", secretSubtrees.contains(String(path[..<index])) { return true }
            index = path.index(after: index)
        }
        return false
    }

    /// `users[12].token` as `users[].token`.
    static func rowPattern(_ path: String) -> String {
        var result = ""
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "[") {
            result += rest[...open]
            let after = rest[rest.index(after: open)...]
            let digits = after.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, after.dropFirst(digits.count).first == "]" {
                rest = after.dropFirst(digits.count)
            } else {
                rest = after
            }
        }
        return result + rest
    }
}

/// The limits that keep a hostile schema, uiSchema or form from costing much.
enum FormLimits {
    /// Objects, rows and alternatives nested deeper are edited as JSON.
    static let depth = 8
    /// Fields in the whole form; the settings past it keep their stored values.
    static let fields = 500
    /// An enum with more options is a text input.
    static let options = 500
    /// An array of objects with more rows is not listed (and kept as it is).
    static let rows = 1000
    /// Inputs rendered for rows in all (rows × fields per row).
    static let rowInputs = 20_000
    /// JSON text nested deeper is not shown (it could not be read back).
    static let jsonDepth = JSONValue.defaultMaxDepth
    /// Nodes looked at when scanning a value or schema; more counts as secret.
    static let scannedNodes = 100_000
    /// uiSchema elements read.
    static let uiElements = 5_000
    /// `allOf` members merged.
    static let allOf = 64
}

/// How the text of an input becomes a value.
enum FormValueType: Sendable {
    case string, integer, number, boolean
}

/// One field: a schema property compiled for rendering and reading.
struct FormField: Sendable {
    /// The property name, spelled as in the schema.
    let key: String
    let label: String
    let help: String
    let required: Bool
    /// Never shown; left empty, the stored value is kept.
    let secret: Bool
    let defaultValue: JSONValue?
    let kind: FieldKind
}

/// What a field is shown as.
enum FieldKind: Sendable {
    /// A text input (a textarea when multi-line).
    case text(FormTextRules)
    /// A number input.
    case number(FormValueType, minimum: Double?, maximum: Double?)
    case boolean
    /// A select of the enum's options; text that matches none is read as `FormValueType`.
    case choice([JSONValue], FormValueType)
    /// A read-only value, always read as the constant.
    case constant(JSONValue)
    /// An array of scalars: a textarea, one item per line.
    case list(FormValueType)
    /// A nested object: a fieldset of its fields.
    case object(FormGroup)
    /// An array of objects: a fieldset per row plus a blank row.
    case rows(FormGroup)
    /// The forms of `anyOf`/`oneOf`; one of them is shown.
    case alternatives([FormAlternative])
    /// Anything else: JSON text in a textarea.
    case json
}

/// The attributes of a text input that are sane enough for a browser to enforce.
struct FormTextRules: Sendable {
    var minLength: Int?
    var maxLength: Int?
    /// The schema's (unanchored) pattern.
    var pattern: String?
    var multiline = false
}

/// One form of an `anyOf`/`oneOf` setting.
struct FormAlternative: Sendable {
    /// Its title, or its type, for "also accepted" help.
    let name: String
    let field: FormField

    /// The form can be shown as fields (JSON text is only a fallback).
    var renderable: Bool {
        if case .json = field.kind { false } else { true }
    }

    /// The alternative to show for `value`: the first renderable one it fits, else the first
    /// renderable one.
    static func choose(_ alternatives: [FormAlternative], for value: JSONValue?) -> Int {
        let renderable = alternatives.indices.filter { alternatives[$0].renderable }
        if let value, let fitting = renderable.first(where: { alternatives[$0].field.fits(value) }) { return fitting }
        return renderable.first ?? 0
    }
}

/// The fields of an object, in the order (and sections) they are shown.
struct FormGroup: Sendable {
    var fields: [FormField] = []
    var layout: [FormLayout] = []
    /// Properties past the field limit: not shown, their stored values kept.
    var kept: [String] = []
    /// Inputs one instance of the group renders (a nested array's item counted once).
    var weight = 0
}

/// An entry of a group's layout.
enum FormLayout: Sendable {
    /// `fields[index]`.
    case field(Int)
    /// A titled section (a uiSchema `Group`).
    case section(String, [FormLayout])
}

/// How a field shows a value: as text, or masked (a secret, or a value that cannot be shown).
enum FormShownValue: Equatable {
    case text(String)
    case masked
}

extension FormField {
    /// What the field shows for the stored value (the default when nothing is stored). Masked
    /// values are not written into the form; left empty, they are kept.
    func shown(_ stored: JSONValue?) -> FormShownValue {
        var stored = stored
        if case .null? = stored { stored = nil }
        if secret { return stored == nil ? .text("") : .masked }
        guard let value = stored ?? defaultValue else { return .text("") }
        switch kind {
        case .json:
            return Self.jsonText(value).map(FormShownValue.text) ?? .masked
        case .list:
            guard let items = value.arrayValue else { return Self.text(value).map(FormShownValue.text) ?? .masked }
            var lines: [String] = []
            for item in items {
                guard let line = Self.text(item) else { return .masked }
                lines.append(line)
            }
            return .text(lines.joined(separator: "\n"))
        default:
            return Self.text(value).map(FormShownValue.text) ?? .masked
        }
    }

    /// Whether `value` has the shape of this field's values.
    func fits(_ value: JSONValue) -> Bool {
        switch kind {
        case .text: value.stringValue != nil
        case .number(.integer, _, _): value.integerValue != nil || value.numberValue.map { $0 == $0.rounded() } == true
        case .number: value.numberValue != nil
        case .boolean: value.boolValue != nil
        case .choice(let options, _): options.contains { Self.sameValue($0, value) }
        case .constant(let constant): Self.sameValue(constant, value)
        case .list: value.arrayValue?.allSatisfy(Self.isScalar) == true
        case .rows: value.arrayValue?.allSatisfy { $0.objectValue != nil } == true
        case .object: value.objectValue != nil
        case .alternatives(let alternatives): alternatives.contains { $0.renderable && $0.field.fits(value) }
        case .json: true
        }
    }

    /// Whether a value read for this field is what a blank field gives (nothing, or the default).
    func isBlank(_ value: JSONValue?) -> Bool {
        guard let value else { return true }
        switch kind {
        case .constant: return true
        case .boolean: return value == (defaultValue?.boolValue.map(JSONValue.bool) ?? .bool(false))
        case .object(let group): return value.objectValue.map(group.isBlank) ?? false
        case .alternatives(let alternatives): return alternatives.contains { $0.field.isBlank(value) }
        default: return defaultValue.map { Self.sameValue($0, value) } ?? false
        }
    }

    /// A scalar as input text (`null` is empty); an array or object as JSON when it can be
    /// shown (nil when it cannot).
    static func text(_ value: JSONValue) -> String? {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let integer): String(integer)
        case .number(let number): GoJSONWriter.number(number)
        case .string(let string): string
        case .array, .object: jsonText(value)
        }
    }

    /// `value` as JSON text, or nil when it is nested too deeply to read back, too large to
    /// scan, or has a member whose key looks secret.
    static func jsonText(_ value: JSONValue) -> String? {
        var stack: [(value: JSONValue, depth: Int)] = [(value, 1)]
        var visited = 0
        while let (node, depth) = stack.popLast() {
            visited += 1
            guard visited <= FormLimits.scannedNodes else { return nil }
            switch node {
            case .array(let items):
                guard depth <= FormLimits.jsonDepth else { return nil }
                for item in items { stack.append((item, depth + 1)) }
            case .object(let members):
                guard depth <= FormLimits.jsonDepth else { return nil }
                for member in members {
                    if FormField.looksSecret(member.key) { return nil }
                    stack.append((member.value, depth + 1))
                }
            default:
                break
            }
        }
        return value.goJSON
    }

    static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: false
        default: true
        }
    }

    /// JSON equality: numbers by value (`1` equals `1.0`), objects in any order; false past the
    /// depth JSON text can have.
    static func sameValue(_ a: JSONValue, _ b: JSONValue, depth: Int = 0) -> Bool {
        guard depth <= FormLimits.jsonDepth else { return false }
        switch (a, b) {
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1, depth: depth + 1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.allSatisfy { member in y[member.key].map { sameValue(member.value, $0, depth: depth + 1) } ?? false }
        default:
            if let x = a.numberValue, let y = b.numberValue { return x == y }
            return a == b
        }
    }
}

extension FormGroup {
    /// Whether an object read for this group holds nothing but blanks and defaults.
    func isBlank(_ object: JSONObject) -> Bool {
        fields.allSatisfy { $0.isBlank(object[$0.key]) }
    }
}

extension FormField {
    /// Words that make a key or title secret.
    private static let secretWords = ["token", "password", "secret", "apikey", "api_key", "api key", "api-key"]

    static func looksSecret(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return secretWords.contains { lowered.contains($0) }
    }
}

/// Object members by key: the exact key, else one that differs only in case (`ConfigSchema`
/// matches keys case-insensitively).
struct FormMembers {
    private let object: JSONObject?
    private var lowercased: [String: JSONValue] = [:]

    init(_ object: JSONObject?) {
        self.object = object
        for member in object ?? [:] where lowercased[member.key.lowercased()] == nil {
            lowercased[member.key.lowercased()] = member.value
        }
    }

    subscript(key: String) -> JSONValue? {
        object?[key] ?? lowercased[key.lowercased()]
    }
}

/// Turns a schema (and the uiSchema's hints) into form groups, noting what it cannot show.
struct FormCompiler {
    var problems: [String] = []
    var secretPaths: Set<String> = []
    var secretSubtrees: Set<String> = []
    private var fieldCount = 0

    mutating func compileRoot(_ schema: JSONValue, ui: FormUIHints) -> FormGroup {
        let path = "config.schema"
        guard let rules = schema.objectValue else {
            problems.append("\(path): must be an object schema, not \(schema.typeName); no settings can be shown")
            return FormGroup()
        }
        if let type = rules["type"], !Self.typeNames(type).contains("object") {
            problems.append("\(path).type: settings are an object, so a schema of type \(Self.describe(type)) cannot be shown")
            return FormGroup()
        }
        return group(rules, schemaPath: path, dataPath: "", depth: 0, ui: ui, secret: false) ?? FormGroup()
    }

    /// The fields of an object schema; nil (with a problem) when its `properties` is unusable.
    private mutating func group(
        _ rules: JSONObject, schemaPath: String, dataPath: String, depth: Int, ui: FormUIHints, secret: Bool
    ) -> FormGroup? {
        let rules = mergingAllOf(rules, schemaPath: schemaPath)
        noteReference(rules, schemaPath: schemaPath)
        var properties = JSONObject()
        if let value = rules["properties"] {
            guard let object = value.objectValue else {
                problems.append("\(schemaPath).properties: must be an object, not \(value.typeName); its settings cannot be shown as fields")
                return nil
            }
            properties = object
        }
        let required = Set(rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        var result = FormGroup()
        for (key, schema) in properties {
            let keyPath = dataPath.isEmpty ? key : "\(dataPath).\(key)"
            guard fieldCount < FormLimits.fields else {
                result.kept.append(key)
                if FormField.looksSecret(key) {
                    secretPaths.insert(keyPath)
                    secretSubtrees.insert(keyPath)
                }
                continue
            }
            if let field = field(
                key: key, schema: schema, schemaPath: "\(schemaPath).properties.\(key)", dataPath: keyPath,
                depth: depth, required: required.contains(key), ui: ui.fields[key], secret: secret)
            {
                result.fields.append(field)
            }
        }
        if !result.kept.isEmpty {
            problems.append(
                "\(schemaPath).properties: the form shows at most \(FormLimits.fields) fields; "
                    + "\(result.kept.count) settings here are not shown and keep their stored values")
        }
        result.layout = Self.layout(result.fields, ui: ui)
        result.weight = result.fields.reduce(0) { $0 + Self.weight($1.kind) }
        return result
    }

    private mutating func field(
        key: String, schema: JSONValue, schemaPath: String, dataPath: String, depth: Int, required: Bool,
        ui: FormUIField?, secret inherited: Bool
    ) -> FormField? {
        fieldCount += 1
        var rules = JSONObject()
        switch schema {
        case .object(let object): rules = mergingAllOf(object, schemaPath: schemaPath)
        case .bool(true): break
        case .bool(false): return nil
        default: problems.append("\(schemaPath): must be a schema object, not \(schema.typeName); edited as JSON")
        }
        noteReference(rules, schemaPath: schemaPath)
        var title = key
        if let value = rules["title"] {
            if let text = value.stringValue {
                if !text.isEmpty { title = text }
            } else {
                problems.append("\(schemaPath).title: must be a string, not \(value.typeName); the key is shown instead")
            }
        }
        var help = ""
        if let value = rules["description"] {
            if let text = value.stringValue {
                help = text
            } else {
                problems.append("\(schemaPath).description: must be a string, not \(value.typeName); not shown")
            }
        }
        if let extra = ui?.help { help = help.isEmpty ? extra : "\(help) \(extra)" }
        var secret = inherited || FormField.looksSecret(key) || FormField.looksSecret(title) || ui?.password == true
            || rules["format"]?.stringValue == "password" || rules["writeOnly"]?.boolValue == true
        let kind = self.kind(
            rules, key: key, schemaPath: schemaPath, dataPath: dataPath, depth: depth, required: required, ui: ui,
            secret: secret)
        switch kind {
        case .boolean:
            secret = false
        case .json:
            secret = secret || Self.schemaLooksSecret(schema)
            if secret { secretSubtrees.insert(dataPath) }
        default:
            break
        }
        if secret { secretPaths.insert(dataPath) }
        return FormField(
            key: key, label: ui?.label ?? title, help: help, required: required, secret: secret,
            defaultValue: rules["default"], kind: kind)
    }

    private mutating func kind(
        _ rules: JSONObject, key: String, schemaPath: String, dataPath: String, depth: Int, required: Bool,
        ui: FormUIField?, secret: Bool
    ) -> FieldKind {
        for keyword in ["anyOf", "oneOf"] {
            guard let list = rules[keyword]?.arrayValue, !list.isEmpty else { continue }
            guard depth < FormLimits.depth else {
                problems.append("\(schemaPath).\(keyword): nested more than \(FormLimits.depth) levels deep; edited as JSON")
                return .json
            }
            var alternatives: [FormAlternative] = []
            for (index, alternative) in list.enumerated() where fieldCount < FormLimits.fields {
                let own = alternative.objectValue ?? [:]
                let name = own["title"]?.stringValue ?? Self.typeNames(own["type"]).first ?? "JSON"
                // The setting's own keywords (title, description, default) over the alternative's.
                var merged = own
                for (member, value) in rules where member != "anyOf" && member != "oneOf" {
                    if merged[member] == nil || ["title", "description", "default"].contains(member) { merged[member] = value }
                }
                if let field = field(
                    key: key, schema: .object(merged), schemaPath: "\(schemaPath).\(keyword)[\(index)]",
                    dataPath: dataPath, depth: depth + 1, required: required, ui: ui,
                    secret: secret || FormField.looksSecret(name))
                {
                    // Nested alternatives join this list, so that one `__form` control chooses.
                    if case .alternatives(let inner) = field.kind {
                        alternatives += inner
                    } else {
                        alternatives.append(FormAlternative(name: name, field: field))
                    }
                }
            }
            return alternatives.contains(where: \.renderable) ? .alternatives(alternatives) : .json
        }
        if let constant = rules["const"] { return .constant(constant) }
        var options: [JSONValue]?
        if let value = rules["enum"] {
            if let list = value.arrayValue {
                if list.count > FormLimits.options {
                    problems.append("\(schemaPath).enum: \(list.count) options are more than a list offers (\(FormLimits.options)); entered as text")
                } else if !list.allSatisfy(FormField.isScalar) {
                    problems.append("\(schemaPath).enum: options that are arrays or objects cannot be listed; entered as text")
                } else if !list.isEmpty {
                    options = list
                }
            } else {
                problems.append("\(schemaPath).enum: must be a list, not \(value.typeName); ignored")
            }
        }
        let declared = Self.typeNames(rules["type"]).first { $0 != "null" }
        switch declared ?? Self.inferredType(rules) {
        case "string":
            return options.map { .choice($0, .string) } ?? .text(Self.textRules(rules, ui: ui))
        case "integer":
            return options.map { .choice($0, .integer) }
                ?? .number(.integer, minimum: Self.bound(rules["minimum"], integer: true), maximum: Self.bound(rules["maximum"], integer: true))
        case "number":
            return options.map { .choice($0, .number) }
                ?? .number(.number, minimum: Self.bound(rules["minimum"], integer: false), maximum: Self.bound(rules["maximum"], integer: false))
        case "boolean":
            return options.map { .choice($0, .boolean) } ?? .boolean
        case "object":
            guard rules["properties"] != nil else { return .json }
            guard depth < FormLimits.depth else {
                problems.append("\(schemaPath): nested more than \(FormLimits.depth) levels deep; edited as JSON")
                return .json
            }
            let group = self.group(
                rules, schemaPath: schemaPath, dataPath: dataPath, depth: depth + 1, ui: ui?.nested ?? FormUIHints(),
                secret: secret)
            return group.map(FieldKind.object) ?? .json
        case "array":
            return arrayKind(rules, schemaPath: schemaPath, dataPath: dataPath, depth: depth, ui: ui, secret: secret)
        case nil:
            return options.map { .choice($0, .string) } ?? .json
        case let other?:
            if other != "null" { problems.append("\(schemaPath).type: unknown type \"\(other)\"; edited as JSON") }
            return .json
        }
    }

    private mutating func arrayKind(
        _ rules: JSONObject, schemaPath: String, dataPath: String, depth: Int, ui: FormUIField?, secret: Bool
    ) -> FieldKind {
        guard let itemRules = rules["items"]?.objectValue else { return .json }
        let items = mergingAllOf(itemRules, schemaPath: "\(schemaPath).items")
        switch Self.typeNames(items["type"]).first(where: { $0 != "null" }) ?? Self.inferredType(items) {
        case "object":
            guard items["properties"] != nil else { return .json }
            guard depth < FormLimits.depth else {
                problems.append("\(schemaPath).items: nested more than \(FormLimits.depth) levels deep; edited as JSON")
                return .json
            }
            let group = self.group(
                items, schemaPath: "\(schemaPath).items", dataPath: "\(dataPath)[]", depth: depth + 1,
                ui: ui?.items ?? ui?.nested ?? FormUIHints(), secret: secret)
            return group.map(FieldKind.rows) ?? .json
        case "string": return .list(.string)
        case "integer": return .list(.integer)
        case "number": return .list(.number)
        case "boolean": return .list(.boolean)
        case let other?:
            problems.append("\(schemaPath).items: lists of \(other) values are edited as JSON")
            return .json
        case nil:
            return .json
        }
    }

    /// `rules` with its `allOf` members' properties and required keys added, and their other
    /// keywords where `rules` has none (one level: members' own `allOf` are not followed).
    private mutating func mergingAllOf(_ rules: JSONObject, schemaPath: String) -> JSONObject {
        guard let members = rules["allOf"]?.arrayValue, !members.isEmpty else { return rules }
        if members.count > FormLimits.allOf {
            problems.append("\(schemaPath).allOf: only the first \(FormLimits.allOf) of \(members.count) schemas are merged into the form")
        }
        var merged = rules
        merged["allOf"] = nil
        // Own `properties` that are not an object stay as they are, for `group` to report.
        var properties = rules["properties"] == nil ? JSONObject() : rules["properties"]?.objectValue
        var required = rules["required"]?.arrayValue ?? []
        for member in members.prefix(FormLimits.allOf) {
            guard let object = member.objectValue else { continue }
            for (key, value) in object {
                switch key {
                case "properties":
                    for property in value.objectValue ?? [:] where properties?[property.key] == nil {
                        properties?[property.key] = property.value
                    }
                case "required": required += value.arrayValue ?? []
                case "allOf": break
                default: if merged[key] == nil { merged[key] = value }
                }
            }
        }
        if let properties, !properties.isEmpty { merged["properties"] = .object(properties) }
        if !required.isEmpty { merged["required"] = .array(required) }
        return merged
    }

    private mutating func noteReference(_ rules: JSONObject, schemaPath: String) {
        if rules["$ref"] != nil {
            problems.append("\(schemaPath).$ref: references are not supported; the setting is shown from the other keywords only")
        }
    }

    /// Type names of `type` (a name or a list of them).
    static func typeNames(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let name)?: [name]
        case .array(let names)?: names.compactMap(\.stringValue)
        default: []
        }
    }

    /// The type a schema without `type` implies.
    private static func inferredType(_ rules: JSONObject) -> String? {
        if rules["properties"] != nil { return "object" }
        if rules["items"] != nil { return "array" }
        for keyword in ["const", "default"] {
            switch rules[keyword] {
            case .string?: return "string"
            case .integer?: return "integer"
            case .number?: return "number"
            case .bool?: return "boolean"
            default: continue
            }
        }
        return nil
    }

    private static func describe(_ type: JSONValue) -> String {
        let names = typeNames(type)
        return names.isEmpty ? type.typeName : names.map { "\"\($0)\"" }.joined(separator: " or ")
    }

    private static func textRules(_ rules: JSONObject, ui: FormUIField?) -> FormTextRules {
        func length(_ value: JSONValue?) -> Int? {
            guard let number = value?.numberValue, number >= 0, number <= 1_000_000 else { return nil }
            return Int(exactly: number)
        }
        var result = FormTextRules(multiline: ui?.multiline == true)
        result.minLength = length(rules["minLength"])
        result.maxLength = length(rules["maxLength"])
        if let low = result.minLength, let high = result.maxLength, low > high {
            result.minLength = nil
            result.maxLength = nil
        }
        if let pattern = rules["pattern"]?.stringValue, !pattern.isEmpty, pattern.utf8.count <= 1000,
            (try? Regex(pattern)) != nil
        {
            result.pattern = pattern
        }
        return result
    }

    /// A finite bound (a whole one for integers, whose inputs step from it).
    private static func bound(_ value: JSONValue?, integer: Bool) -> Double? {
        guard let number = value?.numberValue, number.isFinite, !integer || number == number.rounded() else { return nil }
        return number
    }

    private static func weight(_ kind: FieldKind) -> Int {
        switch kind {
        case .object(let group): group.weight
        case .rows(let group): group.weight + 1
        case .alternatives(let alternatives): alternatives.map { weight($0.field.kind) }.max() ?? 1
        default: 1
        }
    }

    /// Whether a schema edited as JSON may describe a secret somewhere inside (a key, title,
    /// `format` or `writeOnly`); one too large to scan counts as secret.
    private static func schemaLooksSecret(_ schema: JSONValue) -> Bool {
        var stack = [schema]
        var visited = 0
        while let node = stack.popLast() {
            visited += 1
            guard visited <= FormLimits.scannedNodes else { return true }
            switch node {
            case .array(let items):
                stack.append(contentsOf: items)
            case .object(let members):
                for (key, value) in members {
                    if FormField.looksSecret(key) { return true }
                    switch (key, value) {
                    case ("title", .string(let title)) where FormField.looksSecret(title): return true
                    case ("format", .string("password")), ("writeOnly", .bool(true)): return true
                    default: stack.append(value)
                    }
                }
            default:
                break
            }
        }
        return false
    }

    /// The fields in uiSchema order (a JSON Forms layout, else `ui:order`), then the rest in
    /// schema order.
    private static func layout(_ fields: [FormField], ui: FormUIHints) -> [FormLayout] {
        var index: [String: Int] = [:]
        for (position, field) in fields.enumerated() where index[field.key] == nil { index[field.key] = position }
        var placed = Set<Int>()
        func place(_ items: [FormUILayout]) -> [FormLayout] {
            var result: [FormLayout] = []
            for item in items {
                switch item {
                case .key(let key):
                    if let position = index[key], placed.insert(position).inserted { result.append(.field(position)) }
                case .section(let label, let inner):
                    let content = place(inner)
                    if !content.isEmpty { result.append(.section(label, content)) }
                }
            }
            return result
        }
        var result: [FormLayout] = []
        if !ui.layout.isEmpty {
            result = place(ui.layout)
        } else if let order = ui.order {
            let named = Set(order)
            for key in order {
                result += place(key == "*" ? fields.map(\.key).filter { !named.contains($0) }.map(FormUILayout.key) : [.key(key)])
            }
        }
        return result + fields.indices.filter { !placed.contains($0) }.map(FormLayout.field)
    }
}

/// The uiSchema's hints for one object's fields: JSON Forms (`{"type": "VerticalLayout",
/// "elements": [{"type": "Control", "scope": "#/properties/x", "label": …, "options": {"format":
/// "password", "multi": true, "detail": …}}]}`, `Group`s becoming sections) or
/// react-jsonschema-form (`{"x": {"ui:widget": "password" | "textarea", "ui:help": …,
/// "ui:title": …}, "ui:order": […]}`). Anything else gives no hints.
struct FormUIHints: Sendable {
    var layout: [FormUILayout] = []
    var order: [String]?
    var fields: [String: FormUIField] = [:]

    init() {}

    init(uiSchema: JSONValue?) {
        guard let object = uiSchema?.objectValue else {
            self.init()
            return
        }
        var budget = FormLimits.uiElements
        if object["type"]?.stringValue != nil, object["elements"] != nil || object["scope"] != nil {
            self.init()
            layout = addJSONForms(.object(object), depth: 0, budget: &budget)
        } else {
            self.init(reactJSONSchemaForm: object, depth: 0, budget: &budget)
        }
    }

    private init(reactJSONSchemaForm object: JSONObject, depth: Int, budget: inout Int) {
        order = object["ui:order"]?.arrayValue?.compactMap(\.stringValue)
        guard depth < FormLimits.depth else { return }
        for (key, value) in object where !key.hasPrefix("ui:") {
            guard budget > 0, let hints = value.objectValue else { continue }
            budget -= 1
            var field = FormUIField()
            switch hints["ui:widget"]?.stringValue {
            case "password": field.password = true
            case "textarea": field.multiline = true
            default: break
            }
            field.label = hints["ui:title"]?.stringValue
            field.help = hints["ui:help"]?.stringValue
            field.nested = FormUIHints(reactJSONSchemaForm: hints, depth: depth + 1, budget: &budget)
            if let items = hints["items"]?.objectValue {
                field.items = FormUIHints(reactJSONSchemaForm: items, depth: depth + 1, budget: &budget)
            }
            fields[key] = field
        }
    }

    /// The layout entries of a JSON Forms element, recording its controls' hints.
    private mutating func addJSONForms(_ element: JSONValue, depth: Int, budget: inout Int) -> [FormUILayout] {
        guard depth <= FormLimits.depth, budget > 0, let object = element.objectValue else { return [] }
        budget -= 1
        let type = object["type"]?.stringValue
        if type == "Control" {
            guard let scope = object["scope"]?.stringValue, let path = Self.scopePath(scope), let first = path.first else { return [] }
            var hints = FormUIField()
            hints.label = object["label"]?.stringValue ?? object["label"]?["text"]?.stringValue
            let options = object["options"]?.objectValue
            hints.password = options?["format"]?.stringValue == "password"
            hints.multiline = options?["multi"]?.boolValue == true
            if let detail = options?["detail"], detail.objectValue != nil {
                var items = FormUIHints()
                items.layout = items.addJSONForms(detail, depth: depth + 1, budget: &budget)
                hints.items = items
            }
            record(hints, at: path[...])
            return [.key(first)]
        }
        var inner: [FormUILayout] = []
        for child in object["elements"]?.arrayValue ?? [] {
            inner += addJSONForms(child, depth: depth + 1, budget: &budget)
        }
        if type == "Group" || type == "Category", let label = object["label"]?.stringValue, !label.isEmpty {
            return [.section(label, inner)]
        }
        return inner
    }

    private mutating func record(_ hints: FormUIField, at path: ArraySlice<String>) {
        guard let key = path.first else { return }
        var field = fields[key] ?? FormUIField()
        if path.count == 1 {
            field.label = hints.label ?? field.label
            field.password = field.password || hints.password
            field.multiline = field.multiline || hints.multiline
            field.items = hints.items ?? field.items
        } else {
            var nested = field.nested ?? FormUIHints()
            nested.record(hints, at: path.dropFirst())
            field.nested = nested
        }
        fields[key] = field
    }

    /// `#/properties/a/properties/b` as `["a", "b"]` (JSON Pointer escapes decoded); nil for
    /// other scopes.
    private static func scopePath(_ scope: String) -> [String]? {
        let prefix = "#/properties/"
        guard scope.hasPrefix(prefix) else { return nil }
        let parts = scope.dropFirst(prefix.count).split(separator: "/properties/", omittingEmptySubsequences: false)
        guard parts.count <= FormLimits.depth, !parts.contains(where: { $0.isEmpty || $0.contains("/") }) else { return nil }
        return parts.map { String($0.replacing("~1", with: "/").replacing("~0", with: "~")) }
    }
}

/// A uiSchema layout entry.
enum FormUILayout: Sendable {
    case key(String)
    case section(String, [FormUILayout])
}

/// The uiSchema's hints for one field.
struct FormUIField: Sendable {
    var label: String?
    var help: String?
    var password = false
    var multiline = false
    /// Hints for a nested object's fields.
    var nested: FormUIHints?
    /// Hints for an array's item fields (JSON Forms `options.detail`, RJSF `items`).
    var items: FormUIHints?
}
