import TonearmJSON

extension SchemaForm {
    /// The form's fields as HTML, without the `<form>` element, its submit button and CSRF field
    /// (the caller adds them).
    ///
    /// - Parameters:
    ///   - values: the current settings; a field without a value shows its schema default.
    ///     Rows' `__index` fields are positions in `values`, so pass the same settings as
    ///     `previous` when reading the submitted form.
    ///   - errors: messages by field path (from ``fieldErrors(fromProblems:)`` or ``read(form:previous:)``),
    ///     each shown next to its field; those of no shown field (and the form-level `""`) are
    ///     listed above the fields.
    ///
    /// Secrets are never written: their inputs are empty, with a placeholder when one is stored.
    package func html(values: [String: JSONValue], errors: [String: String]) -> String {
        var renderer = FormRenderer(errors: errors)
        renderer.group(root, prefix: "", values: JSONObject(values), inRow: false)
        return renderer.document()
    }
}

/// Writes a form's HTML.
struct FormRenderer {
    let errors: [String: String]
    /// The error keys in order, to find those inside a field by prefix.
    private let errorKeys: [String]
    /// Error keys shown next to a field.
    private var shownErrors: Set<String> = []
    /// Row inputs still allowed (``FormLimits/rowInputs``).
    private var rowBudget = FormLimits.rowInputs
    private var out = ""

    static let storedPlaceholder = "stored — leave empty to keep"

    init(errors: [String: String]) {
        self.errors = errors
        errorKeys = errors.keys.sorted()
    }

    /// The fields written so far, after a list of the errors not shown beside a field.
    func document() -> String {
        var html = "<div class=\"schema-form\">\n"
        let rest = errors.filter { !shownErrors.contains($0.key) }.sorted { $0.key < $1.key }
        if !rest.isEmpty {
            html += "<ul class=\"form-errors\" role=\"alert\">\n"
            for (path, message) in rest {
                html += "<li>\(HTMLText.escape(path.isEmpty ? message : "\(path): \(message)"))</li>\n"
            }
            html += "</ul>\n"
        }
        return html + out + "</div>\n"
    }

    mutating func group(_ group: FormGroup, prefix: String, values: JSONObject?, inRow: Bool) {
        layout(group.layout, of: group, prefix: prefix, members: FormMembers(values), inRow: inRow)
        if !group.kept.isEmpty {
            out += "<p class=\"notice\">\(group.kept.count) more settings are not shown here; they keep their stored values.</p>\n"
        }
    }

    private mutating func layout(_ items: [FormLayout], of group: FormGroup, prefix: String, members: FormMembers, inRow: Bool) {
        for item in items {
            switch item {
            case .field(let index):
                let field = group.fields[index]
                let name = prefix.isEmpty ? field.key : "\(prefix).\(field.key)"
                self.field(field, name: name, stored: members[field.key], inRow: inRow, note: "")
            case .section(let label, let inner):
                out += "<fieldset class=\"section\"><legend>\(HTMLText.escape(label))</legend>\n"
                layout(inner, of: group, prefix: prefix, members: members, inRow: inRow)
                out += "</fieldset>\n"
            }
        }
    }

    /// `note`: more help (the other forms an alternative accepts).
    private mutating func field(_ field: FormField, name: String, stored: JSONValue?, inRow: Bool, note: String) {
        switch field.kind {
        case .alternatives(let alternatives):
            let chosen = FormAlternative.choose(alternatives, for: stored ?? field.defaultValue)
            if alternatives.filter(\.renderable).count > 1 { out += Self.hidden(name: "\(name).__form", value: String(chosen)) }
            let others = alternatives.indices.filter { $0 != chosen }.map { alternatives[$0].name }
            let note = others.isEmpty ? "" : "Also accepted: \(others.joined(separator: "; "))."
            self.field(alternatives[chosen].field, name: name, stored: stored, inRow: inRow, note: note)
        case .object(let group):
            let id = Self.id(name)
            out += "<fieldset class=\"object\" id=\"\(id)\">\n<legend>\(Self.labelText(field))</legend>\n"
            helpAndError(field, id: id, name: name, note: note)
            self.group(group, prefix: name, values: (stored ?? field.defaultValue)?.objectValue, inRow: inRow)
            out += "</fieldset>\n"
        case .rows(let group):
            rows(field, group, name: name, stored: stored, note: note)
        case .boolean:
            checkbox(field, name: name, stored: stored, note: note)
        default:
            control(field, name: name, stored: stored, inRow: inRow, note: note)
        }
    }

