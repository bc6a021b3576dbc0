@_extern(wasm, module: "extism:host/user", name: "subsonicapi_call") @_extern(c, "nd_host_subsonicapi_call")
func nd_host_subsonicapi_call(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "subsonicapi_callraw") @_extern(c, "nd_host_subsonicapi_callraw")
func nd_host_subsonicapi_callraw(_ request: Int64) -> Int64

/// Navidrome's SubsonicAPI service (permission `subsonicapi`, which needs `users`). The `uri`
/// must carry `u=<username>`, e.g. `getNowPlaying?u=alice`.
public enum SubsonicAPIService {
    /// Calls an endpoint and returns its JSON response text (Subsonic failures are inside it).
    public static func call(_ uri: String) throws(PluginError) -> String {
        var req = JSONObjectWriter()
        req.set("uri", uri)
        let r = try HostCall.call("subsonicapi_call", nd_host_subsonicapi_call, req)
        return try HostCall.read("subsonicapi_call") { () throws(JSONError) -> String in try r.string("responseJson") }
    }

    /// Calls an endpoint and returns the raw body (e.g. `getCoverArt`).
    public static func callRaw(_ uri: String) throws(PluginError) -> (contentType: String, data: [UInt8]) {
        var req = JSONObjectWriter()
        req.set("uri", uri)
        let r = try HostCall.call("subsonicapi_callraw", nd_host_subsonicapi_callraw, req)
        return try HostCall.read("subsonicapi_callraw") { () throws(JSONError) -> (contentType: String, data: [UInt8]) in
            (try r.string("contentType"), try r.bytes("data"))
        }
    }
}
