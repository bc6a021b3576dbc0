import Foundation
import GRDB
import Logging
import NavidromeABI
import PluginRuntime
import Synchronization

/// Navidrome's KVStore service: a persistent per-plugin key-value store in SQLite (WAL) at
/// `<dataFolder>/plugins/<id>/kvstore.db`, with Navidrome's schema, calls and quota.
///
/// Only value bytes of unexpired keys count towards the quota (`permissions.kvstore.maxSize`,
/// default 1 MiB); a write that would grow usage past it fails with "storage limit exceeded".
/// Writes are committed with `synchronous=FULL` before the call returns, so an acknowledged
/// write survives a killed process. A store holds at most ``HostServiceLimits/maxKVStoreKeys``
/// live keys (empty values count); expired rows are deleted at open and then by the first write
/// after each ``HostServiceLimits/kvStorePurgeInterval``.
public final class KVStoreService: HostService {
    public let permission: String? = "kvstore"
    public let functionPrefix = "kvstore"

    /// Quota when the manifest sets no `maxSize`.
    public static let defaultMaxSize: Int64 = 1 << 20
    static let maxKeyLength = 256
    static let getManyBatch = 200
    static let notExpired = "(expires_at IS NULL OR expires_at >= datetime('now'))"

    private let dataFolder: URL
    private let pluginLimits: HostServiceLimits
    private let stores = Mutex<[String: OpenStore]>([:])

    /// - Parameters:
    ///   - dataFolder: Tonearm's data folder; stores go under `plugins/<id>/`.
    ///   - pluginLimits: keys per store, purge interval and longest TTL.
    public init(dataFolder: URL, pluginLimits: HostServiceLimits = HostServiceLimits()) {
        self.dataFolder = dataFolder
        self.pluginLimits = pluginLimits
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let maxTTL = pluginLimits.maxTTLSeconds
        let store = storeForCalls("kvstore", of: plugin) { try open(plugin) }
        return hostFunctions(
            hostFunction(KVStoreSetRequest.self) { r in
                try store().set(r.key, r.value, ttlSeconds: nil)
                return KVStoreSetResponse()
            },
            hostFunction(KVStoreSetWithTTLRequest.self) { r in
                let ttl = min(r.ttlSeconds, maxTTL)
                guard ttl > 0 else { throw HostServiceError("ttlSeconds must be greater than 0") }
                try store().set(r.key, r.value, ttlSeconds: ttl)
                return KVStoreSetWithTTLResponse()
            },
            hostFunction(KVStoreGetRequest.self) { r in
                guard let value = try store().get(r.key) else { return KVStoreGetResponse() }
                return KVStoreGetResponse(value: value, exists: true)
            },
            hostFunction(KVStoreGetManyRequest.self) { r in
                KVStoreGetManyResponse(values: try store().getMany(r.keys))
            },
            hostFunction(KVStoreHasRequest.self) { r in
                KVStoreHasResponse(exists: try store().has(r.key))
            },
            hostFunction(KVStoreListRequest.self) { r in
                KVStoreListResponse(keys: try store().list(prefix: r.prefix))
            },
            hostFunction(KVStoreDeleteRequest.self) { r in
                try store().delete(r.key)
                return KVStoreDeleteResponse()
            },
            hostFunction(KVStoreDeleteByPrefixRequest.self) { r in
                guard !r.prefix.isEmpty else { throw HostServiceError("prefix cannot be empty") }
                return KVStoreDeleteByPrefixResponse(deletedCount: try store().delete(prefix: r.prefix))
            },
            hostFunction(KVStoreGetStorageUsedRequest.self) { _ in
                KVStoreGetStorageUsedResponse(bytes: try store().used())
            }
        )
    }

    /// Closes the plugin's database; its data stays on disk.
    public func pluginUnloaded(_ pluginID: String) async {
        let store = stores.withLock { $0.removeValue(forKey: pluginID) }
        try? store?.pool.close()
    }

    private func open(_ plugin: PluginContext) throws -> KVStore {
        let maxSize = try plugin.permissions.kvStoreMaxSize.map { try ByteSize.parse($0) } ?? Self.defaultMaxSize
        let open = try stores.withLock { stores in
            if let open = stores[plugin.id] { return open }
            let folder = dataFolder.appendingPathComponent("plugins").appendingPathComponent(plugin.id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let open = OpenStore(pool: try KVStore.openPool(at: folder.appendingPathComponent("kvstore.db").path))
            stores[plugin.id] = open
            return open
        }
        return KVStore(
            open: open, maxSize: maxSize, maxKeys: pluginLimits.maxKVStoreKeys, purgeInterval: pluginLimits.kvStorePurgeInterval)
    }
}

/// A plugin's open database and when its expired rows were last deleted.
final class OpenStore: Sendable {
    let pool: DatabasePool
    let lastPurge = Mutex(ContinuousClock.now)

    init(pool: DatabasePool) { self.pool = pool }

