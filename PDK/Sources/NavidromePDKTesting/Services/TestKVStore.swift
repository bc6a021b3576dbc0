import NavidromeJSON

/// The in-memory KV store service (`kvstore_*`): bytes by key, optionally expiring on the host
/// clock (``TestHost/unixMilliseconds``).
public struct TestKVStore: Sendable {
    let host: TestHost

    /// The live value of `key`; setting stores it without expiry, `nil` deletes it.
    public subscript(key: String) -> [UInt8]? {
        get { host.withState { $0.liveKVEntry(key)?.value } }
        nonmutating set { host.withState { $0.kvstore[key] = newValue.map { KVEntry(value: $0, expiresAtMs: nil) } } }
    }

    /// The live keys, sorted.
    public var keys: [String] {
        host.withState { $0.liveKVKeys(prefix: "") }
    }
}

struct KVEntry {
    var value: [UInt8]
    var expiresAtMs: Int64?
}

extension HostState {
    func liveKVEntry(_ key: String) -> KVEntry? {
        guard let entry = kvstore[key] else { return nil }
        if let expiry = entry.expiresAtMs, expiry <= nowMs { return nil }
        return entry
    }

    func liveKVKeys(prefix: String) -> [String] {
        kvstore.keys.filter { $0.hasPrefix(prefix) && liveKVEntry($0) != nil }.sorted()
    }

    mutating func handleKVStore(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        switch function {
        case "kvstore_set", "kvstore_setwithttl":
            let key = try request.string("key")
            guard !key.isEmpty, key.utf8.count <= 256 else { throw HostError("key must be 1 to 256 bytes") }
            var expiry: Int64?
            if function == "kvstore_setwithttl" {
                let ttl = try request.int64("ttlSeconds")
                guard ttl > 0 else { throw HostError("ttlSeconds must be greater than 0") }
                expiry = nowMs + ttl * 1000
            }
            kvstore[key] = KVEntry(value: try request.bytes("value"), expiresAtMs: expiry)
        case "kvstore_get":
            if let entry = liveKVEntry(try request.string("key")) {
                response.set("value", bytes: entry.value, omitEmpty: true)
                response.set("exists", true)
            }
        case "kvstore_getmany":
            var values = JSONObject()
            for key in try request.stringArray("keys") {
                if let entry = liveKVEntry(key) { values[key] = .string(Base64.encode(entry.value)) }
            }
            if !values.isEmpty { response.set("values", .object(values)) }
        case "kvstore_has":
            response.set("exists", liveKVEntry(try request.string("key")) != nil, omitEmpty: true)
        case "kvstore_list":
            response.set("keys", liveKVKeys(prefix: try request.string("prefix")), omitEmpty: true)
        case "kvstore_delete":
            kvstore[try request.string("key")] = nil
        case "kvstore_deletebyprefix":
            let prefix = try request.string("prefix")
            guard !prefix.isEmpty else { throw HostError("prefix must not be empty") }
            let keys = liveKVKeys(prefix: prefix)
            for key in kvstore.keys where key.hasPrefix(prefix) { kvstore[key] = nil }
            response.set("deletedCount", Int64(keys.count), omitEmpty: true)
        case "kvstore_getstorageused":
            let used = liveKVKeys(prefix: "").reduce(0) { $0 + $1.utf8.count + (kvstore[$1]?.value.count ?? 0) }
            response.set("bytes", Int64(used), omitEmpty: true)
        default:
            throw HostError.noAnswer(function)
        }
    }
}
