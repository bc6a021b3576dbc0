import NavidromePDK

/// Benchmark-only: a plugin that tries to exhaust its host. `nd_on_init` starts one recurring
/// schedule per kind of abuse; each callback loops on that abuse until the host ends the call
/// (call deadline, limits). Settings: `tarpit` (an `http://` URL that never answers) and
/// `wstarpit` (a `ws://` URL that never completes a handshake).
struct Hostile: Lifecycle, SchedulerCallback, WebSocketCallback {
    static let kinds = ["http", "websocket", "schedule", "kvstore"]

    /// Connections to the tarpit never open; nothing to do when they close.
    func onClose(_ request: OnCloseRequest) throws(PluginError) {}

    func onInit() throws(PluginError) {
        for kind in Self.kinds {
            _ = try SchedulerService.scheduleRecurring(cronExpression: "@every 1s", payload: kind, scheduleId: "storm-" + kind)
        }
    }

    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError) {
        let tarpit = Extism.config("tarpit") ?? "http://127.0.0.1:9"
        let webSocketTarpit = Extism.config("wstarpit") ?? "ws://127.0.0.1:9"
        var count: Int64 = 0
        while true {
            count &+= 1
            // Embedded Swift compares strings by their bytes (no Unicode tables in the plugin).
            let kind = Array(request.payload.utf8)
            switch kind {
            case Array("http".utf8):
                _ = try? HTTPService.send(request: HTTPRequest(url: tarpit + "/\(count)", timeoutMs: 300_000))
            case Array("websocket".utf8):
                _ = try? WebSocketService.connect(url: webSocketTarpit, headers: [], connectionId: "")
            case Array("schedule".utf8):
                _ = try? SchedulerService.scheduleOneTime(delaySeconds: 3_600, payload: "idle", scheduleId: "")
            case Array("kvstore".utf8):
                _ = try? KVStoreService.set(key: "key-\(count % 200_000)", value: [UInt8](repeating: 0x61, count: Int(count % 64)))
            default:
                return
            }
        }
    }
}
