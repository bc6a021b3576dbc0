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
