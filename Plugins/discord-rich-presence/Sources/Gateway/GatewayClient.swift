import NavidromePDK

/// One user's Discord gateway connection, advanced one plugin call at a time. Everything that
/// must outlive the call (session, sequence, pending presence, send budget) is in the host
/// cache; the connection itself lives in the host's WebSocket service under the username.
struct GatewayClient {
    static var ttlSeconds: Int64 { 86_400 }

    let host: PluginHost
    let user: DiscordUser
    let settings: PluginSettings
    let keys: UserKeys

    init(host: PluginHost, user: DiscordUser, settings: PluginSettings) {
        self.host = host
        self.user = user
        self.settings = settings
        keys = UserKeys(user: user.username)
    }

    // MARK: State

    func loadSession() -> GatewaySession? {
        host.cacheString(keys.session).flatMap { GatewaySession(text: $0) }
    }

    func save(_ session: GatewaySession) {
        host.setCacheString(keys.session, session.text, ttlSeconds: Self.ttlSeconds)
    }

    func loadBudget() -> SendBudget {
        SendBudget(encoded: host.cacheString(keys.sends) ?? "")
    }

    func save(_ budget: SendBudget) {
        host.setCacheString(keys.sends, budget.encoded, ttlSeconds: 3600)
    }

    func loadPresence() -> PresenceRecord? {
        host.cacheString(keys.presence).flatMap { PresenceRecord(text: $0) }
    }

    func save(_ presence: PresenceRecord) {
        host.setCacheString(keys.presence, presence.text, ttlSeconds: Self.ttlSeconds)
    }

    /// Why this user may not connect (after a fatal close code), if so.
    func blockedReason() -> String? {
        guard let text = host.cacheString(keys.blocked), let value = try? JSONValue.parse(text) else { return nil }
        let until = value["until"]?.int64Value ?? 0
        if until != 0 && until <= host.nowMs() {
            host.removeCache(keys.blocked)
            return nil
        }
        return value["reason"]?.stringValue ?? "blocked"
    }

    // MARK: Connecting

    /// How long Hello → READY may take before the attempt counts as failed.
    static var handshakeTimeoutMs: Int64 { 60_000 }

    /// Opens the connection unless one is open or being opened (a handshake stuck for longer
    /// than `handshakeTimeoutMs` is replaced), judging by `session` (``loadSession()``, read by
    /// the caller). Returns the problem, if any.
    func ensureConnected(session: GatewaySession?) -> String? {
        // A ready connection is not blocked: the fatal close that blocks a user removes its
        // session (and `is_authorized` checked the block before this event).
        if session?.phase == .ready { return nil }
        if let reason = blockedReason() { return reason }
        guard let session else { return open(resuming: nil) }
        switch session.phase {
        case .ready:
            return nil
        case .disconnected:
            return open(resuming: session)
        case .connecting, .identifying, .resuming:
            if host.nowMs() - session.openedAt < Self.handshakeTimeoutMs { return nil }
            host.log(.warn, "Discord handshake for \(user.username) did not complete; reconnecting")
            _ = host.cancelSchedule(id: keys.heartbeatSchedule)
            closeExpected(code: 4000, reason: "handshake timeout")
            return open(resuming: session)
        }
    }

    /// Connects to the gateway (to `resume_gateway_url` when `previous` can be resumed). The
    /// session is saved first because Hello can arrive before `websocket_connect` returns.
    func open(resuming previous: GatewaySession?) -> String? {
        var session = GatewaySession()
        var url = settings.gatewayConnectURL
        if let previous {
            session.attempts = previous.attempts
            if previous.canResume {
                session.sessionID = previous.sessionID
                session.resumeURL = previous.resumeURL
                if !previous.resumeURL.isEmpty { url = PluginSettings.connectURL(previous.resumeURL) }
            }
        }
        if !session.canResume { host.removeCache(keys.sequence) }
        session.openedAt = host.nowMs()
        save(session)
        host.removeCache(keys.sends)  // Discord's limits are per connection
        var outcome = host.webSocketConnect(url: url, connectionID: user.username)
        if let error = outcome.error, ActivityText.contains(error, "already exists") {
            // A socket the cache no longer knows about (e.g. the entry expired): replace it.
            closeExpected(code: 4000, reason: "replacing stale connection")
            save(session)
            outcome = host.webSocketConnect(url: url, connectionID: user.username)
        }
        if let error = outcome.error.map({ ActivityText.redacting(user.token, in: $0) }) {
            session.phase = .disconnected
            save(session)
            host.log(.warn, "Discord gateway connection for \(user.username) failed: \(error)")
            return "could not connect to the Discord gateway: \(error)"
        }
        host.log(.info, "Connecting \(user.username) to the Discord gateway" + (session.canResume ? " (resuming)" : ""))
        return nil
    }

