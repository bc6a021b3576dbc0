import Foundation
import TonearmJSON

/// A plugin's `manifest.json`, checked as Navidrome checks it at load time: `name`, `author`
/// and `version` present and non-empty, field types as declared, `config` carrying a usable
/// `schema`, and the cross-field permission rules. Unknown keys (such as `$schema`) are
/// ignored, as in Navidrome; ``schemaWarnings`` lists what the stricter published schema
/// (`plugins/manifest-schema.json`) would reject.
public struct PluginManifest: Sendable {
    public let name: String
    public let author: String
    public let version: String
    public let description: String?
    public let website: String?
    public let permissions: PluginPermissions
    /// `config.schema`, when the manifest has a `config` section.
    public let configSchema: ConfigSchema?
    /// `config.uiSchema`: how a settings form lays the schema out (JSON Forms), when given.
    public let configUISchema: JSONValue?
    /// What Navidrome's published manifest schema would reject (Navidrome itself loads these).
    public let schemaWarnings: [String]

    /// Every permission key Navidrome knows, with the keys each permission object may hold.
    static let permissionKeys: [String: Set<String>] = [
        "http": ["reason", "requiredHosts"], "subsonicapi": ["reason"], "scheduler": ["reason"],
        "websocket": ["reason", "requiredHosts"], "artwork": ["reason"], "cache": ["reason"],
        "library": ["reason", "filesystem"], "kvstore": ["reason", "maxSize"], "users": ["reason"],
        "taskqueue": ["reason", "maxConcurrency"], "matcher": ["reason"], "storage": ["reason"],
        "scrobbleRetriever": ["reason"], "endpoints": ["reason", "auth", "paths"],
    ]

    /// Parses and checks manifest JSON; `file` names the source in every message.
    public init(json bytes: [UInt8], file: String) throws(ManifestError) {
        var problems: [String] = []
        var warnings: [String] = []
        let root: JSONObject
        do {
            guard let object = try JSONValue.parse(bytes).objectValue else {
                throw ManifestError(file: file, problems: ["the manifest must be a JSON object"])
            }
            root = object
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(file: file, problems: ["not valid JSON (\(error))"])
        }

        func requiredString(_ key: String) -> String {
            switch root[key] {
            case .string(let value) where !value.isEmpty: return value
            case .string: problems.append("field \"\(key)\" must not be empty")
            case nil, .null: problems.append("required field \"\(key)\" is missing")
            case let other?: problems.append("field \"\(key)\" must be a string, not \(other.typeName)")
            }
            return ""
        }
        func optionalString(_ key: String) -> String? {
            switch root[key] {
            case .string(let value): return value
            case nil, .null: return nil
            case let other?:
                problems.append("field \"\(key)\" must be a string, not \(other.typeName)")
                return nil
            }
        }
        name = requiredString("name")
        author = requiredString("author")
        version = requiredString("version")
        description = optionalString("description")
        website = optionalString("website")
        if let website, URL(string: website)?.scheme == nil {
            warnings.append("field \"website\": \"\(website)\" is not an absolute URI")
        }
        for key in root.keys.sorted()
        where !["name", "author", "version", "description", "website", "permissions", "config"].contains(key) {
            warnings.append("unknown top-level field \"\(key)\"")
        }

        permissions = Self.parsePermissions(root["permissions"], problems: &problems, warnings: &warnings)

        var schema: ConfigSchema?
        var uiSchema: JSONValue?
        switch root["config"] {
        case nil, .null: break
        case .object(let config):
            switch config["schema"] {
            case .object(let object):
                let parsed = ConfigSchema(.object(object))
                problems += parsed.problems().map { "invalid config schema: \($0)" }
                schema = parsed
            case nil, .null: problems.append("field \"config\" must contain \"schema\"")
            case let other?: problems.append("field \"config.schema\" must be an object, not \(other.typeName)")
            }
            if let ui = config["uiSchema"], ui.objectValue == nil, ui != .null {
                problems.append("field \"config.uiSchema\" must be an object, not \(ui.typeName)")
            }
            uiSchema = config["uiSchema"]?.objectValue.map { .object($0) }
            for key in config.keys.sorted() where !["schema", "uiSchema"].contains(key) {
                warnings.append("unknown field \"config.\(key)\"")
            }
        case let other?: problems.append("field \"config\" must be an object, not \(other.typeName)")
        }
        configSchema = schema
        configUISchema = uiSchema

        let declared = permissions.declared
        if !declared.contains("users") {
            if declared.contains("subsonicapi") {
                problems.append("'subsonicapi' permission requires 'users' permission to be declared")
            }
            if declared.contains("scrobbleRetriever") {
                problems.append("'scrobbleRetriever' permission requires 'users' permission to be declared")
            }
        }
        if let auth = permissions.endpointsAuth, auth != .none, !declared.contains("users") {
            problems.append("'endpoints' permission with auth '\(auth.rawValue)' requires 'users' permission to be declared")
        }
        if declared.contains("matcher") && !declared.contains("library") {
            problems.append("'matcher' permission requires 'library' permission to be declared")
        }
        guard problems.isEmpty else { throw ManifestError(file: file, problems: problems) }
        schemaWarnings = warnings
    }

