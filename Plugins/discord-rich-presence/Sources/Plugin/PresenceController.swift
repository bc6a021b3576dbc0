import NavidromePDK

/// The plugin's behaviour, one method per capability call. Stateless: configuration is read on
/// every call and all state is in the host (cache, WebSocket connections, schedules).
///
/// NowPlaying and PlaybackReport coexist: a PlaybackReport (Navidrome 0.62+) is remembered per
/// user, and a NowPlaying for the track it already covers stands aside; without reports
/// (Navidrome 0.61, other hosts) NowPlaying alone drives the presence and its clear timer.
struct PresenceController {
    let host: PluginHost

    init(host: PluginHost) {
        self.host = host
    }

    // MARK: Scrobbler

    /// Whether `username` has a valid configuration and is not stopped by a fatal gateway error.
    /// Every playback event asks this first, so this is where the configuration is checked
    /// whole and the user's ``UserConfiguration`` stored for the calls that follow.
    func isAuthorized(username: String) -> Bool {
        let settings: PluginSettings
        do {
            if var stored = UserConfiguration.cached(username, host: host) {
                settings = try PluginSettings.load({ stored.value($0) }, onlyUser: username, scope: .connection)
            } else {
                guard let read = try readConfiguration(for: username) else { return false }
                settings = read
            }
        } catch {
            host.log(.error, "Discord Rich Presence is not configured: " + error.message)
            return false
        }
        guard let user = settings.user(named: username) else {
            host.log(.info, "User \(username) has no Discord token in the plugin configuration ('users')")
            return false
        }
        if let reason = GatewayClient(host: host, user: user, settings: settings).blockedReason() {
            host.log(.warn, "User \(username) is not authorized for Discord: \(reason)")
            return false
        }
        return true
    }

    /// The configuration read from the host, or `nil` when the `users` list fails its whole
    /// check (logged). When `username` is configured, its ``UserConfiguration`` is stored.
    private func readConfiguration(for username: String) throws(ConfigError) -> PluginSettings? {
        var stored = UserConfiguration()
        var usersValue = ""
        let settings = try PluginSettings.load({ key in
            let value = host.config(key)
            if ActivityText.equal(key, "users") {
                usersValue = value ?? ""
            } else if let value {
                stored.record(key, value)
            }
            return value
        }, onlyUser: username)
        guard UsersListCheck.isValid(usersValue, host: host) else { return nil }
        if let user = settings.user(named: username), let entry = DiscordUser.entryList(of: user, in: usersValue) {
            stored.record("users", entry)
            stored.store(username, host: host)
        }
        return settings
    }

    /// NowPlaying: show the track from `positionSeconds` on, clear it when it should have ended.
    func nowPlaying(username: String, track: TrackSummary, positionSeconds: Int) -> String? {
        // PlaybackReport, sent just before, is usually in charge of this track already: asked
        // under the name as Navidrome spells it before the configuration is read (most of this
        // call's work with many users), then under the configured spelling.
        if reportStandsFor(track, UserKeys(user: username)) { return nil }
        guard let settings = loadSettings(onlyUser: username, logWarnings: true) else { return Self.notAuthorized("invalid plugin configuration") }
        guard let user = settings.user(named: username) else { return Self.notAuthorized("no Discord token for \(username)") }
        let keys = UserKeys(user: user.username)
        if !user.username.hasSameUTF8(as: username), reportStandsFor(track, keys) { return nil }
        let client = GatewayClient(host: host, user: user, settings: settings)
        let now = host.nowMs()
        let (start, end) = PlaybackClock.playing(reportMs: now, positionMs: Int64(positionSeconds) * 1000, rate: 1,
                                                 durationSeconds: track.durationSeconds)
        let problem = show(track, .playing(start: start, end: end), client)
        if let end { scheduleClear(client, trackID: track.identity, delaySeconds: Int((end - now + 999) / 1000) + 5) }
        return problem
    }

