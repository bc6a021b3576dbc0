import NavidromePDK

/// What the music server says about itself and its songs, through the SubsonicAPI host
/// service: its product name (OpenSubsonic `type` in `ping`) and a song's year (`getSong`).
/// Answers are cached; a server that does not answer costs one call per hour at most.
struct MusicServer {
    /// The activity name when the server does not say what it is.
    static let fallbackName = "Music"

    let host: PluginHost

    /// The server's product name ("Navidrome", "Gonic", …) or ``fallbackName``, asked as `username`.
    func productName(username: String) -> String {
        let cacheKey = "server.product"
        if let cached = host.cacheString(cacheKey) { return cached.isEmpty ? Self.fallbackName : cached }
        var name = ""
        if let text = host.subsonicJSON(uri: "/ping?u=" + ActivityText.percentEncoded(username)),
           let type = (try? JSONValue.parse(text))?["subsonic-response"]?["type"]?.stringValue {
            name = Self.displayName(ofType: type)
        }
        host.setCacheString(cacheKey, name, ttlSeconds: name.isEmpty ? 3600 : 24 * 3600)
        return name.isEmpty ? Self.fallbackName : name
    }

    /// Whether `productName` (from ``productName(username:)``) is Navidrome, whose logo is then
    /// the default image.
    static func isNavidrome(_ productName: String) -> Bool {
        ActivityText.equal(productName, "Navidrome")
    }

    /// The release year of song `id`, 0 when unknown (cached a day per song).
    func year(ofSong id: String, username: String) -> Int {
        guard !id.isEmpty else { return 0 }
        let cacheKey = "server.year." + ActivityText.hashKey(id)
        if let cached = host.cacheInt(cacheKey) { return Int(cached) }
        var year = 0
        if let text = host.subsonicJSON(uri: "/getSong?u=\(ActivityText.percentEncoded(username))&id=\(ActivityText.percentEncoded(id))"),
           let value = (try? JSONValue.parse(text))?["subsonic-response"]?["song"]?["year"]?.int64Value,
           value > 0, value < 10_000 {
            year = Int(value)
        }
        host.setCacheInt(cacheKey, Int64(year), ttlSeconds: 24 * 3600)
        return year
    }

    /// OpenSubsonic `type` values as their projects write their names; others capitalised.
    static func displayName(ofType type: String) -> String {
        let trimmed = ActivityText.trimmed(type)
        let folded = ActivityText.asciiLowercased(trimmed)
        let known: [(String, String)] = [
            ("navidrome", "Navidrome"), ("gonic", "gonic"), ("supysonic", "Supysonic"), ("ampache", "Ampache"),
            ("airsonic-advanced", "Airsonic-Advanced"), ("lms", "LMS"), ("nextcloud music", "Nextcloud Music"),
            ("funkwhale", "Funkwhale"), ("astiga", "Astiga"), ("subsonic", "Subsonic"),
        ]
        for (type, name) in known where ActivityText.equal(folded, type) { return name }
        var bytes = Array(trimmed.utf8)
        guard let first = bytes.first else { return "" }
        if first >= 0x61 && first <= 0x7A { bytes[0] = first - 0x20 }
        return Activity.text(String(decoding: bytes, as: UTF8.self)) ?? ""
    }
}
