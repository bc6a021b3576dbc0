import NavidromePDK

/// The configuration values a user's calls read, kept in the host cache while the plugin stays
/// loaded (`discord-config.user.<name in lower case>`), with `users` cut down to that user's
/// entry.
///
/// Navidrome and Tonearm fix a plugin's configuration for a load: a change unloads and reloads
/// the plugin, and unloading wipes its cache. So values read once stay right until the entry
/// expires. A call then reads a few hundred bytes from the cache instead of twenty-odd keys
/// and the whole `users` list (tens of KB with a thousand users) through the kernel.
/// `is_authorized` writes the entry after checking the whole list and finding the user, which
/// is why a call that finds the entry skips that check.
struct UserConfiguration {
    static let keyPrefix = "discord-config.user."
    static let ttlSeconds: Int64 = 24 * 3600

    /// Every key read that has a value, in reading order.
    private(set) var values: [(key: String, value: String)] = []

    init() {}

    /// The value of `key`, `nil` when the configuration has none.
    func value(_ key: String) -> String? {
        values.first { ActivityText.equal($0.key, key) }?.value
    }

    mutating func record(_ key: String, _ value: String) {
        values.append((key, value))
    }

    static func cacheKey(_ username: String) -> String {
        keyPrefix + ActivityText.asciiLowercased(username)
    }

    /// The entry of `username`, if `is_authorized` stored one during this load.
    static func cached(_ username: String, host: PluginHost) -> UserConfiguration? {
        guard let text = host.cacheString(cacheKey(username)) else { return nil }
        return UserConfiguration(text: text)
    }

    func store(_ username: String, host: PluginHost) {
        host.setCacheString(Self.cacheKey(username), text, ttlSeconds: Self.ttlSeconds)
    }

    /// Each pair as `<key bytes>:<value bytes>:` lengths followed by the key and the value,
    /// so any byte may appear in a value.
    var text: String {
        var out = ""
        for (key, value) in values {
            out += "\(key.utf8.count):\(value.utf8.count):" + key + value
        }
        return out
    }

    /// Reads ``text``; `nil` when it is not in that form.
    init?(text: String) {
        var text = text
        let parsed = text.withUTF8 { bytes -> [(key: String, value: String)]? in
            var pairs: [(key: String, value: String)] = []
            var index = 0
            func length() -> Int? {
                let (value, digits) = ActivityText.leadingDecimal(bytes, at: &index, maxDigits: 9)
                guard digits > 0, index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                return value
            }
            while index < bytes.count {
                guard let keyCount = length(), let valueCount = length(),
                      keyCount <= bytes.count - index, valueCount <= bytes.count - index - keyCount else { return nil }
                let key = String(decoding: bytes[index..<(index + keyCount)], as: UTF8.self)
                index += keyCount
                let value = String(decoding: bytes[index..<(index + valueCount)], as: UTF8.self)
                index += valueCount
                pairs.append((key, value))
            }
            return pairs
        }
        guard let parsed else { return nil }
        values = parsed
    }
}
