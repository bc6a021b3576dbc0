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
    /// Reconnect attempts since the last READY/RESUMED.
    var attempts = 0

    init() {}

    var canResume: Bool { !sessionID.isEmpty }

    /// The session as ``StoredFields``.
    var text: String {
        StoredFields.text([String(phase.rawValue), sessionID, resumeURL, String(heartbeatIntervalMs), String(openedAt), String(attempts)])
    }

    init?(text: String) {
        guard let fields = StoredFields.fields(text, count: 6), let phase = StoredFields.integer(fields[0]),
              let interval = StoredFields.integer(fields[3]), let opened = StoredFields.integer(fields[4]),
              let attempts = StoredFields.integer(fields[5]), attempts >= 0, attempts <= 1_000_000 else { return nil }
        self.phase = (0...4).contains(phase) ? Phase(rawValue: Int(phase)) ?? .disconnected : .disconnected
        sessionID = fields[1]
        resumeURL = fields[2]
        heartbeatIntervalMs = interval
        openedAt = opened
        self.attempts = Int(attempts)
    }
}
