import Foundation
import NavidromeABI
import PluginRuntime
import Synchronization

/// Navidrome's Cache service: an in-memory, per-plugin cache of string, int, float and byte
/// values with a TTL (`cache_setstring` … `cache_getbytes`, `cache_has`, `cache_remove`).
///
/// As in Navidrome, a TTL ≤ 0 means 24 hours and every read (get or has) extends the entry by
/// its own TTL. Unlike Navidrome, memory is bounded: each plugin's cache holds at most
/// ``Limits/maxBytes`` and ``Limits/maxEntries``, evicting the least recently used entries.
public final class CacheService: HostService {
    /// Bounds of one plugin's cache.
    public struct Limits: Sendable {
        /// Approximate bytes (keys, values and bookkeeping) one plugin's cache may hold.
        public var maxBytes: Int
        /// Entries one plugin's cache may hold.
        public var maxEntries: Int

        public init(maxBytes: Int = 32 << 20, maxEntries: Int = 100_000) {
            self.maxBytes = maxBytes
            self.maxEntries = maxEntries
        }
    }

    public let permission: String? = "cache"
    public let functionPrefix = "cache"

    private let limits: Limits
    private let now: @Sendable () -> Double
    private let stores = Mutex<[String: CacheStore]>([:])

    /// - Parameters:
    ///   - limits: memory bounds per plugin.
    ///   - now: monotonic seconds; injectable for tests.
    public init(limits: Limits = Limits(), now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.limits = limits
        self.now = now
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let store = self.store(for: plugin.id)
        return hostFunctions(
            hostFunction(CacheSetStringRequest.self) { r in
                try store.set(r.key, .string(r.value), ttlSeconds: r.ttlSeconds)
                return CacheSetStringResponse()
            },
            hostFunction(CacheSetIntRequest.self) { r in
                try store.set(r.key, .int(r.value), ttlSeconds: r.ttlSeconds)
                return CacheSetIntResponse()
            },
            hostFunction(CacheSetFloatRequest.self) { r in
                try store.set(r.key, .float(r.value), ttlSeconds: r.ttlSeconds)
                return CacheSetFloatResponse()
            },
            hostFunction(CacheSetBytesRequest.self) { r in
                try store.set(r.key, .bytes(r.value), ttlSeconds: r.ttlSeconds)
                return CacheSetBytesResponse()
            },
            // A value of another type reads as missing, as in Navidrome.
            hostFunction(CacheGetStringRequest.self) { r in
                guard case .string(let value)? = store.get(r.key) else { return CacheGetStringResponse() }
                return CacheGetStringResponse(value: value, exists: true)
            },
            hostFunction(CacheGetIntRequest.self) { r in
                guard case .int(let value)? = store.get(r.key) else { return CacheGetIntResponse() }
                return CacheGetIntResponse(value: value, exists: true)
            },
            hostFunction(CacheGetFloatRequest.self) { r in
                guard case .float(let value)? = store.get(r.key) else { return CacheGetFloatResponse() }
                return CacheGetFloatResponse(value: value, exists: true)
            },
            hostFunction(CacheGetBytesRequest.self) { r in
                guard case .bytes(let value)? = store.get(r.key) else { return CacheGetBytesResponse() }
                return CacheGetBytesResponse(value: value, exists: true)
            },
            hostFunction(CacheHasRequest.self) { r in
                CacheHasResponse(exists: store.get(r.key) != nil)
            },
            hostFunction(CacheRemoveRequest.self) { r in
                store.remove(r.key)
                return CacheRemoveResponse()
            }
        )
    }

    /// Wipes the plugin's cache, as Navidrome does on unload.
    public func pluginUnloaded(_ pluginID: String) async {
        _ = stores.withLock { $0.removeValue(forKey: pluginID) }
    }

    func store(for pluginID: String) -> CacheStore {
        stores.withLock { stores in
            if let store = stores[pluginID] { return store }
            let store = CacheStore(limits: limits, now: now)
            stores[pluginID] = store
            return store
        }
    }
}

