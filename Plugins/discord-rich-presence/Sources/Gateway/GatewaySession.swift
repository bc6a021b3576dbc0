import NavidromePDK

/// One user's gateway session as kept in the host cache between calls
/// (`discord.<user>.session`). No entry means no connection and nothing to resume.
struct GatewaySession {
    enum Phase: Int {
        /// Socket opened, waiting for Hello.
        case connecting = 0
        /// Identify sent, waiting for READY.
        case identifying = 1
        /// Resume sent, waiting for RESUMED.
        case resuming = 2
        /// READY or RESUMED received: presence updates may go out.
        case ready = 3
        /// The socket is gone; a reconnect may be scheduled.
        case disconnected = 4
    }

    var phase: Phase = .connecting
    /// From READY; empty when there is nothing to resume.
    var sessionID = ""
    /// From READY (bare host URL); empty when unknown.
    var resumeURL = ""
    var heartbeatIntervalMs: Int64 = 41_250
    /// When the socket was opened (unix ms), to spot a handshake that never completes.
    var openedAt: Int64 = 0
    /// Whether the last heartbeat was acknowledged (op 11).
    var acknowledged = true
    /// Reconnect attempts since the last READY/RESUMED.
    var attempts = 0
    var budget = SendBudget()

    init() {}

    var canResume: Bool { !sessionID.isEmpty }

    var json: JSONValue {
        var o = JSONObject()
        o["phase"] = .int(Int64(phase.rawValue))
        o["session_id"] = .string(sessionID)
        o["resume_url"] = .string(resumeURL)
        o["interval"] = .int(heartbeatIntervalMs)
        o["opened"] = .int(openedAt)
        o["acked"] = .bool(acknowledged)
        o["attempts"] = .int(Int64(attempts))
        o["budget"] = .string(budget.encoded)
        return .object(o)
    }

    init?(text: String) {
        guard let value = try? JSONValue.parse(text), let o = value.objectValue else { return nil }
        phase = Phase(rawValue: Int(o["phase"]?.int64Value ?? 4)) ?? .disconnected
        sessionID = o["session_id"]?.stringValue ?? ""
        resumeURL = o["resume_url"]?.stringValue ?? ""
        heartbeatIntervalMs = o["interval"]?.int64Value ?? 41_250
        openedAt = o["opened"]?.int64Value ?? 0
        acknowledged = o["acked"]?.boolValue ?? true
        attempts = Int(o["attempts"]?.int64Value ?? 0)
        budget = SendBudget(encoded: o["budget"]?.stringValue ?? "")
    }
}

/// The presence the user should have on Discord (`discord.<user>.presence`): the Presence
/// Update frame and whether it still has to be delivered (waiting for READY or for the rate
/// limit). No entry means "no presence".
struct PresenceRecord {
    /// The op 3 frame to send.
    var frame: String
    var trackID: String
    var start: Int64
    var paused: Bool
    var pending = true

    init(frame: String, trackID: String, start: Int64, paused: Bool) {
        self.frame = frame
        self.trackID = trackID
        self.start = start
        self.paused = paused
    }

    /// Whether `other` shows the same thing (same track and state, start within 3 s), so
    /// re-sending would only spend rate limit.
    func sameShow(as other: PresenceRecord) -> Bool {
        ActivityText.equal(trackID, other.trackID) && paused == other.paused
            && (start - other.start < 3000 && other.start - start < 3000)
    }

    var json: JSONValue {
        var o = JSONObject()
        o["frame"] = .string(frame)
        o["track"] = .string(trackID)
        o["start"] = .int(start)
        o["paused"] = .bool(paused)
        o["pending"] = .bool(pending)
        return .object(o)
    }

    init?(text: String) {
        guard let value = try? JSONValue.parse(text), let o = value.objectValue,
              let frame = o["frame"]?.stringValue else { return nil }
        self.frame = frame
        trackID = o["track"]?.stringValue ?? ""
        start = o["start"]?.int64Value ?? 0
        paused = o["paused"]?.boolValue ?? false
        pending = o["pending"]?.boolValue ?? true
    }
}

/// Cache keys and schedule ids of one user. The WebSocket connection id is the username.
struct UserKeys {
    let user: String

    var session: String { "discord.\(user).session" }
    var sequence: String { "discord.\(user).seq" }
    var presence: String { "discord.\(user).presence" }
    /// Last PlaybackReport seen (track and state), so NowPlaying can stand aside.
    var report: String { "discord.\(user).report" }
    /// Set after a fatal close code: `{"until": ms (0 = until reload), "reason": …}`.
    var blocked: String { "discord.\(user).blocked" }
    /// Closes the plugin itself started and whose callbacks are still to come.
    var expectedCloses: String { "discord.\(user).closing" }

    var heartbeatSchedule: String { "\(user)-heartbeat" }
    var clearSchedule: String { "\(user)-clear" }
    var flushSchedule: String { "\(user)-flush" }
    var reconnectSchedule: String { "\(user)-reconnect" }
    var identifySchedule: String { "\(user)-identify" }
}