    private mutating func rows(_ field: FormField, _ group: FormGroup, name: String, stored: JSONValue?, note: String) {
        let id = Self.id(name)
        out += "<fieldset class=\"rows\" id=\"\(id)\">\n<legend>\(Self.labelText(field))</legend>\n"
        helpAndError(field, id: id, name: name, note: note)
        let items = (stored ?? field.defaultValue)?.arrayValue ?? []
        let cost = (items.count + 1) * max(group.weight, 1)
        if items.count > FormLimits.rows || cost > rowBudget {
            out += "<p class=\"notice\">\(items.count) entries are stored, too many to edit here; they are kept unchanged.</p>\n"
        } else {
            rowBudget -= cost
            // Rows from the default have no stored row to keep secrets from.
            let fromStore = stored?.arrayValue != nil
            for (index, item) in items.enumerated() {
                row(
                    group, name: "\(name)[\(index)]", origin: fromStore ? String(index) : "", values: item.objectValue,
                    legend: "\(field.label) \(index + 1)", isNew: false)
            }
            row(group, name: "\(name)[\(items.count)]", origin: "", values: nil, legend: "New entry", isNew: true)
        }
        out += "</fieldset>\n"
    }

    /// A row; a new (blank) one has no remove checkbox, as it is dropped when left blank.
    private mutating func row(_ group: FormGroup, name: String, origin: String, values: JSONObject?, legend: String, isNew: Bool) {
        let id = Self.id(name)
        out += "<fieldset class=\"row\(isNew ? " new" : "")\" id=\"\(id)\">\n<legend>\(HTMLText.escape(legend))</legend>\n"
        if let message = takeError(name) { out += "<p class=\"error\" role=\"alert\">\(HTMLText.escape(message))</p>\n" }
        out += Self.hidden(name: "\(name).__index", value: origin)
        self.group(group, prefix: name, values: values, inRow: true)
        if !isNew {
            out += "<div class=\"field remove\"><input type=\"checkbox\" id=\"\(id)-remove\""
            out += "\(Self.attribute("name", "\(name).__remove")) value=\"true\">"
            out += "<label for=\"\(id)-remove\">Remove this entry</label></div>\n"
        }
        out += "</fieldset>\n"
    }

    /// A hidden `false` then a checkbox `true`: the last value submitted counts.
    private mutating func checkbox(_ field: FormField, name: String, stored: JSONValue?, note: String) {
        let id = Self.id(name)
        let checked = (stored ?? field.defaultValue)?.boolValue == true
        let error = takeError(name)
        out += "<div class=\"field checkbox\(error == nil ? "" : " invalid")\">\n"
        out += Self.hidden(name: name, value: "false")
        out += "<input type=\"checkbox\" id=\"\(id)\" name=\"\(HTMLText.escape(name))\" value=\"true\"\(checked ? " checked" : "")"
        out += describedBy(field, id: id, note: note, error: error) + ">\n"
        out += "<label for=\"\(id)\">\(Self.labelText(field))</label>\n"
        help(field, id: id, note: note, error: error)
        out += "</div>\n"
    }

