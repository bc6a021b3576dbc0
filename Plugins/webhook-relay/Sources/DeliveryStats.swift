import NavidromePDK

/// Delivery counts of one event kind for one user, kept in the KV store under
/// `stats/<event>/<username>`.
///
/// One key per user and kind because calls run in parallel: Navidrome delivers a user's buffered
/// scrobbles one at a time, so the read-modify-write of one key does not race with itself.
struct DeliveryStats {
    static let prefix = "stats/"

    var event: String
    var username: String
    var delivered: Int64 = 0
    var failed: Int64 = 0
    /// Unix seconds and HTTP status of the last successful delivery (0: none).
    var lastDeliveredAt: Int64 = 0
    var lastStatus: Int32 = 0
    /// Unix seconds and reason of the last failure (0: none).
    var lastFailedAt: Int64 = 0
    var lastError: String = ""

    static func key(event: String, username: String) -> String {
        prefix + event + "/" + username
    }

    /// Counts one attempt; a KV store failure is logged, never thrown: the event itself was
    /// handled, and failing the call would make Navidrome retry a delivered scrobble.
    static func record(event: String, username: String, at now: Int64, status: Int32, error: String?) {
        let key = key(event: event, username: username)
        do {
            var stats = DeliveryStats(event: event, username: username)
            if let stored = try KVStoreService.get(key: key) {
                stats = (try? DeliveryStats.decode(stored, event: event, username: username)) ?? stats
            }
            if let error {
                stats.failed += 1
                stats.lastFailedAt = now
                stats.lastError = error
            } else {
                stats.delivered += 1
                stats.lastDeliveredAt = now
                stats.lastStatus = status
            }
            try KVStoreService.set(key: key, value: stats.encoded())
        } catch {
            Log.warn("could not record the delivery of \(event) for \(username): \(error.text)")
        }
    }

    /// Every user's stats, sorted by key.
    static func all() throws(PluginError) -> [DeliveryStats] {
        let keys = try KVStoreService.list(prefix: prefix)
        guard !keys.isEmpty else { return [] }
        var result: [DeliveryStats] = []
        for (key, value) in try KVStoreService.getMany(keys: keys) {
            let rest = Array(key.utf8.dropFirst(prefix.utf8.count))
            guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { continue }
            let event = String(decoding: rest[..<slash], as: UTF8.self)
            let username = String(decoding: rest[(slash + 1)...], as: UTF8.self)
            if let stats = try? DeliveryStats.decode(value, event: event, username: username) {
                result.append(stats)
            }
        }
        return result
    }

    static func decode(_ bytes: [UInt8], event: String, username: String) throws(JSONError) -> DeliveryStats {
        guard let object = try JSONValue.parse(bytes).objectValue else { throw JSONError.mismatch("stats must be an object") }
        let json = JSONObjectReader(object)
        return DeliveryStats(
            event: event, username: username,
            delivered: try json.int64("delivered"), failed: try json.int64("failed"),
            lastDeliveredAt: try json.int64("lastDeliveredAt"), lastStatus: try json.int32("lastStatus"),
            lastFailedAt: try json.int64("lastFailedAt"), lastError: try json.string("lastError"))
    }

    func encoded() -> [UInt8] {
        var json = JSONObjectWriter()
        json.set("delivered", delivered)
        json.set("failed", failed)
        json.set("lastDeliveredAt", lastDeliveredAt, omitEmpty: true)
        json.set("lastStatus", lastStatus, omitEmpty: true)
        json.set("lastFailedAt", lastFailedAt, omitEmpty: true)
        json.set("lastError", lastError, omitEmpty: true)
        return JSONValue.object(json.object).serialized()
    }
}