    private static func parsePermissions(
        _ value: JSONValue?, problems: inout [String], warnings: inout [String]
    ) -> PluginPermissions {
        var result = PluginPermissions()
        guard let value, value != .null else { return result }
        guard let members = value.objectValue else {
            problems.append("field \"permissions\" must be an object, not \(value.typeName)")
            return result
        }
        for key in members.keys.sorted() {
            let field = "permissions.\(key)"
            guard let allowed = permissionKeys[key] else {
                warnings.append("unknown permission \"\(key)\" (ignored)")
                continue
            }
            guard let permission = members[key], permission != .null else { continue }
            guard let body = permission.objectValue else {
                problems.append("field \"\(field)\" must be an object, not \(permission.typeName)")
                continue
            }
            result.declared.insert(key)
            for inner in body.keys.sorted() where !allowed.contains(inner) {
                warnings.append("unknown field \"\(field).\(inner)\"")
            }
            if let reason = body["reason"], reason != .null, reason.stringValue == nil {
                problems.append("field \"\(field).reason\" must be a string, not \(reason.typeName)")
            }
            if let reason = body["reason"]?.stringValue { result.reasons[key] = reason }
            switch key {
            case "http", "websocket":
                var hosts: [String] = []
                switch body["requiredHosts"] {
                case nil, .null: break
                case .array(let items):
                    for (index, item) in items.enumerated() {
                        if let host = item.stringValue { hosts.append(host) } else {
                            problems.append("field \"\(field).requiredHosts[\(index)]\" must be a string, not \(item.typeName)")
                        }
                    }
                case let other?:
                    problems.append("field \"\(field).requiredHosts\" must be a list of strings, not \(other.typeName)")
                }
                if key == "http" { result.httpRequiredHosts = hosts } else { result.webSocketRequiredHosts = hosts }
            case "kvstore":
                switch body["maxSize"] {
                case nil, .null: break
                case .string(let size): result.kvStoreMaxSize = size
                case let other?: problems.append("field \"\(field).maxSize\" must be a string, not \(other.typeName)")
                }
            case "library":
                if let flag = body["filesystem"], flag != .null, flag.typeName != "boolean" {
                    problems.append("field \"\(field).filesystem\" must be a boolean, not \(flag.typeName)")
                }
            case "taskqueue":
                switch body["maxConcurrency"] {
                case nil, .null: break
                case .integer(let count):
                    if count < 1 { problems.append("field \"\(field).maxConcurrency\" must be ≥ 1") }
                    result.taskQueueMaxConcurrency = Int32(clamping: count)
                case .number(let count) where count == count.rounded():
                    if count < 1 { problems.append("field \"\(field).maxConcurrency\" must be ≥ 1") }
                    result.taskQueueMaxConcurrency = count >= Double(Int32.max) ? Int32.max : Int32(max(count, 0))
                case let other?:
                    problems.append("field \"\(field).maxConcurrency\" must be an integer, not \(other.goJSON)")
                }
            case "endpoints":
                switch body["auth"] {
                case .string(let text):
                    if let auth = EndpointsAuth(rawValue: text) {
                        result.endpointsAuth = auth
                    } else {
                        problems.append("field \"\(field).auth\" must be \"native\", \"subsonic\" or \"none\", not \(JSONValue.string(text).goJSON)")
                    }
                case nil, .null: problems.append("field \"\(field).auth\" is required (\"native\", \"subsonic\" or \"none\")")
                case let other?: problems.append("field \"\(field).auth\" must be a string, not \(other.typeName)")
                }
                switch body["paths"] {
                case nil, .null: break
                case .array(let items):
                    for (index, item) in items.enumerated() {
                        if let path = item.stringValue { result.endpointPaths.append(path) } else {
                            problems.append("field \"\(field).paths[\(index)]\" must be a string, not \(item.typeName)")
                        }
                    }
                case let other?: problems.append("field \"\(field).paths\" must be a list of strings, not \(other.typeName)")
                }
            default: break
            }
        }
        return result
    }

}

/// A manifest that Navidrome would refuse, with every problem found.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    /// The file the manifest came from (the `.ndp` path).
    public let file: String
    public let problems: [String]

    public var description: String {
        "\(file): manifest.json: " + problems.joined(separator: "; ")
    }
}
