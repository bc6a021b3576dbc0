@_extern(wasm, module: "extism:host/user", name: "kvstore_set") @_extern(c, "nd_host_kvstore_set")
func nd_host_kvstore_set(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_setwithttl") @_extern(c, "nd_host_kvstore_setwithttl")
func nd_host_kvstore_setwithttl(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_get") @_extern(c, "nd_host_kvstore_get")
func nd_host_kvstore_get(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_getmany") @_extern(c, "nd_host_kvstore_getmany")
func nd_host_kvstore_getmany(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_has") @_extern(c, "nd_host_kvstore_has")
func nd_host_kvstore_has(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_list") @_extern(c, "nd_host_kvstore_list")
func nd_host_kvstore_list(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_delete") @_extern(c, "nd_host_kvstore_delete")
func nd_host_kvstore_delete(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_deletebyprefix") @_extern(c, "nd_host_kvstore_deletebyprefix")
func nd_host_kvstore_deletebyprefix(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "kvstore_getstorageused") @_extern(c, "nd_host_kvstore_getstorageused")
func nd_host_kvstore_getstorageused(_ request: Int64) -> Int64

/// Navidrome's KVStore service: persistent per-plugin key-value storage (permission `kvstore`).
public enum KVStoreService {
    static func keyRequest(_ key: String) -> JSONObjectWriter {
        var req = JSONObjectWriter()
        req.set("key", key)
        return req
    }

    public static func set(_ key: String, _ value: [UInt8]) throws(PluginError) {
        var req = keyRequest(key)
        req.set("value", bytes: value)
        _ = try HostCall.call("kvstore_set", nd_host_kvstore_set, req)
    }

    /// Stores `value` for `ttlSeconds` (> 0) seconds.
    public static func setWithTTL(_ key: String, _ value: [UInt8], ttlSeconds: Int64) throws(PluginError) {
        var req = keyRequest(key)
        req.set("value", bytes: value)
        req.set("ttlSeconds", ttlSeconds)
        _ = try HostCall.call("kvstore_setwithttl", nd_host_kvstore_setwithttl, req)
    }

    public static func get(_ key: String) throws(PluginError) -> [UInt8]? {
        let r = try HostCall.call("kvstore_get", nd_host_kvstore_get, keyRequest(key))
        return try HostCall.read("kvstore_get") { () throws(JSONError) -> [UInt8]? in
            try r.bool("exists") ? try r.bytes("value") : nil
        }
    }

    /// Values of the keys that exist, in the host's order.
    public static func getMany(_ keys: [String]) throws(PluginError) -> [(key: String, value: [UInt8])] {
        var req = JSONObjectWriter()
        req.set("keys", keys)
        let r = try HostCall.call("kvstore_getmany", nd_host_kvstore_getmany, req)
        return try HostCall.read("kvstore_getmany") { () throws(JSONError) -> [(key: String, value: [UInt8])] in
            var result: [(key: String, value: [UInt8])] = []
            for pair in try r.stringPairs("values") { result.append((pair.key, try Base64.decode(pair.value))) }
            return result
        }
    }

    public static func has(_ key: String) throws(PluginError) -> Bool {
        let r = try HostCall.call("kvstore_has", nd_host_kvstore_has, keyRequest(key))
        return try HostCall.read("kvstore_has") { () throws(JSONError) -> Bool in try r.bool("exists") }
    }

    /// Keys starting with `prefix` (ASCII case-insensitive in Navidrome), sorted.
    public static func list(prefix: String = "") throws(PluginError) -> [String] {
        var req = JSONObjectWriter()
        req.set("prefix", prefix)
        let r = try HostCall.call("kvstore_list", nd_host_kvstore_list, req)
        return try HostCall.read("kvstore_list") { () throws(JSONError) -> [String] in try r.stringArray("keys") }
    }

    public static func delete(_ key: String) throws(PluginError) {
        _ = try HostCall.call("kvstore_delete", nd_host_kvstore_delete, keyRequest(key))
    }

    /// Deletes keys starting with `prefix` (must not be empty); returns how many.
    public static func deleteByPrefix(_ prefix: String) throws(PluginError) -> Int64 {
        var req = JSONObjectWriter()
        req.set("prefix", prefix)
        let r = try HostCall.call("kvstore_deletebyprefix", nd_host_kvstore_deletebyprefix, req)
        return try HostCall.read("kvstore_deletebyprefix") { () throws(JSONError) -> Int64 in try r.int64("deletedCount") }
    }

    /// Bytes used by unexpired values.
    public static func getStorageUsed() throws(PluginError) -> Int64 {
        let r = try HostCall.call("kvstore_getstorageused", nd_host_kvstore_getstorageused, JSONObjectWriter())
        return try HostCall.read("kvstore_getstorageused") { () throws(JSONError) -> Int64 in try r.int64("bytes") }
    }
}
