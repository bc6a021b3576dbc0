import TonearmJSON

extension SchemaForm {
    /// Reads a submitted form into settings, coercing each field's text to its schema type.
    ///
    /// - Parameters:
    ///   - form: name/value pairs in submission order, as decoded from
    ///     `application/x-www-form-urlencoded`; for a repeated name the last value counts.
    ///     Names the schema does not have are ignored.
    ///   - previous: the settings stored now (the `values` the form was rendered with). A secret
    ///     left empty keeps its value here (in a row, that of the stored row its `__index` names);
    ///     a field not submitted at all keeps its value here.
    /// - Returns: settings keyed as in the schema (an empty field, an unset select, an object or
    ///   array left without entries: no key, so the default applies), and coercion errors by
    ///   field path (`cachesize: must be a whole number`). Whether the settings satisfy the
    ///   schema is `ConfigSchema.validate`'s to say.
    package func read(
        form: [(name: String, value: String)], previous: [String: JSONValue]
    ) -> (settings: [String: JSONValue], errors: [String: String]) {
        var reader = FormReader(form)
        let settings = reader.group(root, prefix: "", previous: JSONObject(previous))
        return (settings.dictionary, reader.errors)
    }

    /// Maps `ConfigSchema` problems (`"users[0].token: required setting is missing"`) to
    /// messages by field path (`"users[0].token": "required setting is missing"`), joining
    /// those of one path with "; ". Problems about the whole settings (path `settings`) and
    /// text without a path go under `""`, the form-level key; ``html(values:errors:)`` shows
    /// those, and any path no field has, above the fields.
    package static func fieldErrors(fromProblems problems: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for problem in problems {
            var key = ""
            var message = problem
            if let separator = problem.firstRange(of: ": "), separator.lowerBound > problem.startIndex {
                let path = String(problem[..<separator.lowerBound])
                key = path == "settings" ? "" : path
                message = String(problem[separator.upperBound...])
            }
            result[key] = result[key].map { "\($0); \(message)" } ?? message
        }
        return result
    }
}

/// Reads a submitted form against the compiled fields.
struct FormReader {
    /// The last value submitted for each name.
    private var submitted: [String: String] = [:]
    private(set) var errors: [String: String] = [:]

    init(_ form: [(name: String, value: String)]) {
        for pair in form { submitted[pair.name] = pair.value }
    }

    mutating func group(_ group: FormGroup, prefix: String, previous: JSONObject?) -> JSONObject {
        let old = FormMembers(previous)
        var result = JSONObject()
        for field in group.fields {
            let name = prefix.isEmpty ? field.key : "\(prefix).\(field.key)"
            if let value = self.field(field, name: name, previous: old[field.key]) { result[field.key] = value }
        }
        for key in group.kept {
            if let value = old[key] { result[key] = value }
        }
        return result
    }

    private mutating func field(_ field: FormField, name: String, previous: JSONValue?) -> JSONValue? {
        switch field.kind {
        case .alternatives(let alternatives):
            var chosen = FormAlternative.choose(alternatives, for: previous)
            if let text = submitted["\(name).__form"], let index = Int(text), alternatives.indices.contains(index),
                alternatives[index].renderable
            {
                chosen = index
            }
            return self.field(alternatives[chosen].field, name: name, previous: previous)
        case .object(let group):
            let object = self.group(group, prefix: name, previous: previous?.objectValue)
            return object.isEmpty ? nil : .object(object)
        case .rows(let group):
            return rows(group, name: name, previous: previous)
        case .constant(let constant):
            return constant
        case .boolean:
            guard let text = submitted[name] else { return previous }
            guard let flag = Self.flag(text) else {
                errors[name] = "must be on or off"
                return nil
            }
            return .bool(flag)
        case .text, .number, .choice, .list, .json:
            guard let text = submitted[name] else { return previous }
            // Empty: unset, except that a secret (or a value the form could not show) is kept.
            guard !text.isEmpty else { return field.shown(previous) == .masked ? previous : nil }
            return entered(text.replacing("\r\n", with: "\n"), for: field, name: name)
        }
    }

    /// The value of a field's non-empty text.
    private mutating func entered(_ text: String, for field: FormField, name: String) -> JSONValue? {
        switch field.kind {
        case .number(let type, _, _):
            return scalar(text, as: type, name: name)
        case .choice(let options, let type):
            if let option = options.first(where: { FormField.text($0) == text }) { return option }
            return scalar(text, as: type, name: name)
        case .list(let type):
            var items: [JSONValue] = []
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            for (number, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
                guard let item = Self.scalar(String(line), as: type) else {
                    errors[name] = "line \(number + 1): \(Self.expectation(type))"
                    return nil
                }
                items.append(item)
            }
            return items.isEmpty ? nil : .array(items)
        case .json:
            do {
                return try JSONValue.parse(text)
            } catch {
                errors[name] = "is not valid JSON (\(error.description))"
                return nil
            }
        default:
            return .string(text)
        }
    }

