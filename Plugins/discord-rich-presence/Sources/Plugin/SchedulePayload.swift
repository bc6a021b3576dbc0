import NavidromePDK

/// What a schedule is for, carried in its payload as `{"kind","user","track"}`.
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

    var text: String {
        var o = JSONObject()
        o["kind"] = .int(Int64(kind.rawValue))
        o["user"] = .string(user)
        if !trackID.isEmpty { o["track"] = .string(trackID) }
        return JSONValue.object(o).serializedString()
    }

    init?(text: String) {
        guard let value = try? JSONValue.parse(text), let o = value.objectValue,
              let raw = o["kind"]?.int64Value, let kind = Kind(rawValue: Int(raw)),
              let user = o["user"]?.stringValue else { return nil }
        self.kind = kind
        self.user = user
        trackID = o["track"]?.stringValue ?? ""
    }
}
