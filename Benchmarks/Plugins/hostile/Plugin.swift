import NavidromePDK

/// Benchmark-only: a plugin that tries to exhaust its host. `nd_on_init` starts one recurring
/// schedule per kind of abuse; each callback loops on that abuse until the host ends the call
/// (call deadline, limits). Settings: `tarpit` (an `http://` URL that never answers) and
/// `wstarpit` (a `ws://` URL that never completes a handshake).
struct Hostile: Lifecycle, SchedulerCallback, WebSocketCallback {
    static let kinds = ["http", "websocket", "schedule", "kvstore"]

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
                _ = try? HTTPService.send(HTTPRequest(url: tarpit + "/\(count)", timeoutMs: 300_000))
            case Array("websocket".utf8):
                _ = try? WebSocketService.connect(url: webSocketTarpit)
            case Array("schedule".utf8):
                _ = try? SchedulerService.scheduleOneTime(delaySeconds: 3_600, payload: "idle")
            case Array("kvstore".utf8):
                _ = try? KVStoreService.set("key-\(count % 200_000)", [UInt8](repeating: 0x61, count: Int(count % 64)))
            default:
                return
            }
        }
    }
}

@_expose(wasm, "nd_websocket_on_close") @_cdecl("nd_websocket_on_close")
func onClose() -> Int32 { Hostile.ndWebSocketOnClose() }

@_expose(wasm, "nd_on_init") @_cdecl("nd_on_init")
func onInit() -> Int32 { Hostile.ndOnInit() }

@_expose(wasm, "nd_scheduler_callback") @_cdecl("nd_scheduler_callback")
func onSchedule() -> Int32 { Hostile.ndSchedulerCallback() }
