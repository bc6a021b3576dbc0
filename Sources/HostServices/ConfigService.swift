import PluginRuntime
import TonearmJSON

/// Navidrome's Config service: read access to the calling plugin's own settings
/// (`config_get`, `config_getint`, `config_keys`). Every plugin has it; no permission needed.
public struct ConfigService: HostService {
    public let permission: String? = nil
    public let functionPrefix = "config"

    public init() {}

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let config = plugin.config
        return [
            "config_get": hostFunction { request in
                let key = try request.string("key")
                var response = JSONResponse()
                if let value = config[key] {
                    response.set("value", .string(value))
                    response.set("exists", .bool(true))
                }
                return response
            },
            "config_getint": hostFunction { request in
                let key = try request.string("key")
                var response = JSONResponse()
                // Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits only.
                if let text = config[key], let value = Int64(text) {
                    response.set("value", .integer(value))
                    response.set("exists", .bool(true))
                }
                return response
            },
            "config_keys": hostFunction { request in
                let prefix = try request.string("prefix")
                let keys = config.keys.filter { $0.hasPrefix(prefix) }.sorted()
                var response = JSONResponse()
                response.set("keys", .array(keys.map { .string($0) }))
                return response
            },
        ]
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
