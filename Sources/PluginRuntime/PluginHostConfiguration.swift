import Foundation
import TOMLKit
import TonearmJSON

/// The plugin parts of `tonearm.toml`:
///
/// ```toml
/// DataFolder = "./data"
///
/// [Plugins]
/// Folder = "./plugins"      # .ndp files; the plugin id is the file name
/// CallTimeout = 30          # seconds per plugin call
/// HeavyCallCPU = 0.5        # CPU seconds of one call that move its plugin to the background
/// MemoryLimit = 128         # MiB per plugin instance
/// AutoReload = true         # pick up added, replaced and removed files while running
/// EndpointRequestLimit = 60 # requests per client address to plugin endpoints (/ext/…); 0: no limit
/// EndpointRequestWindow = 60 # … in this many seconds
///
/// [Plugins.discord-rich-presence]
/// Users = ["alice"]         # or AllUsers = true
/// AllowAdmins = false
/// ExtraHosts = ["127.0.0.1"]
///
/// [PluginSettings.discord-rich-presence]
/// ClientID = "123456789012345678"
/// ```
///
/// Other top-level keys and tables belong to the daemon and are left alone.
public struct PluginHostConfiguration: Sendable {
    public var dataFolder: String = "./data"
    public var pluginsFolder: String = "./plugins"
    /// Per-call deadline, seconds.
    public var callTimeout: Double = 30
    /// CPU time of one call after which its plugin goes to the background, seconds (see
    /// ``PluginLimits/heavyCallCPU``).
    public var heavyCallCPU: Double = 0.5
    /// Per-instance memory cap (plugin linear memory and kernel memory, each), bytes.
    public var memoryLimit: Int = 128 * 1024 * 1024
    public var autoReload: Bool = true
    /// Requests one client address may make to plugin endpoints per ``endpointRequestWindow``;
    /// 0 turns the limit off (Navidrome's `Plugins.EndpointRequestLimit`).
    public var endpointRequestLimit: Int = 60
    /// The window of ``endpointRequestLimit``, seconds.
    public var endpointRequestWindow: Double = 60
    /// `[Plugins.<id>]` tables.
    public var plugins: [String: PluginOptions] = [:]
    /// `[PluginSettings.<id>]` tables, unvalidated (see ``ConfigSchema``).
    public var pluginSettings: [String: [String: JSONValue]] = [:]

    /// The defaults: `./data`, `./plugins`, 30 s, 0.5 s, 128 MiB, auto-reload on, 60 endpoint
    /// requests a minute per address.
    public init() {}

    /// Reads `file`; every error names the file and the key.
    public init(contentsOf file: String) throws(ConfigurationError) {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: file, message: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(toml: text, file: file)
    }