    /// PlaybackReport: playing/starting show running timestamps, paused a pause state,
    /// stopped/expired clear the presence and close the connection.
    func playbackReport(username: String, track: TrackSummary, state rawState: String, positionMs: Int64,
                               playbackRate: Double, playerName: String, timestampSeconds: Int64) -> String? {
        guard let settings = loadSettings(onlyUser: username, logWarnings: true) else { return Self.notAuthorized("invalid plugin configuration") }
        guard let user = settings.user(named: username) else { return Self.notAuthorized("no Discord token for \(username)") }
        let client = GatewayClient(host: host, user: user, settings: settings)
        let state = ActivityText.asciiLowercased(rawState)
        var track = track
        track.playerName = playerName
        let now = host.nowMs()
        let reportMs = timestampSeconds > 0 ? timestampSeconds * 1000 : now

        if settings.ignores(player: playerName, for: user) {
            saveReport(client.keys, track: track.identity, state: "ignored")
            if isOneOf(state, ["starting", "playing"]), client.loadPresence() != nil {
                client.stop(reason: "player \(playerName) is ignored and shows its own presence")
            }
            return nil
        }
        saveReport(client.keys, track: track.identity, state: state)
        if isOneOf(state, ["starting", "playing"]) {
            let (start, end) = PlaybackClock.playing(reportMs: reportMs, positionMs: positionMs, rate: playbackRate,
                                                     durationSeconds: track.durationSeconds)
            let problem = show(track, .playing(start: start, end: end), client)
            if let end {
                scheduleClear(client, trackID: track.identity, delaySeconds: Int((end - now + 999) / 1000) + 5)
            } else {
                _ = host.cancelSchedule(id: client.keys.clearSchedule)
            }
            return problem
        }
        if isOneOf(state, ["paused"]) {
            let problem = show(track, .paused(since: reportMs), client)
            _ = host.cancelSchedule(id: client.keys.clearSchedule)
            if settings.pauseTimeoutSeconds > 0 {
                scheduleClear(client, trackID: track.identity, delaySeconds: settings.pauseTimeoutSeconds)
            }
            return problem
        }
        if isOneOf(state, ["stopped", "expired"]) {
            client.stop(reason: "playback \(state)")
            return nil
        }
        host.log(.debug, "Ignoring playback state '\(rawState)' for \(username)")
        return nil
    }

    // MARK: WebSocketCallback

    /// A gateway frame. Unrelated dispatches cost a scan and one cache write (the sequence).
    func onTextMessage(connectionID: String, message: [UInt8]) {
        let event: GatewayEvent
        do {
            event = try GatewayEvent(message)
        } catch {
            host.log(.warn, "Unreadable Discord gateway message for \(connectionID): \(error.message)")
            return
        }
        let keys = UserKeys(user: connectionID)
        if let sequence = event.sequence {
            host.setCacheInt(keys.sequence, sequence, ttlSeconds: GatewayClient.ttlSeconds)
        }
        var readyKind = 0  // 1 READY, 2 RESUMED
        switch event.op {
        case GatewayEvent.Opcode.dispatch:
            guard let type = try? event.type() else { return }
            if ActivityText.equal(type, "READY") {
                readyKind = 1
            } else if ActivityText.equal(type, "RESUMED") {
                readyKind = 2
            } else if ActivityText.equal(type, "SESSIONS_REPLACE") {
                sessionsReplaced(event, keys: keys)
                return
            } else {
                return
            }
        case GatewayEvent.Opcode.hello, GatewayEvent.Opcode.heartbeat, GatewayEvent.Opcode.heartbeatACK,
             GatewayEvent.Opcode.reconnect, GatewayEvent.Opcode.invalidSession:
            break
        default:
            return
        }
        // Heartbeats and their ACKs are most of the traffic: they touch only the cache and the
        // connection, and read the configuration only when something else must happen.
        if event.op == GatewayEvent.Opcode.heartbeatACK {
            host.setCacheInt(keys.acknowledged, 1, ttlSeconds: GatewayClient.ttlSeconds)
            return
        }
        if event.op == GatewayEvent.Opcode.heartbeat {
            let beat = GatewayClient.beat(host: host, keys: keys, requested: true)
            if case .sent = beat { return }
            client(for: connectionID)?.finish(beat)
            return
        }
        guard let client = client(for: connectionID) else { return }
        switch event.op {
        case GatewayEvent.Opcode.dispatch: client.ready(event, resumed: readyKind == 2)
        case GatewayEvent.Opcode.hello: client.hello(event)
        case GatewayEvent.Opcode.reconnect:
            host.log(.info, "Discord asked \(connectionID) to reconnect (op 7)")
            if let session = client.loadSession() { client.reconnect(session) }
        default:
            client.invalidSession(resumable: event.dataFlag() ?? false)
        }
    }