    /// Closes the socket ourselves; the close callback this causes is then ignored.
    func closeExpected(code: Int, reason: String) {
        let pending = host.cacheInt(keys.expectedCloses) ?? 0
        host.setCacheInt(keys.expectedCloses, pending + 1, ttlSeconds: 300)
        if host.webSocketClose(connectionID: user.username, code: code, reason: reason).error != nil {
            // No socket, so no callback will come.
            host.setCacheInt(keys.expectedCloses, pending, ttlSeconds: 300)
        }
    }

    /// True (and counts it) when a close/error callback is the echo of our own close.
    func consumeExpectedClose() -> Bool {
        let pending = host.cacheInt(keys.expectedCloses) ?? 0
        guard pending > 0 else { return false }
        if pending == 1 { host.removeCache(keys.expectedCloses) } else { host.setCacheInt(keys.expectedCloses, pending - 1, ttlSeconds: 300) }
        return true
    }

    // MARK: Gateway events

    /// Op 10: start heartbeats, then Identify or Resume.
    func hello(_ event: GatewayEvent) {
        guard var session = loadSession() else {
            host.log(.warn, "Discord Hello for \(user.username) without a session; closing the connection")
            closeExpected(code: 1000, reason: "no session")
            return
        }
        var interval = (try? event.data()?.int64("heartbeat_interval")) ?? 41_250
        if interval < 1000 { interval = 1000 }
        session.heartbeatIntervalMs = interval
        host.setCacheInt(keys.acknowledged, 1, ttlSeconds: Self.ttlSeconds)
        startHeartbeat(intervalMs: interval)
        if session.canResume, let sequence = host.cacheInt(keys.sequence) {
            session.phase = .resuming
            save(session)
            sendCounted(GatewayFrame.resume(token: user.token, sessionID: session.sessionID, sequence: sequence))
        } else {
            session.sessionID = ""
            session.phase = .identifying
            save(session)
            sendCounted(GatewayFrame.identify(token: user.token))
        }
    }

    /// READY or RESUMED: the session is usable; (re)send the presence, which a new session lacks.
    func ready(_ event: GatewayEvent, resumed: Bool) {
        guard var session = loadSession() else { return }
        if !resumed, let d = try? event.data() {
            session.sessionID = (try? d.string("session_id")) ?? ""
            session.resumeURL = (try? d.string("resume_gateway_url")) ?? ""
            if let sessions = try? d.value("sessions") {
                noteVisibility(invisible: ClientVisibility.isInvisible(sessions: sessions, ownSessionID: session.sessionID))
            }
        }
        session.phase = .ready
        session.attempts = 0
        save(session)
        host.log(.info, "Discord session for \(user.username) is \(resumed ? "resumed" : "ready")")
        deliverPresence(resend: true, firingID: nil)
    }

    /// What a heartbeat (op 1 from the server, or the heartbeat schedule firing) did without the
    /// settings (see ``beat(host:keys:requested:)``). Heartbeats are not counted in the send
    /// budget (its reserve covers them), so they never race a presence update's write.
    enum Beat {
        case sent
        case noSession
        case missingACK(GatewaySession)
        case sendFailed
    }

    /// The part of a heartbeat that needs only the cache and the connection: most heartbeats end
    /// here, so a heartbeat does not re-read the whole configuration (the `users` list can hold
    /// a thousand entries) unless it must reconnect.
    static func beat(host: PluginHost, keys: UserKeys, requested: Bool) -> Beat {
        guard let text = host.cacheString(keys.session), let session = GatewaySession(text: text),
              session.phase != .disconnected else { return .noSession }
        if !requested && host.cacheInt(keys.acknowledged) == 0 { return .missingACK(session) }
        host.setCacheInt(keys.acknowledged, 0, ttlSeconds: ttlSeconds)
        let frame = GatewayFrame.heartbeat(sequence: host.cacheInt(keys.sequence))
        return host.webSocketSend(connectionID: keys.user, text: frame).error == nil ? .sent : .sendFailed
    }

