import NavidromePDK

/// Implements every capability; each method uses host services so the tests can observe it.
struct Conformance: Scrobbler, WebSocketCallback, SchedulerCallback, Lifecycle {
    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool {
        if same(request.username, "error") { throw PluginError("authorization backend unavailable") }
        return !same(request.username, "blocked")
    }

    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) {
        let url = try ArtworkService.getTrackUrl(id: request.track.id, size: 300)
        try CacheService.setString(key: "np:" + request.username,
                                   value: request.track.title + "|" + request.track.artist + "|\(request.position)|" + url,
                                   ttlSeconds: 60)
    }

    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {
        if same(request.username, "retry") { throw .scrobbler(.retryLater, "service unavailable") }
        if same(request.username, "unauth") { throw .scrobbler(.notAuthorized) }
        if same(request.username, "bad") { throw .scrobbler(.unrecoverable, "rejected") }
        try KVStoreService.set(key: "last:" + request.username, value: Array(request.track.id.utf8))
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
        try CacheService.setString(key: "gw:" + request.connectionId, value: summary, ttlSeconds: 0)
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
        try CacheService.setString(key: "wserr:" + request.connectionId, value: request.error, ttlSeconds: 0)
    }

    func onClose(_ request: OnCloseRequest) throws(PluginError) {
        try CacheService.setString(key: "wsclose:" + request.connectionId, value: "\(request.code) " + request.reason, ttlSeconds: 0)
    }

    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError) {
        if same(request.payload, "fail") { throw PluginError("callback failed on purpose") }
        try CacheService.setString(key: "sched:" + request.scheduleId, value: request.payload + (request.isRecurring ? "|recurring" : "|once"), ttlSeconds: 0)
    }

    func onInit() throws(PluginError) {
        if Extism.config("fail_init") != nil { throw PluginError("init failed on purpose") }
        _ = try SchedulerService.scheduleRecurring(cronExpression: "@every 41s", payload: "heartbeat", scheduleId: "heartbeat")
        // For hosts that run TaskWorker plugins: a queue whose task runs nd_task_execute.
        if let payload = Extism.config("task_on_init") {
            try TaskService.createQueue(name: "init", config: QueueConfig(maxRetries: 2, backoffMs: 100))
            _ = try TaskService.enqueue(queueName: "init", payload: Array(payload.utf8))
        }
    }
}

func same(_ a: String, _ b: StaticString) -> Bool {
    a.utf8.elementsEqual(UnsafeBufferPointer(start: b.utf8Start, count: b.utf8CodeUnitCount))
}
