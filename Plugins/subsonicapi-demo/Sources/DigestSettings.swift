import NavidromePDK

/// The plugin configuration. Navidrome never fills in the schema's defaults, so every key may be
/// missing; the defaults live here.
struct DigestSettings {
    /// Largest `size` getAlbumList2 accepts.
    static let maxAlbumCount = 500
    /// Newest albums listed when `albumCount` is not set.
    static let defaultAlbumCount = 10
    /// Refresh schedule when `schedule` is not set.
    static let defaultSchedule = "@every 15m"

    /// Username to call the Subsonic API as; empty for "the first assigned user".
    var user: String
    /// How many of the newest albums to list (1...500).
    var albumCount: Int
    /// Cron expression or descriptor of the recurring refresh.
    var schedule: String

    /// Reads the configuration; a malformed `albumCount` is an error naming the value.
    static func load() throws(PluginError) -> DigestSettings {
        let user = Extism.config("user") ?? ""
        var albumCount = defaultAlbumCount
        if let text = Extism.config("albumCount"), !text.utf8.isEmpty {
            guard let count = wholeNumber(text), count >= 1, count <= maxAlbumCount else {
                throw PluginError("albumCount must be a whole number from 1 to \(maxAlbumCount), not '\(text)'")
            }
            albumCount = count
        }
        var schedule = Extism.config("schedule") ?? ""
        if schedule.utf8.isEmpty { schedule = defaultSchedule }
        return DigestSettings(user: user, albumCount: albumCount, schedule: schedule)
    }

    /// `text` as a non-negative decimal integer (at most 9 digits), else `nil`.
    static func wholeNumber(_ text: String) -> Int? {
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 9 else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits == 0 ? nil : value
    }
}