    /// Completes a heartbeat that ``beat(host:keys:requested:)`` could not finish alone.
    func finish(_ beat: Beat) {
        switch beat {
        case .sent: break
        case .noSession: _ = host.cancelSchedule(id: keys.heartbeatSchedule)
        case .missingACK(let session):
            host.log(.warn, "No heartbeat ACK from Discord for \(user.username); reconnecting")
            reconnect(session)
        case .sendFailed: connectionLost(code: nil, detail: "send failed")
        }
    }

    /// Op 7, or a zombie connection: close (not 1000, so the session stays resumable) and resume.
    func reconnect(_ current: GatewaySession) {
        var session = current
        _ = host.cancelSchedule(id: keys.heartbeatSchedule)
        closeExpected(code: 4000, reason: "reconnecting")
        session.phase = .disconnected
        save(session)
        if open(resuming: session) != nil, let latest = loadSession() {
            scheduleReconnect(latest, firingID: nil)
        }
    }

    /// Op 9: resume again when allowed, else forget the session and Identify after a pause.
    func invalidSession(resumable: Bool) {
        guard var session = loadSession() else { return }
        if resumable, session.canResume, let sequence = host.cacheInt(keys.sequence) {
            session.phase = .resuming
            save(session)
            sendCounted(GatewayFrame.resume(token: user.token, sessionID: session.sessionID, sequence: sequence))
            return
        }
        host.log(.info, "Discord invalidated the session of \(user.username); identifying again")
        session.sessionID = ""
        session.resumeURL = ""
        session.phase = .identifying
        host.removeCache(keys.sequence)
        save(session)
        scheduleOnce(keys.identifySchedule, delaySeconds: 2, SchedulePayload(.identify, user: user.username), firingID: nil)
    }

    /// The delayed Identify after op 9.
    func identifyAgain() {
        guard let session = loadSession(), session.phase == .identifying, !session.canResume else { return }
        sendCounted(GatewayFrame.identify(token: user.token))
    }

    /// The socket ended (error, close or failed send). `code` is the close code if known;
    /// `detail` (the host's error or the close reason) is logged without the user's token.
    func connectionLost(code: Int?, detail: String) {
        if consumeExpectedClose() { return }
        _ = host.cancelSchedule(id: keys.heartbeatSchedule)
        _ = host.cancelSchedule(id: keys.identifySchedule)
        guard var session = loadSession() else { return }
        switch CloseReason(code: code) {
        case .fatal(let why):
            host.log(.error, "Discord closed the gateway for \(user.username): \(why). Not reconnecting until the plugin configuration changes.")
            let until: Int64 = code == 4015 ? host.nowMs() + 15 * 60_000 : 0
            var blocked = JSONObject()
            blocked["until"] = .int(until)
            blocked["reason"] = .string(why)
            host.setCacheString(keys.blocked, JSONValue.object(blocked).serializedString(), ttlSeconds: Self.ttlSeconds)
            cancelTimers()
            removeState()
            return
        case .reidentify:
            session.sessionID = ""
            session.resumeURL = ""
            host.removeCache(keys.sequence)
        case .resume:
            break
        }
        host.log(.info, "Discord gateway connection of \(user.username) lost (\(ActivityText.redacting(user.token, in: detail)))")
        session.phase = .disconnected
        if loadPresence() != nil {
            scheduleReconnect(session, firingID: nil)
        } else {
            host.removeCache(keys.session)
        }
    }

    /// Schedules the next reconnect attempt with back-off, or gives up after the last one.
    func scheduleReconnect(_ current: GatewaySession, firingID: String?) {
        var session = current
        guard let delay = ReconnectBackoff.delaySeconds(attempt: session.attempts) else {
            host.log(.warn, "Giving up reconnecting \(user.username) to Discord after \(session.attempts) attempts; the next played track reconnects")
            host.removeCache(keys.session)
            return
        }
        session.attempts += 1
        session.phase = .disconnected
        save(session)
        host.log(.info, "Reconnecting \(user.username) to Discord in \(delay) s (attempt \(session.attempts))")
        scheduleOnce(keys.reconnectSchedule, delaySeconds: delay, SchedulePayload(.reconnect, user: user.username), firingID: firingID)
    }

