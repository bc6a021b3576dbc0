@_extern(wasm, module: "extism:host/user", name: "config_get") @_extern(c, "nd_host_config_get")
func nd_host_config_get(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "config_getint") @_extern(c, "nd_host_config_getint")
func nd_host_config_getint(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "config_keys") @_extern(c, "nd_host_config_keys")
func nd_host_config_keys(_ request: Int64) -> Int64

/// Navidrome's Config service: the plugin's configuration (no permission needed).
public enum ConfigService {
    /// The value for `key`, or `nil` if it is not set.
    public static func get(_ key: String) throws(PluginError) -> String? {
        var req = JSONObjectWriter()
        req.set("key", key)
        let r = try HostCall.call("config_get", nd_host_config_get, req)
        return try HostCall.read("config_get") { () throws(JSONError) -> String? in
            try r.bool("exists") ? try r.string("value") : nil
        }
    }

    /// The value for `key` as a base-10 integer, or `nil` if unset or not an integer.
    public static func getInt(_ key: String) throws(PluginError) -> Int64? {
        var req = JSONObjectWriter()
        req.set("key", key)
        let r = try HostCall.call("config_getint", nd_host_config_getint, req)
        return try HostCall.read("config_getint") { () throws(JSONError) -> Int64? in
            try r.bool("exists") ? try r.int64("value") : nil
        }
    }

    /// Configuration keys starting with `prefix` (all keys for ""), sorted.
    public static func keys(prefix: String = "") throws(PluginError) -> [String] {
        var req = JSONObjectWriter()
        req.set("prefix", prefix)
        let r = try HostCall.call("config_keys", nd_host_config_keys, req)
        return try HostCall.read("config_keys") { () throws(JSONError) -> [String] in try r.stringArray("keys") }
    }
}
