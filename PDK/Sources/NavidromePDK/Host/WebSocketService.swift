@_extern(wasm, module: "extism:host/user", name: "websocket_connect") @_extern(c, "nd_host_websocket_connect")
func nd_host_websocket_connect(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "websocket_sendtext") @_extern(c, "nd_host_websocket_sendtext")
func nd_host_websocket_sendtext(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "websocket_sendbinary") @_extern(c, "nd_host_websocket_sendbinary")
func nd_host_websocket_sendbinary(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "websocket_closeconnection") @_extern(c, "nd_host_websocket_closeconnection")
func nd_host_websocket_closeconnection(_ request: Int64) -> Int64

/// Navidrome's WebSocket service (permission `websocket`); events arrive through the
/// ``WebSocketCallback`` capability.
public enum WebSocketService {
    /// Opens a connection; an empty `connectionId` lets the host pick one. Returns the id.
    /// An id that is already open is an error (it is not replaced).
    public static func connect(url: String, headers: [(key: String, value: String)] = [], connectionId: String = "") throws(PluginError) -> String {
        var req = JSONObjectWriter()
        req.set("url", url)
        req.set("headers", pairs: headers)
        req.set("connectionId", connectionId)
        let r = try HostCall.call("websocket_connect", nd_host_websocket_connect, req)
        return try HostCall.read("websocket_connect") { () throws(JSONError) -> String in try r.string("newConnectionId") }
    }

    /// Sends a text frame; an unknown connection id is an error.
    public static func sendText(connectionId: String, message: String) throws(PluginError) {
        var req = JSONObjectWriter()
        req.set("connectionId", connectionId)
        req.set("message", message)
        _ = try HostCall.call("websocket_sendtext", nd_host_websocket_sendtext, req)
    }

    public static func sendBinary(connectionId: String, data: [UInt8]) throws(PluginError) {
        var req = JSONObjectWriter()
        req.set("connectionId", connectionId)
        req.set("data", bytes: data)
        _ = try HostCall.call("websocket_sendbinary", nd_host_websocket_sendbinary, req)
    }

    /// Closes the connection; `onClose` runs (in another instance) before this returns.
    public static func closeConnection(connectionId: String, code: Int32 = 1000, reason: String = "") throws(PluginError) {
        var req = JSONObjectWriter()
        req.set("connectionId", connectionId)
        req.set("code", code)
        req.set("reason", reason)
        _ = try HostCall.call("websocket_closeconnection", nd_host_websocket_closeconnection, req)
    }
}
