import NavidromePDK

/// The agent's configuration, read afresh on every call (Navidrome gives each call a fresh
/// instance). Every service's root URL is configurable so a mirror, or a local fake in tests,
/// can stand in for it.
struct AgentSettings {
    /// How long fetched answers stay cached unless configured otherwise: one day.
    static let defaultCacheSeconds: Int64 = 86_400
    /// The project page named in the User-Agent when no contact is configured.
    static let projectURL = "https://github.com/tonearm/tonearm"

    /// MusicBrainz site root (API under `/ws/2`, pages under `/artist/…`, `/release/…`).
    var musicBrainzURL: String
    /// Cover Art Archive root.
    var coverArtURL: String
    /// Wikipedia root for the configured language.
    var wikipediaURL: String
    /// Wikidata root.
    var wikidataURL: String
    /// Wikipedia language code (`en`, `de`, `pt-br`, …).
    var language: String
    /// Sent with every request: MusicBrainz and Wikimedia block anonymous clients.
    var userAgent: String
    /// Cache time to live in seconds; 0 disables the cache.
    var cacheSeconds: Int64

    /// Reads the configuration; missing, empty or malformed values fall back to defaults.
    static func load() -> AgentSettings {
        let language = validLanguage(Extism.config("language")) ?? "en"
        let contact = Extism.config("contact") ?? ""
        var seconds = defaultCacheSeconds
        if let text = Extism.config("cacheSeconds"), let value = parseSeconds(text) { seconds = value }
        return AgentSettings(
            musicBrainzURL: url("musicbrainzURL", default: "https://musicbrainz.org"),
            coverArtURL: url("coverArtURL", default: "https://coverartarchive.org"),
            wikipediaURL: url("wikipediaURL", default: "https://" + language + ".wikipedia.org"),
            wikidataURL: url("wikidataURL", default: "https://www.wikidata.org"),
            language: language,
            userAgent: "Tonearm-metadata-musicbrainz/1.0.0 ( " + (contact.utf8.isEmpty ? projectURL : contact) + " )",
            cacheSeconds: seconds)
    }

    /// The configured URL for `key` without trailing slashes, or `fallback` when unset or empty.
    static func url(_ key: String, default fallback: String) -> String {
        let value = Extism.config(key) ?? ""
        return TextBytes.trimTrailingSlashes(value.utf8.isEmpty ? fallback : value)
    }

    /// `text` when it looks like a Wikipedia language code (ASCII letters and `-`, 2–12 bytes).
    static func validLanguage(_ text: String?) -> String? {
        guard let text, text.utf8.count >= 2, text.utf8.count <= 12 else { return nil }
        for b in text.utf8 {
            let letter = (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            guard letter || b == UInt8(ascii: "-") else { return nil }
        }
        return text
    }

    /// A non-negative whole number of seconds, or nil when `text` is not one.
    static func parseSeconds(_ text: String) -> Int64? {
        guard !text.utf8.isEmpty, text.utf8.count <= 12 else { return nil }
        var value: Int64 = 0
        for b in text.utf8 {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(b - UInt8(ascii: "0"))
        }
        return value
    }
}
