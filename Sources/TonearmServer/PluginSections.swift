import PluginRuntime
import TonearmJSON

/// The plugin parts of `tonearm.toml`, read into the plugin runtime's configuration:
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
/// MaxWebSocketConnections = 2000 # open WebSocket connections per plugin (one per Discord user)
/// MaxSchedules = 10000      # live schedules per plugin (a few per Discord user)
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
/// Setting names match case-insensitively; plugin ids (file names) keep their case.
extension PluginHostConfiguration {
    init(reading root: ConfigurationTable) throws(ConfigurationError) {
        self.init()
        func fail(_ message: String) -> ConfigurationError { root.fail(message) }
        if let value = root.raw("DataFolder") {
            guard case .string(let folder) = value else { throw fail("DataFolder must be a string") }
            dataFolder = folder
        }
        // A positive number of seconds, at most a day.
        func seconds(_ item: ConfigValue, _ name: String) throws(ConfigurationError) -> Double {
            guard let seconds = item.number, seconds > 0, seconds <= 86_400 else {
                throw fail("Plugins.\(name) must be a positive number of seconds, at most 86400")
            }
            return seconds
        }
        if let value = root.raw("Plugins") {
            guard case .table(let table) = value else { throw fail("[Plugins] must be a table") }
            for key in table.keys.sorted() {
                let item = table[key]!
                switch key.lowercased() {
                case "folder":
                    guard case .string(let folder) = item else { throw fail("Plugins.Folder must be a string") }
                    pluginsFolder = folder
                case "calltimeout":
                    callTimeout = try seconds(item, "CallTimeout")
                case "heavycallcpu":
                    heavyCallCPU = try seconds(item, "HeavyCallCPU")
                case "memorylimit":
                    guard case .int(let mebibytes) = item, mebibytes > 0, mebibytes <= 4096 else {
                        throw fail("Plugins.MemoryLimit must be a whole number of MiB between 1 and 4096")
                    }
                    memoryLimit = mebibytes * 1024 * 1024
                case "endpointrequestlimit":
                    guard case .int(let count) = item, count >= 0, count <= 1_000_000 else {
                        throw fail("Plugins.EndpointRequestLimit must be a whole number between 0 (no limit) and 1000000")
                    }
                    endpointRequestLimit = count
                case "endpointrequestwindow":
                    endpointRequestWindow = try seconds(item, "EndpointRequestWindow")
                case "autoreload":
                    guard case .bool(let flag) = item else { throw fail("Plugins.AutoReload must be true or false") }
                    autoReload = flag
                case "maxwebsocketconnections", "maxschedules":
                    break  // HostServiceLimits(reading:)
                default:
                    guard case .table(let options) = item else {
                        throw fail("Plugins.\(key): unknown setting (plugin options go in a [Plugins.\(key)] table)")
                    }
                    plugins[key] = try PluginOptions(reading: options, id: key, root: root)
                }
            }
        }
        if let value = root.raw("PluginSettings") {
            guard case .table(let table) = value else { throw fail("[PluginSettings] must be a table") }
            for id in table.keys.sorted() {
                guard case .table(let settings) = table[id]! else {
                    throw fail("PluginSettings.\(id) must be a table ([PluginSettings.\(id)])")
                }
                pluginSettings[id] = settings.mapValues(\.json)
            }
        }
    }
}

extension PluginOptions {
    /// A `[Plugins.<id>]` table.
    init(reading table: [String: ConfigValue], id: String, root: ConfigurationTable) throws(ConfigurationError) {
        self.init()
        func fail(_ message: String) -> ConfigurationError { root.fail(message) }
        func strings(_ key: String) throws(ConfigurationError) -> [String] {
            guard case .array(let array) = table[key]! else { throw fail("Plugins.\(id).\(key) must be a list of strings") }
            var result: [String] = []
            for item in array {
                guard case .string(let text) = item else { throw fail("Plugins.\(id).\(key) must be a list of strings") }
                result.append(text)
            }
            return result
        }
        for key in table.keys.sorted() {
            switch key.lowercased() {
            case "users": users = try strings(key)
            case "extrahosts": extraHosts = try strings(key)
            case "allusers":
                guard case .bool(let flag) = table[key]! else { throw fail("Plugins.\(id).AllUsers must be true or false") }
                allUsers = flag
            case "allowadmins":
                guard case .bool(let flag) = table[key]! else { throw fail("Plugins.\(id).AllowAdmins must be true or false") }
                allowAdmins = flag
            default:
                throw fail("Plugins.\(id).\(key): unknown setting (known: Users, AllUsers, AllowAdmins, ExtraHosts)")
            }
        }
    }
}