    /// The reconnect schedule firing.
    func reconnectNow(firingID: String) {
        guard let session = loadSession(), session.phase == .disconnected else { return }
        if blockedReason() != nil { return }
        if loadPresence() == nil {
            host.removeCache(keys.session)
            return
        }
        if open(resuming: session) != nil, let latest = loadSession() {
            scheduleReconnect(latest, firingID: firingID)
        }
    }

    // MARK: Presence

    /// Sends the stored presence unless it is the one delivered last (or always, with `resend`),
    /// within Discord's rate limits; otherwise keeps it and schedules a flush for when the
    /// window frees.
    ///
    /// Calls for one user run concurrently (a playback event, READY, a flush) and the cache has
    /// no compare-and-set, so this never writes the stored presence: a call that stores a newer
    /// one meanwhile keeps it, and it stays undelivered until a flush sends it.
    /// A caller that has just read the session and stored the presence passes both, which
    /// saves reading them again; the presence is read again once the send lock is held.
    func deliverPresence(resend: Bool, firingID: String?, session known: GatewaySession? = nil,
                         stored justStored: PresenceRecord? = nil) {
        guard let session = known ?? loadSession(), session.phase == .ready,
              let stored = justStored ?? loadPresence() else { return }
        let invisible = host.cacheInt(keys.invisible) == 1
        if !resend && isDelivered(stored, invisible: invisible) { return }
        // Without the lock two calls could both spend the budget's last Presence Update. The call
        // holding it sees a presence stored meanwhile and flushes it; a flush covers the window
        // between that check and the release.
        guard takeSendLock() else {
            scheduleFlush(afterMs: 1000, firingID: firingID)
            return
        }
        defer { _ = host.cancelSchedule(id: keys.sendLock) }
        guard let record = loadPresence() else { return }
        let now = host.nowMs()
        var budget = loadBudget()
        guard budget.allowsPresence(at: now) else {
            let delayMs = budget.presenceDelay(at: now)
            save(budget)
            host.log(.debug, "Presence update for \(user.username) held back by Discord's rate limit for \((delayMs + 999) / 1000) s")
            scheduleFlush(afterMs: delayMs, firingID: firingID)
            return
        }
        budget.recordPresence(at: now)
        save(budget)
        // A failed send loses the connection; READY sends the stored presence again.
        let frame = outgoingFrame(record, invisible: invisible)
        guard send(frame) else { return }
        host.setCacheString(keys.delivered, ActivityText.fingerprint(frame), ttlSeconds: Self.ttlSeconds)
        if let latest = loadPresence(), !ActivityText.equal(latest.frame, record.frame) {
            scheduleFlush(afterMs: budget.presenceDelay(at: host.nowMs()), firingID: firingID)
        }
    }

    /// Whether `record` is the presence last sent on this connection (``UserKeys/delivered``
    /// holds the fingerprint of the frame sent last).
    func isDelivered(_ record: PresenceRecord, invisible: Bool) -> Bool {
        guard let delivered = host.cacheString(keys.delivered) else { return false }
        return ActivityText.equal(delivered, ActivityText.fingerprint(outgoingFrame(record, invisible: invisible)))
    }

    /// The frame that shows `record`: an empty, invisible presence while the user's own client
    /// is invisible.
    func outgoingFrame(_ record: PresenceRecord, invisible: Bool) -> String {
        invisible ? GatewayFrame.presenceUpdate(nil, status: .invisible) : record.frame
    }

    /// Records whether the user's own client is invisible; returns whether that changed.
    @discardableResult
    func noteVisibility(invisible: Bool) -> Bool {
        let was = host.cacheInt(keys.invisible) == 1
        guard was != invisible else { return false }
        host.setCacheInt(keys.invisible, invisible ? 1 : 0, ttlSeconds: Self.ttlSeconds)
        host.log(.info, invisible ? "\(user.username) is invisible on Discord; hiding the presence until that changes"
                                  : "\(user.username) is visible on Discord again; showing the presence")
        return true
    }

    /// Takes ``UserKeys/sendLock``, which a call that dies holding it keeps for a minute at most.
    private func takeSendLock() -> Bool {
        host.scheduleOneTime(id: keys.sendLock, delaySeconds: 60, payload: SchedulePayload(.sendLock, user: user.username).text).error == nil
    }