    /// Parses TOML text; `file` names the source in errors.
    public init(toml text: String, file: String = "tonearm.toml") throws(ConfigurationError) {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(file: file, message: "\(error.description) at \(error.source.begin)")
        } catch {
            throw ConfigurationError(file: file, message: "not valid TOML (\(error))")
        }
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(file: file, message: message) }

        // Setting names match case-insensitively, as in Navidrome's configuration; plugin ids
        // (file names) keep their case.
        func lookup(_ table: TOMLTable, _ name: String) -> (any TOMLValueConvertible)? {
            table.keys.first { $0.lowercased() == name.lowercased() }.flatMap { table[$0] }
        }
        if let value = lookup(root, "DataFolder") {
            guard let folder = value.string else { throw fail("DataFolder must be a string") }
            dataFolder = folder
        }
        // A positive number of seconds, at most a day.
        func seconds(_ item: any TOMLValueConvertible, _ name: String) throws(ConfigurationError) -> Double {
            guard let seconds = item.double ?? item.int.map(Double.init), seconds > 0, seconds <= 86_400 else {
                throw fail("Plugins.\(name) must be a positive number of seconds, at most 86400")
            }
            return seconds
        }
        if let value = lookup(root, "Plugins") {
            guard let table = value.table else { throw fail("[Plugins] must be a table") }
            for key in table.keys {
                let item = table[key]!
                switch key.lowercased() {
                case "folder":
                    guard let folder = item.string else { throw fail("Plugins.Folder must be a string") }
                    pluginsFolder = folder
                case "calltimeout":
                    callTimeout = try seconds(item, "CallTimeout")
                case "heavycallcpu":
                    heavyCallCPU = try seconds(item, "HeavyCallCPU")
                case "memorylimit":
                    guard let mebibytes = item.int, mebibytes > 0, mebibytes <= 4096 else {
                        throw fail("Plugins.MemoryLimit must be a whole number of MiB between 1 and 4096")
                    }
                    memoryLimit = mebibytes * 1024 * 1024
                case "endpointrequestlimit":
                    guard let count = item.int, count >= 0, count <= 1_000_000 else {
                        throw fail("Plugins.EndpointRequestLimit must be a whole number between 0 (no limit) and 1000000")
                    }
                    endpointRequestLimit = count
                case "endpointrequestwindow":
                    endpointRequestWindow = try seconds(item, "EndpointRequestWindow")
                case "autoreload":
                    guard let flag = item.bool else { throw fail("Plugins.AutoReload must be true or false") }
                    autoReload = flag
                default:
                    guard let options = item.table else {
                        throw fail("Plugins.\(key): unknown setting (plugin options go in a [Plugins.\(key)] table)")
                    }
                    plugins[key] = try PluginOptions(options, id: key, file: file)
                }
            }
        }
        if let value = lookup(root, "PluginSettings") {
            guard let table = value.table else { throw fail("[PluginSettings] must be a table") }
            for id in table.keys {
                guard let settings = table[id]!.table else {
                    throw fail("PluginSettings.\(id) must be a table ([PluginSettings.\(id)])")
                }
                guard case .object(let object) = Self.json(settings) else { continue }
                pluginSettings[id] = object.dictionary
            }
        }
    }

    /// The options for plugin `id` (defaults when it has no `[Plugins.<id>]` table).
    public func options(for id: String) -> PluginOptions { plugins[id] ?? PluginOptions() }

    /// A TOML value as JSON; dates and times become strings.
    static func json(_ value: any TOMLValueConvertible) -> JSONValue {
        switch value.type {
        case .table:
            var object: [String: JSONValue] = [:]
            if let table = value.table { for key in table.keys { object[key] = json(table[key]!) } }
            return .object(JSONObject(object))
        case .array: return .array(value.array.map { $0.map { json($0) } } ?? [])
        case .string: return .string(value.string ?? "")
        case .int: return .number(Double(value.int ?? 0))
        case .double: return .number(value.double ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .date, .time, .dateTime: return .string(value.debugDescription)
        }
    }
}

/// What the operator configured for one plugin in `[Plugins.<id>]`.
public struct PluginOptions: Sendable, Equatable {
    /// Usernames assigned to the plugin (case-insensitive).
    public var users: [String] = []
    /// Every user, present and future.
    public var allUsers = false
    /// Whether admin users are included.
    public var allowAdmins = false
    /// Hosts granted beyond the manifest's `requiredHosts` (same pattern syntax).
    public var extraHosts: [String] = []

    public init(users: [String] = [], allUsers: Bool = false, allowAdmins: Bool = false, extraHosts: [String] = []) {
        self.users = users
        self.allUsers = allUsers
        self.allowAdmins = allowAdmins
        self.extraHosts = extraHosts
    }

    init(_ table: TOMLTable, id: String, file: String) throws(ConfigurationError) {
        func fail(_ message: String) -> ConfigurationError { ConfigurationError(file: file, message: message) }
        func strings(_ key: String) throws(ConfigurationError) -> [String] {
            guard let array = table[key]!.array else { throw fail("Plugins.\(id).\(key) must be a list of strings") }
            var result: [String] = []
            for item in array {
                guard let text = item.string else { throw fail("Plugins.\(id).\(key) must be a list of strings") }
                result.append(text)
            }
            return result
        }
        for key in table.keys {
            switch key.lowercased() {
            case "users": users = try strings(key)
            case "extrahosts": extraHosts = try strings(key)
            case "allusers":
                guard let flag = table[key]!.bool else { throw fail("Plugins.\(id).AllUsers must be true or false") }
                allUsers = flag
            case "allowadmins":
                guard let flag = table[key]!.bool else { throw fail("Plugins.\(id).AllowAdmins must be true or false") }
                allowAdmins = flag
            default:
                throw fail("Plugins.\(id).\(key): unknown setting (known: Users, AllUsers, AllowAdmins, ExtraHosts)")
            }
        }
    }
}

/// A configuration file Tonearm cannot use.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let message: String

    public var description: String { "\(file): \(message)" }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}
