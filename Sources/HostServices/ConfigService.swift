import NavidromeABI
import PluginRuntime

/// Navidrome's Config service: read access to the calling plugin's own settings
/// (`config_get`, `config_getint`, `config_keys`). Every plugin has it; no permission needed.
public struct ConfigService: HostService {
    public let permission: String? = nil
    public let functionPrefix = "config"

    public init() {}

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let config = plugin.config
        return hostFunctions(
            hostFunction(ConfigGetRequest.self) { request in
                guard let value = config[request.key] else { return ConfigGetResponse() }
                return ConfigGetResponse(value: value, exists: true)
            },
            hostFunction(ConfigGetIntRequest.self) { request in
                // Go's strconv.ParseInt(s, 10, 64): optional sign, decimal digits only.
                guard let text = config[request.key], let value = Int64(text) else { return ConfigGetIntResponse() }
                return ConfigGetIntResponse(value: value, exists: true)
            },
            hostFunction(ConfigKeysRequest.self) { request in
                ConfigKeysResponse(keys: config.keys.filter { $0.hasPrefix(request.prefix) }.sorted())
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
