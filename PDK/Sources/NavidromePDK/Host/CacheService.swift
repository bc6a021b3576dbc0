@_extern(wasm, module: "extism:host/user", name: "cache_setstring") @_extern(c, "nd_host_cache_setstring")
func nd_host_cache_setstring(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_getstring") @_extern(c, "nd_host_cache_getstring")
func nd_host_cache_getstring(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_setint") @_extern(c, "nd_host_cache_setint")
func nd_host_cache_setint(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_getint") @_extern(c, "nd_host_cache_getint")
func nd_host_cache_getint(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_setfloat") @_extern(c, "nd_host_cache_setfloat")
func nd_host_cache_setfloat(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_getfloat") @_extern(c, "nd_host_cache_getfloat")
func nd_host_cache_getfloat(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_setbytes") @_extern(c, "nd_host_cache_setbytes")
func nd_host_cache_setbytes(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_getbytes") @_extern(c, "nd_host_cache_getbytes")
func nd_host_cache_getbytes(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_has") @_extern(c, "nd_host_cache_has")
func nd_host_cache_has(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "cache_remove") @_extern(c, "nd_host_cache_remove")
func nd_host_cache_remove(_ request: Int64) -> Int64

/// Navidrome's Cache service: an in-memory per-plugin cache with TTLs (permission `cache`).
/// A TTL ≤ 0 means 24 hours; reads refresh an entry's expiry. Gets return `nil` when the key
/// is missing or holds another type.
public enum CacheService {
    static func set(_ function: String, _ host: (Int64) -> Int64, _ key: String, _ ttlSeconds: Int64,
                    _ value: (inout JSONObjectWriter) -> Void) throws(PluginError) {
        var req = JSONObjectWriter()
        req.set("key", key)
        value(&req)
        req.set("ttlSeconds", ttlSeconds)
        _ = try HostCall.call(function, host, req)
    }

    static func get(_ function: String, _ host: (Int64) -> Int64, _ key: String) throws(PluginError) -> JSONObjectReader? {
        var req = JSONObjectWriter()
        req.set("key", key)
        let r = try HostCall.call(function, host, req)
        let exists = try HostCall.read(function) { () throws(JSONError) -> Bool in try r.bool("exists") }
        return exists ? r : nil
    }

    public static func setString(_ key: String, _ value: String, ttlSeconds: Int64 = 0) throws(PluginError) {
        try set("cache_setstring", nd_host_cache_setstring, key, ttlSeconds) { $0.set("value", value) }
    }

    public static func getString(_ key: String) throws(PluginError) -> String? {
        guard let r = try get("cache_getstring", nd_host_cache_getstring, key) else { return nil }
        return try HostCall.read("cache_getstring") { () throws(JSONError) -> String in try r.string("value") }
    }

    public static func setInt(_ key: String, _ value: Int64, ttlSeconds: Int64 = 0) throws(PluginError) {
        try set("cache_setint", nd_host_cache_setint, key, ttlSeconds) { $0.set("value", value) }
    }

    public static func getInt(_ key: String) throws(PluginError) -> Int64? {
        guard let r = try get("cache_getint", nd_host_cache_getint, key) else { return nil }
        return try HostCall.read("cache_getint") { () throws(JSONError) -> Int64 in try r.int64("value") }
    }

    public static func setFloat(_ key: String, _ value: Double, ttlSeconds: Int64 = 0) throws(PluginError) {
        try set("cache_setfloat", nd_host_cache_setfloat, key, ttlSeconds) { $0.set("value", value) }
    }

    public static func getFloat(_ key: String) throws(PluginError) -> Double? {
        guard let r = try get("cache_getfloat", nd_host_cache_getfloat, key) else { return nil }
        return try HostCall.read("cache_getfloat") { () throws(JSONError) -> Double in try r.double("value") }
    }

    public static func setBytes(_ key: String, _ value: [UInt8], ttlSeconds: Int64 = 0) throws(PluginError) {
        try set("cache_setbytes", nd_host_cache_setbytes, key, ttlSeconds) { $0.set("value", bytes: value) }
    }

    public static func getBytes(_ key: String) throws(PluginError) -> [UInt8]? {
        guard let r = try get("cache_getbytes", nd_host_cache_getbytes, key) else { return nil }
        return try HostCall.read("cache_getbytes") { () throws(JSONError) -> [UInt8] in try r.bytes("value") }
    }

    /// Whether `key` exists (any type).
    public static func has(_ key: String) throws(PluginError) -> Bool {
        try get("cache_has", nd_host_cache_has, key) != nil
    }

    public static func remove(_ key: String) throws(PluginError) {
        var req = JSONObjectWriter()
        req.set("key", key)
        _ = try HostCall.call("cache_remove", nd_host_cache_remove, req)
    }
}
