import NavidromePDK

/// The members of an LRCLIB lyrics record (`GET /api/get`, 200) this plugin reads. LRCLIB sends
/// `null` for lyrics it does not have; they read as empty strings here.
struct LrclibRecord {
    /// Time-synced lyrics in LRC format (`[mm:ss.xx] line`), or empty.
    var syncedLyrics: String
    /// Unsynced lyrics text, or empty.
    var plainLyrics: String
    /// True when LRCLIB records the track as instrumental (no lyrics at all).
    var instrumental: Bool

    /// The text to give Navidrome: synced lyrics when there are any, else plain lyrics; nil for
    /// an instrumental track or a record without either.
    var bestText: String? {
        if instrumental { return nil }
        if !syncedLyrics.utf8.isEmpty { return syncedLyrics }
        if !plainLyrics.utf8.isEmpty { return plainLyrics }
        return nil
    }
}

extension LrclibRecord: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(syncedLyrics: json.string("syncedLyrics"), plainLyrics: json.string("plainLyrics"),
                      instrumental: json.bool("instrumental"))
    }
}
