import NavidromePDK

/// The presence the user should have on Discord (`discord.<user>.presence`): the Presence
/// Update frame and what it shows. It is still to be delivered (waiting for READY or for the
/// rate limit) while it differs from ``UserKeys/delivered``. No entry means "no presence".
struct PresenceRecord {
    /// The op 3 frame to send.
    var frame: String
    var trackID: String
    var start: Int64
    var paused: Bool

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

    /// The record as ``StoredFields``.
    var text: String {
        StoredFields.text([trackID, String(start), paused ? "1" : "0", frame])
    }

    init?(text: String) {
        guard let fields = StoredFields.fields(text, count: 4), let start = StoredFields.integer(fields[1]) else { return nil }
        trackID = fields[0]
        self.start = start
        paused = ActivityText.equal(fields[2], "1")
        frame = fields[3]
    }
}