    /// The input, select or textarea of a field holding one value (or one list or JSON text).
    private mutating func control(_ field: FormField, name: String, stored: JSONValue?, inRow: Bool, note: String) {
        let id = Self.id(name)
        let shown = field.shown(stored)
        let error = takeErrors(field, name: name)
        out += "<div class=\"field\(error == nil ? "" : " invalid")\">\n"
        out += "<label for=\"\(id)\">\(Self.labelText(field))</label>\n"
        var attributes = " id=\"\(id)\" name=\"\(HTMLText.escape(name))\"" + describedBy(field, id: id, note: note, error: error)
        let hasStored = shown == .masked
        if field.required, !inRow, !hasStored { attributes += " required" }
        let isText: Bool
        switch field.kind {
        case .list, .json: isText = false
        default: isText = true
        }
        if field.secret || hasStored {
            // Never the stored value: empty, with a placeholder when one is stored.
            attributes += " autocomplete=\"off\"" + (hasStored ? Self.attribute("placeholder", Self.storedPlaceholder) : "")
            if isText {
                out += "<input type=\"password\"\(attributes) value=\"\">\n"
            } else {
                out += "<textarea\(attributes) rows=\"3\"></textarea>\n"
            }
        } else if case .text(let text) = shown {
            switch field.kind {
            case .text(let rules):
                if rules.multiline || text.contains(where: \.isNewline) {
                    out += Self.textarea(attributes, text)
                } else {
                    if let length = rules.minLength { attributes += Self.attribute("minlength", String(length)) }
                    if let length = rules.maxLength { attributes += Self.attribute("maxlength", String(length)) }
                    // HTML patterns must match the whole value; JSON Schema's match anywhere.
                    if let pattern = rules.pattern { attributes += Self.attribute("pattern", ".*(?:\(pattern)).*") }
                    out += "<input type=\"text\"\(attributes)\(Self.attribute("value", text))>\n"
                }
            case .number(let type, let minimum, let maximum):
                if text.isEmpty || FormReader.number(text) != nil {
                    attributes += Self.attribute("step", type == .integer ? "1" : "any")
                    if let minimum { attributes += Self.attribute("min", GoJSONWriter.number(minimum)) }
                    if let maximum { attributes += Self.attribute("max", GoJSONWriter.number(maximum)) }
                    out += "<input type=\"number\"\(attributes)\(Self.attribute("value", text))>\n"
                } else {
                    out += "<input type=\"text\"\(attributes)\(Self.attribute("value", text))>\n"
                }
            case .choice(let options, _):
                select(field, options: options, attributes: attributes, text: text, inRow: inRow)
            case .constant(let constant):
                let text = FormField.text(constant) ?? ""
                out += "<input type=\"text\"\(attributes)\(Self.attribute("value", text)) readonly>\n"
            case .json:
                out += Self.textarea(attributes + " class=\"json\" spellcheck=\"false\"", text)
            default:
                out += Self.textarea(attributes, text)
            }
        }
        help(field, id: id, note: note, error: error)
        out += "</div>\n"
    }

    /// The options, the one whose text is `text` selected; an empty "(not set)" option when the
    /// setting may be left unset (always in rows, whose blank row must stay blank).
    private mutating func select(_ field: FormField, options: [JSONValue], attributes: String, text: String, inRow: Bool) {
        out += "<select\(attributes)>\n"
        let texts = options.map { FormField.text($0) ?? "" }
        if field.defaultValue == nil, !field.required || inRow, !texts.contains("") {
            out += "<option value=\"\"\(text.isEmpty ? " selected" : "")>(not set)</option>\n"
        }
        var matched = false
        for optionText in texts {
            let selected = !matched && optionText == text
            matched = matched || selected
            let label = HTMLText.escape(optionText.isEmpty ? "(empty)" : optionText)
            out += "<option\(Self.attribute("value", optionText))\(selected ? " selected" : "")>\(label)</option>\n"
        }
        if !text.isEmpty, !matched {
            // Kept selectable so that saving does not silently change it; the server reports it.
            out += "<option\(Self.attribute("value", text)) selected>\(HTMLText.escape(text)) (not an allowed value)</option>\n"
        }
        out += "</select>\n"
    }

