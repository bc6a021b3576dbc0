import Foundation
import PluginRuntime
import TonearmJSON

/// `<DataFolder>/console-settings.json`: plugin settings and options changed in the web console.
/// They take precedence over `tonearm.toml` (read by ``TonearmConfiguration/load(file:)``, the
/// one place configuration is read):
///
/// ```json
/// {"plugins": {"discord-rich-presence": {
///    "settings": {"activityname": "Track", "servername": null},
///    "options": {"users": ["alice"], "allUsers": false, "allowAdmins": false, "extraHosts": ["127.0.0.1"]}}}}
/// ```
///
/// A setting set to `null` removes one `tonearm.toml` gives; options replace `[Plugins.<id>]`.
public struct ConsoleOverrides: Sendable, Equatable {
    public struct Plugin: Sendable, Equatable {
        public var settings: [String: JSONValue] = [:]
        public var options: PluginOptions?
        public init(settings: [String: JSONValue] = [:], options: PluginOptions? = nil) {
            self.settings = settings
            self.options = options
        }
    }

    public static let fileName = "console-settings.json"
    /// The largest file read (settings of every plugin, with a Discord users list of thousands).
    static let maxBytes = 16 << 20

    public var plugins: [String: Plugin] = [:]

    public init() {}

    static func file(dataFolder: String) -> URL {
        URL(fileURLWithPath: dataFolder).appendingPathComponent(fileName)
    }

    /// Reads the file in `dataFolder`; no file is no overrides. The error names the file and
    /// what is wrong with it.
    public init(dataFolder: String) throws(ConfigurationError) {
        let url = Self.file(dataFolder: dataFolder)
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(file: url.path, message: message) }
        guard data.count <= Self.maxBytes else { throw fail("larger than \(Self.maxBytes >> 20) MiB") }
        let root: JSONValue
        do {
            root = try JSONValue.parse(Array(data))
        } catch {
            throw fail("\(error)")
        }
        guard let plugins = root.objectValue?["plugins"]?.objectValue else { throw fail("must be {\"plugins\": {…}}") }
        for (id, value) in plugins {
            guard let entry = value.objectValue else { throw fail("plugins.\(id) must be an object") }
            var plugin = Plugin()
            if let settings = entry["settings"] {
                guard let members = settings.objectValue else { throw fail("plugins.\(id).settings must be an object") }
                plugin.settings = members.dictionary
            }
            if let options = entry["options"] {
                guard let members = options.objectValue else { throw fail("plugins.\(id).options must be an object") }
                func strings(_ key: String) throws(ConfigurationError) -> [String] {
                    guard let value = members[key] else { return [] }
                    guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                        throw fail("plugins.\(id).options.\(key) must be a list of strings")
                    }
                    return items.compactMap(\.stringValue)
                }
                func flag(_ key: String) throws(ConfigurationError) -> Bool {
                    guard let value = members[key] else { return false }
                    guard let flag = value.boolValue else { throw fail("plugins.\(id).options.\(key) must be true or false") }
                    return flag
                }
                plugin.options = PluginOptions(
                    users: try strings("users"), allUsers: try flag("allUsers"), allowAdmins: try flag("allowAdmins"),
                    extraHosts: try strings("extraHosts"))
            }
            self.plugins[id] = plugin
        }
    }

    /// Applies the overrides to `configuration`.
    public func apply(to configuration: inout PluginHostConfiguration) {
        for (id, plugin) in plugins {
            var settings = configuration.pluginSettings[id] ?? [:]
            for (key, value) in plugin.settings {
                // Keys match case-insensitively, as in tonearm.toml.
                for existing in settings.keys where existing.lowercased() == key.lowercased() { settings[existing] = nil }
                if value != .null { settings[key] = value }
            }
            configuration.pluginSettings[id] = settings
            if let options = plugin.options { configuration.plugins[id] = options }
        }
    }

    /// The file's content.
    func json() -> [UInt8] {
        var plugins = JSONObject()
        for id in self.plugins.keys.sorted() {
            let plugin = self.plugins[id]!
            var entry = JSONObject()
            entry["settings"] = .object(JSONObject(plugin.settings))
            if let options = plugin.options {
                entry["options"] = .object([
                    "users": .array(options.users.map { .string($0) }), "allUsers": .bool(options.allUsers),
                    "allowAdmins": .bool(options.allowAdmins), "extraHosts": .array(options.extraHosts.map { .string($0) }),
                ])
            }
            plugins[id] = .object(entry)
        }
        return JSONValue.object(["plugins": .object(plugins)]).sortingKeys().goJSONBytes()
    }

    /// Writes the file (owner-only, replaced atomically).
    func write(dataFolder: String) throws(DurableFile.Failure) {
        try DurableFile.replace(Self.file(dataFolder: dataFolder), contents: json())
    }
}
