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

    /// ``text`` as bytes; the keys and values are ranges of it, made into strings only when read.
    private var bytes: [UInt8] = []
    /// Every key read that has a value, in reading order.
    private var entries: [(key: Range<Int>, value: Range<Int>)] = []
    /// Where the next lookup starts: a configuration is read in the order it was recorded, so a
    /// key found is usually the one after the last.
    private var next = 0

    init() {}

    /// The value of `key`, `nil` when the configuration has none.
    mutating func value(_ key: String) -> String? {
        let count = entries.count
        return ActivityText.withBytes(key) { wanted -> String? in
            for step in 0..<count {
                let index = (next + step) % count
                let entry = entries[index]
                guard entry.key.count == wanted.count, bytes.withUnsafeBufferPointer({
                    UnsafeBufferPointer(rebasing: $0[entry.key]).hasSameBytes(as: wanted)
                }) else { continue }
                next = index + 1
                return String(decoding: bytes[entry.value], as: UTF8.self)
            }
            return nil
        }
    }

    mutating func record(_ key: String, _ value: String) {
        entries.append((StoredFields.append(key, to: &bytes), StoredFields.append(value, to: &bytes)))
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

    /// The keys and values, alternating, as ``StoredFields``.
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Reads ``text``; `nil` when it is not in that form.
    init?(text: String) {
        let bytes = ActivityText.withBytes(text) { Array($0) }
        guard let fields = StoredFields.ranges(bytes), fields.count % 2 == 0 else { return nil }
        self.bytes = bytes
        entries = stride(from: 0, to: fields.count, by: 2).map { (fields[$0], fields[$0 + 1]) }
    }
}