    /// Rows in order, without those marked for removal and those left blank.
    private mutating func rows(_ group: FormGroup, name: String, previous: JSONValue?) -> JSONValue? {
        guard submitted["\(name)[0].__index"] != nil else { return previous }
        let stored = previous?.arrayValue ?? []
        var rows: [JSONValue] = []
        var index = 0
        while index <= FormLimits.rows, let origin = submitted["\(name)[\(index)].__index"] {
            let rowName = "\(name)[\(index)]"
            index += 1
            if let remove = submitted["\(rowName).__remove"], Self.flag(remove) == true { continue }
            let old = Int(origin).flatMap { stored.indices.contains($0) ? stored[$0].objectValue : nil }
            let row = self.group(group, prefix: rowName, previous: old)
            if !group.isBlank(row) { rows.append(.object(row)) }
        }
        return rows.isEmpty ? nil : .array(rows)
    }

    private mutating func scalar(_ text: String, as type: FormValueType, name: String) -> JSONValue? {
        guard let value = Self.scalar(text, as: type) else {
            errors[name] = Self.expectation(type)
            return nil
        }
        return value
    }

    static func scalar(_ text: String, as type: FormValueType) -> JSONValue? {
        switch type {
        case .string: .string(text)
        case .integer: integer(text).map(JSONValue.integer)
        case .number: number(text)
        case .boolean: flag(text).map(JSONValue.bool)
        }
    }

    static func expectation(_ type: FormValueType) -> String {
        switch type {
        case .string: "must be text"
        case .integer: "must be a whole number"
        case .number: "must be a number"
        case .boolean: "must be true or false"
        }
    }

    /// A whole number within `Int64`: plain (`42`, `-7`), or in decimal or exponent notation
    /// that is whole (`10.0`, `1e3`). The digits are shifted and range-checked exactly, never
    /// through `Double`, so `1e400`, `NaN`, `9.3e18` and `-9223372036854775809` are nil.
    static func integer(_ text: String) -> Int64? {
        var rest = trimmed(text)
        if let value = Int64(rest) { return value }
        func digits(_ text: Substring) -> Substring { text.prefix { $0.isASCII && $0.isNumber } }
        var sign = ""
        if rest.first == "-" || rest.first == "+" {
            if rest.first == "-" { sign = "-" }
            rest = rest.dropFirst()
        }
        let whole = digits(rest)
        rest = rest.dropFirst(whole.count)
        var fraction: Substring = ""
        if rest.first == "." {
            fraction = digits(rest.dropFirst())
            rest = rest.dropFirst(fraction.count + 1)
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = 0
        if rest.first == "e" || rest.first == "E" {
            rest = rest.dropFirst()
            var negative = false
            if rest.first == "-" || rest.first == "+" {
                negative = rest.first == "-"
                rest = rest.dropFirst()
            }
            let exponentDigits = digits(rest)
            guard !exponentDigits.isEmpty else { return nil }
            rest = rest.dropFirst(exponentDigits.count)
            // Past 7 digits the exponent only decides between zero, overflow and a fraction.
            let magnitude = exponentDigits.count > 7 ? 10_000_000 : Int(exponentDigits) ?? 0
            exponent = negative ? -magnitude : magnitude
        }
        guard rest.isEmpty else { return nil }
        var significant = Substring(whole + fraction).drop { $0 == "0" }
        guard !significant.isEmpty else { return 0 }
        let scale = exponent - fraction.count
        if scale < 0 {
            guard -scale < significant.count, significant.suffix(-scale).allSatisfy({ $0 == "0" }) else { return nil }
            significant = significant.dropLast(-scale)
        } else if scale > 0 {
            guard significant.count + scale <= 19 else { return nil }
            significant += String(repeating: "0", count: scale)
        }
        return Int64(sign + significant)
    }

    /// A finite number: an integer when written as one that fits `Int64`.
    static func number(_ text: String) -> JSONValue? {
        let text = trimmed(text)
        if let value = Int64(text) { return .integer(value) }
        return finite(text).map(JSONValue.number)
    }

    /// A finite decimal number (`1.5`, `-2e3`); not hexadecimal, `nan` or `inf`.
    private static func finite(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ "0123456789+-.eE".contains($0) }), let value = Double(text),
            value.isFinite
        else { return nil }
        return value
    }

    /// A checkbox's or a list's boolean.
    static func flag(_ text: String) -> Bool? {
        switch trimmed(text).lowercased() {
        case "true", "on", "1", "yes": true
        case "false", "off", "0", "no", "": false
        default: nil
        }
    }

    private static func trimmed(_ text: String) -> Substring {
        var text = Substring(text)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return text
    }
}