    /// The account's sessions changed: show or hide the presence when the user's own client
    /// became visible or invisible. Discord sends this after each of our own presence updates
    /// too, so the configuration is read only on a change.
    func sessionsReplaced(_ event: GatewayEvent, keys: UserKeys) {
        // Without an invisible session and with the user not marked invisible, nothing changes:
        // the usual case, told by a scan of the list instead of reading it.
        if let raw = event.frame.rawValue("d"), !ClientVisibility.mentionsInvisible(raw),
           host.cacheInt(keys.invisible) != 1 { return }
        guard let text = host.cacheString(keys.session), let session = GatewaySession(text: text),
              let sessions = try? event.frame.value("d") else { return }
        let invisible = ClientVisibility.isInvisible(sessions: sessions, ownSessionID: session.sessionID)
        if (host.cacheInt(keys.invisible) == 1) == invisible { return }
        guard let client = client(for: keys.user) else { return }
        if client.noteVisibility(invisible: invisible) { client.deliverPresence(resend: false, firingID: nil) }
    }

    /// A connection error; Navidrome reports every close code but 1000/1001/1005 this way
    /// ("websocket: close 4004 …").
    func onError(connectionID: String, error: String) {
        connectionLost(connectionID, code: CloseReason.code(inErrorText: error), detail: error)
    }

    /// A close with code 1000, 1001 or 1005 (or any code, in hosts that report them here).
    func onClose(connectionID: String, code: Int, reason: String) {
        connectionLost(connectionID, code: code, detail: "close \(code)" + (reason.isEmpty ? "" : " " + reason))
    }

    // MARK: SchedulerCallback

    func onSchedule(scheduleID: String, payload: String) {
        guard let job = SchedulePayload(text: payload) else {
            host.log(.warn, "Unknown schedule \(scheduleID); cancelling it")
            _ = host.cancelSchedule(id: scheduleID)
            return
        }
        if job.kind == .heartbeat {
            let beat = GatewayClient.beat(host: host, keys: UserKeys(user: job.user), requested: false)
            switch beat {
            case .sent: return
            case .noSession:
                // Nothing left to keep alive: no need to read the configuration to stop.
                _ = host.cancelSchedule(id: scheduleID)
                return
            case .missingACK, .sendFailed: break
            }
            guard let client = client(for: job.user) else {
                _ = host.cancelSchedule(id: scheduleID)
                return
            }
            client.finish(beat)
            return
        }
        guard let client = client(for: job.user) else { return }
        switch job.kind {
        case .heartbeat: break  // handled above
        case .flush: client.deliverPresence(resend: false, firingID: scheduleID)
        case .reconnect: client.reconnectNow(firingID: scheduleID)
        case .identify: client.identifyAgain()
        case .sendLock: break  // a call that held the lock ended without releasing it
        case .clear:
            guard let record = client.loadPresence(), ActivityText.equal(record.trackID, job.trackID) else { return }
            client.stop(reason: record.paused ? "paused longer than the pause timeout" : "track ended")
        }
    }

    // MARK: Helpers

    static func notAuthorized(_ detail: String) -> String {
        "scrobbler(not_authorized): " + detail
    }

    /// The configuration, its `users` holding just `onlyUser` (the other entries unchecked:
    /// `is_authorized` checks the whole list, see ``UsersListCheck``), from the user's
    /// ``UserConfiguration`` when `is_authorized` stored one. Playback events log the warnings
    /// about optional keys, one line each per event.
    func loadSettings(onlyUser: String, logWarnings: Bool = false) -> PluginSettings? {
        do {
            let settings: PluginSettings
            if var stored = UserConfiguration.cached(onlyUser, host: host) {
                settings = try PluginSettings.load({ stored.value($0) }, onlyUser: onlyUser)
            } else {
                settings = try PluginSettings.load({ host.config($0) }, onlyUser: onlyUser)
            }
            if logWarnings { for warning in settings.warnings { host.log(.warn, warning) } }
            return settings
        } catch {
            host.log(.error, "Discord Rich Presence is not configured: " + error.message)
            return nil
        }
    }

    /// The client of a connection's user, or `nil` (and the connection closed) when the user
    /// is no longer configured.
    func client(for username: String) -> GatewayClient? {
        guard let settings = loadSettings(onlyUser: username) else { return nil }
        guard let user = settings.user(named: username) else {
            host.log(.warn, "Discord connection \(username) belongs to no configured user; closing it")
            _ = host.webSocketClose(connectionID: username, code: 1000, reason: "user not configured")
            return nil
        }
        return GatewayClient(host: host, user: user, settings: settings)
    }

