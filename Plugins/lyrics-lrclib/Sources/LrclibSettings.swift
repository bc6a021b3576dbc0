import NavidromePDK

/// The plugin's configuration, read afresh on every call (Navidrome gives each call a fresh
/// instance, so nothing is kept between calls).
struct LrclibSettings {
    /// The public LRCLIB server.
    static let defaultBaseURL = "https://lrclib.net"
    /// How long a lookup result is cached unless configured otherwise: one hour.
    static let defaultCacheSeconds: Int64 = 3600

    /// Root URL of the LRCLIB server, without a trailing slash.
    var baseURL: String
    /// Cache time to live in seconds; 0 disables the cache.
    var cacheSeconds: Int64

    /// Reads `baseURL` and `cacheSeconds` from the plugin configuration; a missing, empty or
    /// malformed value falls back to its default.
    static func load() -> LrclibSettings {
        var base = Extism.config("baseURL") ?? ""
        if base.utf8.isEmpty { base = defaultBaseURL }
        var seconds = defaultCacheSeconds
        if let text = Extism.config("cacheSeconds"), let value = parseSeconds(text) { seconds = value }
        return LrclibSettings(baseURL: trimTrailingSlashes(base), cacheSeconds: seconds)
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

    /// `url` without trailing `/` characters.
    static func trimTrailingSlashes(_ url: String) -> String {
        var bytes = Array(url.utf8)
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
