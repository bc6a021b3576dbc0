import NavidromePDK

/// The whole `users` list (every entry, no name twice) is checked once per value, not on every
/// call: the fingerprint of the value last found valid stays in the cache. Calls that concern one
/// user read only that user's entry (``DiscordUser/parseList(_:only:)``), so with a thousand
/// users a playback event costs a scan of the value instead of a thousand entries parsed.
enum UsersListCheck {
    static let cacheKey = "discord-config.users-checked"
    static let ttlSeconds: Int64 = 3600
    /// A value this short (a few dozen users) is checked on every call: that costs less than
    /// the cache round trip.
    static let uncachedBytes = 1024

    /// Whether `value` passed the whole check, now or earlier; logs why not.
    static func isValid(_ value: String, host: PluginHost) -> Bool {
        if value.utf8.count <= uncachedBytes { return check(value, host: host) }
        let fingerprint = ActivityText.fingerprint(value)
        if let checked = host.cacheString(cacheKey), ActivityText.equal(checked, fingerprint) { return true }
        guard check(value, host: host) else { return false }
        host.setCacheString(cacheKey, fingerprint, ttlSeconds: ttlSeconds)
        return true
    }

    private static func check(_ value: String, host: PluginHost) -> Bool {
        do {
            _ = try DiscordUser.parseList(value)
            return true
        } catch {
            host.log(.error, "Discord Rich Presence is not configured: " + error.message)
            return false
        }
    }
}