    /// Whether `interval` has passed since the last purge; if so, the purge is due now.
    func purgeIsDue(every interval: Duration) -> Bool {
        let now = ContinuousClock.now
        return lastPurge.withLock { last in
            guard now - last >= interval else { return false }
            last = now
            return true
        }
    }
}

/// One plugin's store.
struct KVStore: Sendable {
    let open: OpenStore
    let maxSize: Int64
    let maxKeys: Int
    let purgeInterval: Duration

    var pool: DatabasePool { open.pool }

    static func openPool(at path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // An acknowledged write is on disk before the call returns.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS kvstore (
                    key TEXT PRIMARY KEY NOT NULL,
                    value BLOB NOT NULL,
                    size INTEGER NOT NULL,
                    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
                    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
                    expires_at DATETIME DEFAULT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS idx_kvstore_expires_at ON kvstore(expires_at)")
            try purgeExpired(db)
        }
        return pool
    }

    private static func purgeExpired(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM kvstore WHERE expires_at IS NOT NULL AND expires_at < datetime('now')")
    }

    private static func check(key: String) throws {
        guard !key.isEmpty else { throw HostServiceError("key cannot be empty") }
        guard key.utf8.count <= KVStoreService.maxKeyLength else {
            throw HostServiceError("key exceeds maximum length of \(KVStoreService.maxKeyLength) bytes")
        }
    }

    /// `key LIKE ? ESCAPE '\'` pattern for a literal prefix.
    private static func likePattern(_ prefix: String) -> String {
        var escaped = ""
        for c in prefix {
            if c == "\\" || c == "%" || c == "_" { escaped.append("\\") }
            escaped.append(c)
        }
        return escaped + "%"
    }

    func set(_ key: String, _ value: [UInt8], ttlSeconds: Int64?) throws {
        try Self.check(key: key)
        try pool.write { db in
            if open.purgeIsDue(every: purgeInterval) { try Self.purgeExpired(db) }
            let existing = try Int64.fetchOne(
                db, sql: "SELECT size FROM kvstore WHERE key = ? AND \(KVStoreService.notExpired)", arguments: [key])
            if existing == nil {
                let keys = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM kvstore WHERE \(KVStoreService.notExpired)") ?? 0
                if keys >= maxKeys {
                    throw HostServiceError(
                        "key limit exceeded: the store already holds \(keys) keys, the most allowed per plugin (\(maxKeys))")
                }
            }
            let old = existing ?? 0
            let delta = Int64(value.count) - old
            if delta > 0 {
                let used = try Self.used(db)
                if used + delta > maxSize {
                    throw HostServiceError(
                        "storage limit exceeded: would use \(used + delta) bytes of \(maxSize) allowed")
                }
            }
            let expires: String? = ttlSeconds.map { "+\($0) seconds" }
            try db.execute(
                sql: """
                    INSERT INTO kvstore (key, value, size, created_at, updated_at, expires_at)
                    VALUES (?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,
                            CASE WHEN ? IS NULL THEN NULL ELSE datetime('now', ?) END)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value, size = excluded.size,
                        updated_at = CURRENT_TIMESTAMP, expires_at = excluded.expires_at
                    """,
                arguments: [key, Data(value), value.count, expires, expires])
        }
    }

    func get(_ key: String) throws -> [UInt8]? {
        try pool.read { db in
            try Data.fetchOne(
                db, sql: "SELECT value FROM kvstore WHERE key = ? AND \(KVStoreService.notExpired)", arguments: [key]
            ).map { Array($0) }
        }
    }

    func getMany(_ keys: [String]) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        try pool.read { db in
            var start = 0
            while start < keys.count {
                let batch = Array(keys[start..<min(start + KVStoreService.getManyBatch, keys.count)])
                start += batch.count
                let marks = Array(repeating: "?", count: batch.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT key, value FROM kvstore WHERE key IN (\(marks)) AND \(KVStoreService.notExpired)",
                    arguments: StatementArguments(batch))
                for row in rows {
                    let value: Data = row["value"]
                    result[row["key"]] = Array(value)
                }
            }
        }
        return result
    }

    func has(_ key: String) throws -> Bool {
        try pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM kvstore WHERE key = ? AND \(KVStoreService.notExpired)", arguments: [key]
            ) ?? 0 > 0
        }
    }

    func list(prefix: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT key FROM kvstore WHERE key LIKE ? ESCAPE '\\' AND \(KVStoreService.notExpired) ORDER BY key",
                arguments: [Self.likePattern(prefix)])
        }
    }

    func delete(_ key: String) throws {
        try pool.write { db in try db.execute(sql: "DELETE FROM kvstore WHERE key = ?", arguments: [key]) }
    }

    func delete(prefix: String) throws -> Int64 {
        try pool.write { db in
            try db.execute(sql: "DELETE FROM kvstore WHERE key LIKE ? ESCAPE '\\'", arguments: [Self.likePattern(prefix)])
            return Int64(db.changesCount)
        }
    }

    func used() throws -> Int64 {
        try pool.read { db in try Self.used(db) }
    }

    private static func used(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM kvstore WHERE \(KVStoreService.notExpired)") ?? 0
    }
}
