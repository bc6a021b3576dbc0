import NavidromePDK

/// Where runs leave their results in the KV store (it survives reloads and restarts).
enum DigestStore {
    /// The latest successful ``Digest`` as JSON.
    static let digestKey = "digest"
    /// The outcome of the last run: `{"ok":true,"at":…,"user":…}` or with `"error"`.
    static let lastRunKey = "last-run"

    static func saveDigest(_ digest: Digest) throws(PluginError) {
        try KVStoreService.set(key: digestKey, value: digest.jsonValue.serialized())
    }

    static func saveOutcome(at: Int64, user: String, error: String?) throws(PluginError) {
        var json = JSONObjectWriter()
        json.set("ok", error == nil)
        json.set("at", at)
        json.set("user", user, omitEmpty: true)
        if let error { json.set("error", error) }
        try KVStoreService.set(key: lastRunKey, value: JSONValue.object(json.object).serialized())
    }
}
