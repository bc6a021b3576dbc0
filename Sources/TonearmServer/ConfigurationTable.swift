import Foundation
import TOMLKit
import TonearmJSON

/// A value from the configuration file, detached from the TOML parser.
enum ConfigValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times, kept as written; no Tonearm setting takes one.
    case other(String)

    init(_ value: TOMLValue) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .int(value.int ?? 0)
        case .double: self = .double(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        case .array: self = .array(value.array.map { array in array.map { ConfigValue($0.tomlValue) } } ?? [])
        case .table: self = .table(value.table.map(ConfigValue.dictionary) ?? [:])
        default: self = .other(value.debugDescription)
        }
    }

    /// An integer or a floating-point number, as a `Double`.
    var number: Double? {
        switch self {
        case .int(let int): Double(int)
        case .double(let double): double
        default: nil
        }
    }

    /// As JSON, for plugin settings; dates and times become strings.
    var json: JSONValue {
        switch self {
        case .string(let string), .other(let string): .string(string)
        case .int(let int): .number(Double(int))
        case .double(let double): .number(double)
        case .bool(let bool): .bool(bool)
        case .array(let elements): .array(elements.map(\.json))
        case .table(let table): .object(JSONObject(table.mapValues(\.json)))
        }
    }

    static func dictionary(_ table: TOMLTable) -> [String: ConfigValue] {
        var result: [String: ConfigValue] = [:]
        for key in table.keys {
            if let value = table[key]?.tomlValue { result[key] = ConfigValue(value) }
        }
        return result
    }
}

/// A TOML table with case-insensitive key lookup (as Navidrome's configuration is) and errors
/// that name the offending setting. The only place that parses TOML: ``TonearmConfiguration``
/// reads `tonearm.toml` through it, for the daemon and the plugin runtime alike.
struct ConfigurationTable: Sendable {
    /// The file the table comes from, named in errors.
    let file: String
    /// The dotted path of this table inside the document ("" for the root).
    let path: String
    let values: [String: ConfigValue]

    init(file: String, path: String, values: [String: ConfigValue]) {
        self.file = file
        self.path = path
        self.values = values
    }

    /// An error about this file.
    func fail(_ message: String) -> ConfigurationError { ConfigurationError(file: file, message: message) }

    /// Parses TOML text; `source` names the file in errors.
    static func parse(_ text: String, source: String) throws(ConfigurationError) -> ConfigurationTable {
        do {
            let table = try TOMLTable(string: text)
            return ConfigurationTable(file: source, path: "", values: ConfigValue.dictionary(table))
        } catch let error as TOMLParseError {
            let at = error.source.begin
            throw ConfigurationError(file: source, message: "invalid TOML at line \(at.line), column \(at.column): \(error.description)")
        } catch {
            throw ConfigurationError(file: source, message: "invalid TOML: \(error)")
        }
    }

    /// The value for `key`, matched case-insensitively.
    func raw(_ key: String) -> ConfigValue? {
        if let exact = values[key] { return exact }
        let wanted = key.lowercased()
        return values.first { $0.key.lowercased() == wanted }?.value
    }

    func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let string) = value else { throw fail("\(qualified(key)) must be a string") }
        return string
    }

    func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = raw(key) else { return nil }
        guard case .bool(let bool) = value else { throw fail("\(qualified(key)) must be true or false") }
        return bool
    }

    func int(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = raw(key) else { return nil }
        guard case .int(let int) = value else { throw fail("\(qualified(key)) must be a whole number") }
        return int
    }

    /// A duration in seconds: a number (`5`, `0.5`) or a string with a unit (`"5s"`, `"250ms"`, `"2m"`).
    func seconds(_ key: String) throws(ConfigurationError) -> Double? {
        guard let value = raw(key) else { return nil }
        switch value {
        case .int(let int): return Double(int)
        case .double(let double) where double.isFinite: return double
        case .string(let text):
            if let seconds = Self.parseDuration(text) { return seconds }
            throw fail("\(qualified(key)) must be a duration such as 5, \"5s\", \"250ms\" or \"2m\"; got \"\(text)\"")
        default:
            throw fail("\(qualified(key)) must be a duration such as 5, \"5s\", \"250ms\" or \"2m\"")
        }
    }

    func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let elements) = value else {
            throw fail("\(qualified(key)) must be a list of strings")
        }
        var result: [String] = []
        for element in elements {
            guard case .string(let string) = element else {
                throw fail("\(qualified(key)) must be a list of strings")
            }
            result.append(string)
        }
        return result
    }

    func table(_ key: String) throws(ConfigurationError) -> ConfigurationTable? {
        guard let value = raw(key) else { return nil }
        guard case .table(let dictionary) = value else { throw fail("\(qualified(key)) must be a table") }
        return ConfigurationTable(file: file, path: qualified(key), values: dictionary)
    }

    func tables(_ key: String) throws(ConfigurationError) -> [ConfigurationTable]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let elements) = value else {
            throw fail("\(qualified(key)) must be an array of tables, written [[\(qualified(key))]]")
        }
        var result: [ConfigurationTable] = []
        for (index, element) in elements.enumerated() {
            guard case .table(let dictionary) = element else {
                throw fail("\(qualified(key))[\(index)] must be a table")
            }
            result.append(ConfigurationTable(file: file, path: "\(qualified(key))[\(index)]", values: dictionary))
        }
        return result
    }

    /// Fails naming every key of this table that is not in `known` (case-insensitive).
    func rejectUnknownKeys(_ known: [String]) throws(ConfigurationError) {
        let lowered = Set(known.map { $0.lowercased() })
        let unknown = values.keys.filter { !lowered.contains($0.lowercased()) }.sorted()
        guard !unknown.isEmpty else { return }
        let names = unknown.map { qualified($0) }.joined(separator: ", ")
        throw fail("unknown setting \(names); known here: \(known.joined(separator: ", "))")
    }

    /// Parses "5", "5s", "1.5s", "250ms", "2m", "1h" to seconds; nil for anything else,
    /// including negative, infinite and NaN numbers.
    static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            if let number = Double(trimmed.dropLast(suffix.count)), number.isFinite, number >= 0 { return number * factor }
        }
        if let number = Double(trimmed), number.isFinite, number >= 0 { return number }
        return nil
    }
}

