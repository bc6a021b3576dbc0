import NavidromePDK

/// Implements every capability; each method uses host services so the tests can observe it.
struct Conformance: Scrobbler, WebSocketCallback, SchedulerCallback, Lifecycle {
    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool {
        if same(request.username, "error") { throw PluginError("authorization backend unavailable") }
        return !same(request.username, "blocked")
    }

    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) {
        let url = try ArtworkService.getTrackUrl(id: request.track.id, size: 300)
        try CacheService.setString("np:" + request.username,
                                   request.track.title + "|" + request.track.artist + "|\(request.position)|" + url,
                                   ttlSeconds: 60)
    }

    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {
        if same(request.username, "retry") { throw .scrobbler(.retryLater, "service unavailable") }
        if same(request.username, "unauth") { throw .scrobbler(.notAuthorized) }
        if same(request.username, "bad") { throw .scrobbler(.unrecoverable, "rejected") }
        try KVStoreService.set("last:" + request.username, Array(request.track.id.utf8))
    }

    func playbackReport(_ request: PlaybackReportRequest) throws(PluginError) {
        // Echo the decoded request back through the WebSocket client: proves every field arrived.
        var message = request.jsonValue.objectValue ?? JSONObject()
        message["stateKnown"] = .bool(request.playbackState != nil)
        try WebSocketService.sendText(connectionId: request.username, message: JSONValue.object(message).serializedString())
    }

    func onTextMessage(_ request: OnTextMessageRequest) throws(PluginError) {
        let summary: String
        do {
            summary = try gatewaySummary(request.message)
        } catch {
            throw PluginError(error)
        }
        try CacheService.setString("gw:" + request.connectionId, summary)
    }

    /// Reads only op, t, s and d.session_id of a gateway-style message.
    func gatewaySummary(_ message: String) throws(JSONError) -> String {
        let event = try JSONLazyObject(text: message)
        let op = try event.int64("op")
        let t = try event.string("t")
        let s = try event.int64("s")
        var session = ""
        if let d = try event.object("d") { session = try d.string("session_id") ?? "" }
        return "op=\(op ?? -1);t=" + (t ?? "null") + ";s=\(s ?? -1);session=" + session
    }

    func onBinaryMessage(_ request: OnBinaryMessageRequest) throws(PluginError) {
        try WebSocketService.sendBinary(connectionId: request.connectionId, data: request.data.reversed())
    }

    func onError(_ request: OnErrorRequest) throws(PluginError) {
        try CacheService.setString("wserr:" + request.connectionId, request.error)
    }

    func onClose(_ request: OnCloseRequest) throws(PluginError) {
        try CacheService.setString("wsclose:" + request.connectionId, "\(request.code) " + request.reason)
    }

    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError) {
        if same(request.payload, "fail") { throw PluginError("callback failed on purpose") }
        try CacheService.setString("sched:" + request.scheduleId, request.payload + (request.isRecurring ? "|recurring" : "|once"))
    }

    func onInit() throws(PluginError) {
        if Extism.config("fail_init") != nil { throw PluginError("init failed on purpose") }
        _ = try SchedulerService.scheduleRecurring(cronExpression: "@every 41s", payload: "heartbeat", scheduleId: "heartbeat")
    }
}

func same(_ a: String, _ b: StaticString) -> Bool {
    a.utf8.elementsEqual(UnsafeBufferPointer(start: b.utf8Start, count: b.utf8CodeUnitCount))
}

@_expose(wasm, "nd_scrobbler_is_authorized") @_cdecl("nd_scrobbler_is_authorized")
func isAuthorized() -> Int32 { Conformance.ndScrobblerIsAuthorized() }
@_expose(wasm, "nd_scrobbler_now_playing") @_cdecl("nd_scrobbler_now_playing")
func nowPlaying() -> Int32 { Conformance.ndScrobblerNowPlaying() }
@_expose(wasm, "nd_scrobbler_scrobble") @_cdecl("nd_scrobbler_scrobble")
func scrobble() -> Int32 { Conformance.ndScrobblerScrobble() }
@_expose(wasm, "nd_scrobbler_playback_report") @_cdecl("nd_scrobbler_playback_report")
func playbackReport() -> Int32 { Conformance.ndScrobblerPlaybackReport() }
@_expose(wasm, "nd_websocket_on_text_message") @_cdecl("nd_websocket_on_text_message")
func onText() -> Int32 { Conformance.ndWebSocketOnTextMessage() }
@_expose(wasm, "nd_websocket_on_binary_message") @_cdecl("nd_websocket_on_binary_message")
func onBinary() -> Int32 { Conformance.ndWebSocketOnBinaryMessage() }
@_expose(wasm, "nd_websocket_on_error") @_cdecl("nd_websocket_on_error")
func onError() -> Int32 { Conformance.ndWebSocketOnError() }
@_expose(wasm, "nd_websocket_on_close") @_cdecl("nd_websocket_on_close")
func onClose() -> Int32 { Conformance.ndWebSocketOnClose() }
@_expose(wasm, "nd_scheduler_callback") @_cdecl("nd_scheduler_callback")
func onSchedule() -> Int32 { Conformance.ndSchedulerCallback() }
@_expose(wasm, "nd_on_init") @_cdecl("nd_on_init")
func onInit() -> Int32 { Conformance.ndOnInit() }