    func connectionLost(_ connectionID: String, code: Int?, detail: String) {
        if let client = client(for: connectionID) {
            client.connectionLost(code: code, detail: detail)
        }
    }

    /// Builds the activity, resolves art and links, and publishes it (deduplicating repeats).
    /// A track a privacy filter clears never reaches Discord, not even its artwork URL.
    func show(_ track: TrackSummary, _ playback: ActivityBuilder.Playback, _ client: GatewayClient) -> String? {
        let user = client.user
        let settings = client.settings
        let privacy = settings.privacy(of: track, for: user)
        if case .clear? = privacy {
            client.stop(reason: "the track matches a privacy filter")
            return nil
        }
        let hidden = user.hideDetails || privacy != nil
        let server = MusicServer(host: host)
        // Asked of the server (through the cache) at most once per call, and only when needed.
        var productName: String?
        func product() -> String {
            if let productName { return productName }
            let name = server.productName(username: user.username)
            productName = name
            return name
        }
        let serverName = settings.serverName ?? product()
        var track = track
        if !hidden, settings.detailsTemplate.usesYear || settings.stateTemplate.usesYear || settings.largeTextTemplate.usesYear {
            track.year = server.year(ofSong: track.id, username: user.username)
        }
        var activity = ActivityBuilder.build(track: track, playback: playback, user: user, settings: settings,
                                             serverName: serverName, generic: privacy != nil)
        var paused = false
        if case .paused = playback { paused = true }
        var record = PresenceRecord(frame: "", trackID: track.identity, start: activity.start, paused: paused)
        if let current = client.loadPresence(), current.sameShow(as: record),
           let session = client.loadSession(), session.phase != .disconnected {
            return nil  // already shown (or on its way)
        }
        let art = ArtworkResolver(host: host, user: user, settings: settings)
        let defaultImage = settings.defaultImageURL ?? (MusicServer.isNavidrome(product()) ? ArtworkResolver.navidromeLogoURL : nil)
        activity.largeImage = art.largeImage(for: track, hidden: hidden, defaultImage: defaultImage)
        if activity.largeImage != nil {
            if paused {
                activity.smallImage = art.pauseIcon()
            } else if settings.overlay, let url = settings.overlayImageURL ?? defaultImage {
                activity.smallImage = art.assetKey(url, ttlSeconds: 48 * 3600)
                activity.smallText = serverName
            }
        }
        if !hidden {
            (activity.detailsURL, activity.stateURL, activity.largeURL) = settings.links.urls(track, host: host)
        }
        record.frame = GatewayFrame.presenceUpdate(activity, status: user.status)
        client.save(record)
        let session = client.loadSession()
        if let problem = client.ensureConnected(session: session) { return problem }
        // On a connection still in its handshake, READY delivers the stored presence, possibly
        // already, on another instance; delivering here too could send it twice, and the second
        // send would count against Discord's rate limit.
        if let session, session.phase == .ready { client.deliverPresence(resend: false, firingID: nil, session: session, stored: record) }
        return nil
    }

    func scheduleClear(_ client: GatewayClient, trackID: String, delaySeconds: Int) {
        let id = client.keys.clearSchedule
        _ = host.cancelSchedule(id: id)
        let payload = SchedulePayload(.clear, user: client.user.username, trackID: trackID)
        if let error = host.scheduleOneTime(id: id, delaySeconds: max(delaySeconds, 1), payload: payload.text).error {
            host.log(.warn, "Cannot schedule the presence clear for \(client.user.username): \(error)")
        }
    }

    /// Whether the user's last PlaybackReport is in charge of `track`, so NowPlaying stands aside.
    private func reportStandsFor(_ track: TrackSummary, _ keys: UserKeys) -> Bool {
        guard let text = host.cacheString(keys.report), let fields = StoredFields.fields(text, count: 2) else { return false }
        let (reported, state) = (fields[0], fields[1])
        return ActivityText.equal(reported, track.identity) && isOneOf(state, ["starting", "playing", "paused", "ignored"])
    }

    func saveReport(_ keys: UserKeys, track: String, state: String) {
        host.setCacheString(keys.report, StoredFields.text([track, state]), ttlSeconds: 6 * 3600)
    }

    func isOneOf(_ value: String, _ options: [String]) -> Bool {
        options.contains { ActivityText.equal($0, value) }
    }
}