    /// Schedules a flush of the stored presence. When the flush schedule exists already it may
    /// be firing right now, on another instance that read the presence before this call stored
    /// it, so the alternate schedule is added as well (a second flush sends nothing new).
    private func scheduleFlush(afterMs delayMs: Int64, firingID: String?) {
        let seconds = Int((max(delayMs, 1) + 999) / 1000)
        let payload = SchedulePayload(.flush, user: user.username)
        let base = keys.flushSchedule
        let id = firingID.map { ActivityText.equal($0, base) } == true ? base + "-again" : base
        guard host.scheduleOneTime(id: id, delaySeconds: seconds, payload: payload.text).error != nil else { return }
        let alternate = ActivityText.equal(id, base) ? base + "-again" : base
        if let error = host.scheduleOneTime(id: alternate, delaySeconds: seconds, payload: payload.text).error {
            // Both exist: the one that fires last reads this presence.
            host.log(.debug, "Schedule \(alternate) not added: \(error)")
        }
    }

    /// Clears the presence and ends the session (close 1000 removes it from Discord at once).
    /// Says so once: a stop with neither session nor presence (a second stop) logs at debug.
    func stop(reason: String) {
        cancelTimers()
        let session = loadSession()
        let shown = session != nil || loadPresence() != nil
        if let session {
            var budget = loadBudget()
            if session.phase == .ready, budget.allowsPresence(at: host.nowMs()) {
                let status = host.cacheInt(keys.invisible) == 1 ? DiscordUser.Status.invisible : user.status
                _ = host.webSocketSend(connectionID: user.username, text: GatewayFrame.presenceUpdate(nil, status: status))
            }
            if session.phase != .disconnected { closeExpected(code: 1000, reason: reason) }
        }
        removeState()
        if shown {
            host.log(.info, "Cleared the Discord presence of \(user.username) (\(reason))")
        } else {
            host.log(.debug, "No Discord presence of \(user.username) to clear (\(reason))")
        }
    }

    func cancelTimers() {
        for id in [keys.heartbeatSchedule, keys.clearSchedule, keys.flushSchedule, keys.flushSchedule + "-again",
                   keys.reconnectSchedule, keys.reconnectSchedule + "-again", keys.identifySchedule] {
            _ = host.cancelSchedule(id: id)
        }
    }

    // MARK: Helpers

    /// Everything kept for this user's connection and presence.
    func removeState() {
        for key in [keys.session, keys.sequence, keys.presence, keys.delivered, keys.acknowledged, keys.sends, keys.invisible] {
            host.removeCache(key)
        }
    }

    /// Sends a frame; a failed send means the connection is gone (handled here).
    func send(_ frame: String) -> Bool {
        if host.webSocketSend(connectionID: user.username, text: frame).error == nil { return true }
        connectionLost(code: nil, detail: "send failed")
        return false
    }

    /// Sends Identify or Resume, counted in the send budget.
    func sendCounted(_ frame: String) {
        var budget = loadBudget()
        budget.recordFrame(at: host.nowMs())
        save(budget)
        _ = send(frame)
    }

    func startHeartbeat(intervalMs: Int64) {
        _ = host.cancelSchedule(id: keys.heartbeatSchedule)
        let outcome = host.scheduleRecurring(id: keys.heartbeatSchedule, cron: "@every \(intervalMs)ms",
                                             payload: SchedulePayload(.heartbeat, user: user.username).text)
        if let error = outcome.error { host.log(.error, "Cannot schedule Discord heartbeats for \(user.username): \(error)") }
    }

    /// One-time schedule under `base`; when called from that very schedule's callback (whose
    /// entry Navidrome removes only afterwards), the alternate id `base-again` is used.
    func scheduleOnce(_ base: String, delaySeconds: Int, _ payload: SchedulePayload, firingID: String?) {
        let id = firingID.map { ActivityText.equal($0, base) } == true ? base + "-again" : base
        if let error = host.scheduleOneTime(id: id, delaySeconds: delaySeconds, payload: payload.text).error {
            // A duplicate id means the same job is already pending, which is what we want.
            host.log(.debug, "Schedule \(id) not added: \(error)")
        }
    }
}
