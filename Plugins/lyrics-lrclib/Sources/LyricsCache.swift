import NavidromePDK

/// Lookup results kept in Navidrome's cache service. A stored value is `+` followed by the
/// lyrics text, or `-` for "LRCLIB has no lyrics for this track". Cache failures never fail a
/// lookup: they are logged and the lookup goes to LRCLIB.
enum LyricsCache {
    /// What the cache knows about a query.
    enum Entry {
        /// Nothing cached (or the cache is off or failing).
        case miss
        /// LRCLIB had no lyrics.
        case none
        /// LRCLIB's lyrics text.
        case lyrics(String)
    }

    /// The cached result for `key`.
    static func read(_ key: String, settings: LrclibSettings) -> Entry {
        guard settings.cacheSeconds > 0 else { return .miss }
        let stored: String?
        do {
            stored = try CacheService.getString(key: key)
        } catch {
            Log.warn("lyrics cache unavailable: \(error.text)")
            return .miss
        }
        guard let stored, let marker = stored.utf8.first else { return .miss }
        if marker == UInt8(ascii: "-") { return .none }
        guard marker == UInt8(ascii: "+") else { return .miss }
        return .lyrics(String(decoding: stored.utf8.dropFirst(), as: UTF8.self))
    }

    /// Stores a result (`nil` = no lyrics) for the configured time.
    static func write(_ key: String, _ text: String?, settings: LrclibSettings) {
        guard settings.cacheSeconds > 0 else { return }
        let value = text.map { "+" + $0 } ?? "-"
        do {
            try CacheService.setString(key: key, value: value, ttlSeconds: settings.cacheSeconds)
        } catch {
            Log.warn("lyrics cache unavailable: \(error.text)")
        }
    }
}
