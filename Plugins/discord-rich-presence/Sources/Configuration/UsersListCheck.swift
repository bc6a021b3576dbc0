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

    /// The value's length and an FNV-1a-style hash of its bytes taken eight at a time (little
    /// endian; the last zero to seven bytes one at a time): far fewer interpreted steps than a
    /// hash byte by byte. `RuntimeBenchmarks` computes the same fingerprint for its fixtures.
    static func fingerprint(_ value: String) -> String {
        var value = value
        let hashed = value.withUTF8 { bytes -> UInt64 in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            let words = bytes.count / 8
            let raw = UnsafeRawBufferPointer(bytes)
            for index in 0..<words {
                hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self))) &* 0x100_0000_01b3
            }
            for byte in bytes[(words * 8)...] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return hash
        }
        return "\(value.utf8.count)-\(hashed)"
    }

    /// Whether `value` passed the whole check, now or earlier; logs why not.
    static func isValid(_ value: String, host: PluginHost) -> Bool {
        if value.utf8.count <= uncachedBytes { return check(value, host: host) }
        let fingerprint = fingerprint(value)
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
