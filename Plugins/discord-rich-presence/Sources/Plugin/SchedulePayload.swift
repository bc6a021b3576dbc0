import NavidromePDK

/// What a schedule is for, carried in its payload as ``StoredFields`` (kind, user, track).
struct SchedulePayload {
    enum Kind: Int {
        /// `sendLock` holds ``UserKeys/sendLock``; its firing does nothing but end it.
        case heartbeat = 1, clear, flush, reconnect, identify, sendLock
    }

    var kind: Kind
    var user: String
    /// For `clear`: the track whose presence the timer ends.
    var trackID = ""

    init(_ kind: Kind, user: String, trackID: String = "") {
        self.kind = kind
        self.user = user
        self.trackID = trackID
    }

    /// The payload as ``StoredFields``.
    var text: String {
        StoredFields.text([String(kind.rawValue), user, trackID])
    }

    init?(text: String) {
        guard let fields = StoredFields.fields(text, count: 3), let raw = StoredFields.integer(fields[0]),
              raw >= 1, raw <= 6, let kind = Kind(rawValue: Int(raw)) else { return nil }
        self.kind = kind
        user = fields[1]
        trackID = fields[2]
    }
}
