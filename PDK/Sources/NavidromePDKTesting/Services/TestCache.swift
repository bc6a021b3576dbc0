import NavidromeJSON

/// The in-memory cache service (`cache_*`). Values are typed: reading a key with another type's
/// getter finds nothing, as in Navidrome. Time to live counts on the host clock
/// (``TestHost/unixMilliseconds``); 0 or less means 24 hours.
public struct TestCache: Sendable {
    let host: TestHost

    /// A cached value.
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case float(Double)
        case bytes([UInt8])
    }

    /// The live value of `key`; setting stores it for 24 hours, `nil` removes it.
    public subscript(key: String) -> Value? {
        get { host.withState { $0.liveCacheEntry(key)?.value } }
        nonmutating set {
            host.withState { state in
                state.cache[key] = newValue.map { CacheEntry(value: $0, expiresAtMs: state.nowMs + HostState.defaultCacheTTLMs) }
            }
        }
    }

    /// Stores `value` with a time to live.
    public func set(_ key: String, _ value: Value, ttlSeconds: Int64) {
        host.withState { $0.storeCache(key, value, ttlSeconds: ttlSeconds) }
    }

    /// The live keys, sorted.
    public var keys: [String] {
        host.withState { state in state.cache.keys.filter { state.liveCacheEntry($0) != nil }.sorted() }
    }

    /// The expiry (Unix ms) of a live key.
    public func expiry(of key: String) -> Int64? {
        host.withState { $0.liveCacheEntry(key)?.expiresAtMs }
    }
}

struct CacheEntry {
    var value: TestCache.Value
    var expiresAtMs: Int64
}

extension HostState {
    static let defaultCacheTTLMs: Int64 = 86_400_000

    func liveCacheEntry(_ key: String) -> CacheEntry? {
        guard let entry = cache[key], entry.expiresAtMs > nowMs else { return nil }
        return entry
    }

    mutating func storeCache(_ key: String, _ value: TestCache.Value, ttlSeconds: Int64) {
        let ttl = ttlSeconds > 0 ? ttlSeconds * 1000 : Self.defaultCacheTTLMs
        cache[key] = CacheEntry(value: value, expiresAtMs: nowMs + ttl)
    }

    mutating func handleCache(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        let key = try request.string("key")
        let ttl = try request.int64("ttlSeconds")
        let found = liveCacheEntry(key)?.value
        switch function {
        case "cache_setstring": storeCache(key, .string(try request.string("value")), ttlSeconds: ttl)
        case "cache_setint": storeCache(key, .int(try request.int64("value")), ttlSeconds: ttl)
        case "cache_setfloat": storeCache(key, .float(try request.double("value")), ttlSeconds: ttl)
        case "cache_setbytes": storeCache(key, .bytes(try request.bytes("value")), ttlSeconds: ttl)
        case "cache_getstring":
            if case .string(let value)? = found { response.set("value", value, omitEmpty: true); response.set("exists", true) }
        case "cache_getint":
            if case .int(let value)? = found { response.set("value", value, omitEmpty: true); response.set("exists", true) }
        case "cache_getfloat":
            if case .float(let value)? = found { response.set("value", value, omitEmpty: true); response.set("exists", true) }
        case "cache_getbytes":
            if case .bytes(let value)? = found { response.set("value", bytes: value, omitEmpty: true); response.set("exists", true) }
        case "cache_has":
            response.set("exists", found != nil, omitEmpty: true)
        case "cache_remove":
            cache[key] = nil
        default:
            throw HostError.noAnswer(function)
        }
    }
}