/// One plugin's cache: a TTL map with least-recently-used eviction.
final class CacheStore: Sendable {
    enum Value: Sendable {
        case string(String)
        case int(Int64)
        case float(Double)
        case bytes([UInt8])

        var size: Int {
            switch self {
            case .string(let s): s.utf8.count
            case .int, .float: 8
            case .bytes(let b): b.count
            }
        }
    }

    /// Bookkeeping bytes counted per entry besides key and value.
    static let entryOverhead = 64
    static let defaultTTL: Int64 = 24 * 60 * 60

    private struct Entry {
        var key: String
        var value: Value
        var ttl: Double
        var expiresAt: Double
        var size: Int
        var newer: Int  // towards the most recently used end; -1 = none
        var older: Int  // towards the least recently used end; -1 = none
    }

    private struct State {
        var index: [String: Int] = [:]
        var slots: [Entry?] = []
        var free: [Int] = []
        var newest = -1
        var oldest = -1
        var bytes = 0
    }

    private let limits: CacheService.Limits
    private let now: @Sendable () -> Double
    private let state = Mutex(State())

    init(limits: CacheService.Limits, now: @escaping @Sendable () -> Double) {
        self.limits = limits
        self.now = now
    }

    func set(_ key: String, _ value: Value, ttlSeconds: Int64) throws {
        let ttl = Double(ttlSeconds > 0 ? ttlSeconds : Self.defaultTTL)
        let size = key.utf8.count + value.size + Self.entryOverhead
        guard size <= limits.maxBytes else {
            throw HostServiceError("cache value too large: \(size) bytes exceeds the cache limit of \(limits.maxBytes) bytes")
        }
        let time = now()
        state.withLock { s in
            if let slot = s.index[key] { Self.unlink(slot, &s) }
            while s.oldest != -1, s.bytes + size > limits.maxBytes || s.index.count >= limits.maxEntries {
                Self.unlink(s.oldest, &s)
            }
            let entry = Entry(key: key, value: value, ttl: ttl, expiresAt: time + ttl, size: size, newer: -1, older: -1)
            let slot: Int
            if let reused = s.free.popLast() {
                slot = reused
                s.slots[slot] = entry
            } else {
                slot = s.slots.count
                s.slots.append(entry)
            }
            s.index[key] = slot
            s.bytes += size
            Self.pushNewest(slot, &s)
        }
    }

    /// The live value for `key`, extending its expiry by its TTL; `nil` if absent or expired.
    func get(_ key: String) -> Value? {
        let time = now()
        return state.withLock { s in
            guard let slot = s.index[key], var entry = s.slots[slot] else { return nil }
            if entry.expiresAt <= time {
                Self.unlink(slot, &s)
                return nil
            }
            entry.expiresAt = time + entry.ttl
            s.slots[slot] = entry
            if s.newest != slot {
                Self.detach(slot, &s)
                Self.pushNewest(slot, &s)
            }
            return entry.value
        }
    }

    func remove(_ key: String) {
        state.withLock { s in
            if let slot = s.index[key] { Self.unlink(slot, &s) }
        }
    }

    /// Number of entries held (live or not yet purged).
    var count: Int { state.withLock { $0.index.count } }

    private static func pushNewest(_ slot: Int, _ s: inout State) {
        s.slots[slot]!.older = s.newest
        s.slots[slot]!.newer = -1
        if s.newest != -1 { s.slots[s.newest]!.newer = slot }
        s.newest = slot
        if s.oldest == -1 { s.oldest = slot }
    }

    private static func detach(_ slot: Int, _ s: inout State) {
        let entry = s.slots[slot]!
        if entry.newer != -1 { s.slots[entry.newer]!.older = entry.older } else { s.newest = entry.older }
        if entry.older != -1 { s.slots[entry.older]!.newer = entry.newer } else { s.oldest = entry.newer }
    }

    private static func unlink(_ slot: Int, _ s: inout State) {
        detach(slot, &s)
        let entry = s.slots[slot]!
        s.index.removeValue(forKey: entry.key)
        s.bytes -= entry.size
        s.slots[slot] = nil
        s.free.append(slot)
    }
}