    private mutating func helpAndError(_ field: FormField, id: String, name: String, note: String) {
        help(field, id: id, note: note, error: takeError(name))
    }

    private mutating func help(_ field: FormField, id: String, note: String, error: String?) {
        let text = Self.helpText(field, note: note)
        if !text.isEmpty { out += "<p class=\"help\" id=\"\(id)-help\">\(HTMLText.escape(text))</p>\n" }
        if let error { out += "<p class=\"error\" id=\"\(id)-error\" role=\"alert\">\(HTMLText.escape(error))</p>\n" }
    }

    private func describedBy(_ field: FormField, id: String, note: String, error: String?) -> String {
        var ids: [String] = []
        if !Self.helpText(field, note: note).isEmpty { ids.append("\(id)-help") }
        if error != nil { ids.append("\(id)-error") }
        guard !ids.isEmpty else { return "" }
        return Self.attribute("aria-describedby", ids.joined(separator: " ")) + (error == nil ? "" : " aria-invalid=\"true\"")
    }

    private static func helpText(_ field: FormField, note: String) -> String {
        var parts = [field.help]
        switch field.kind {
        case .list: parts.append("One entry per line.")
        case .json: parts.append("Entered as JSON.")
        default: break
        }
        parts.append(note)
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    private mutating func takeError(_ key: String) -> String? {
        guard let message = errors[key] else { return nil }
        shownErrors.insert(key)
        return message
    }

    /// The field's error, and for lists and JSON also those of the items inside (`tags[2]`).
    private mutating func takeErrors(_ field: FormField, name: String) -> String? {
        var messages = takeError(name).map { [$0] } ?? []
        switch field.kind {
        case .list, .json:
            for key in errorKeys(startingWith: "\(name)[") + errorKeys(startingWith: "\(name).") {
                shownErrors.insert(key)
                messages.append("\(key.dropFirst(name.count)): \(errors[key] ?? "")")
            }
        default:
            break
        }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }

    /// The error keys that start with `prefix` (a binary search, then the run of matches).
    private func errorKeys(startingWith prefix: String) -> ArraySlice<String> {
        var low = 0
        var high = errorKeys.count
        while low < high {
            let middle = (low + high) / 2
            if errorKeys[middle] < prefix { low = middle + 1 } else { high = middle }
        }
        var end = low
        while end < errorKeys.count, errorKeys[end].hasPrefix(prefix) { end += 1 }
        return errorKeys[low..<end]
    }

    private static func labelText(_ field: FormField) -> String {
        HTMLText.escape(field.label) + (field.required ? " <abbr class=\"required\" title=\"required\">*</abbr>" : "")
    }

    private static func textarea(_ attributes: String, _ text: String) -> String {
        let lines = text.reduce(1) { $1.isNewline ? $0 + 1 : $0 }
        // The newline after the start tag is dropped by HTML parsers, so text starting with a
        // newline keeps it.
        return "<textarea\(attributes) rows=\"\(min(max(lines + 1, 3), 20))\">\n\(HTMLText.escape(text))</textarea>\n"
    }

    private static func hidden(name: String, value: String) -> String {
        "<input type=\"hidden\"\(attribute("name", name))\(attribute("value", value))>\n"
    }

    private static func attribute(_ name: String, _ value: String) -> String {
        " \(name)=\"\(HTMLText.escape(value))\""
    }

    /// An element id for a field path: `cfg-` then the path's ASCII letters and digits, every
    /// other byte as `_` and two hex digits (so distinct paths give distinct ids, free of `-`,
    /// which the suffixes `-help`, `-error`, `-remove` use).
    static func id(_ path: String) -> String {
        let hex = Array("0123456789abcdef".unicodeScalars)
        var id = "cfg-"
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                id.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                id.unicodeScalars.append("_")
                id.unicodeScalars.append(hex[Int(byte >> 4)])
                id.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return id
    }
}
