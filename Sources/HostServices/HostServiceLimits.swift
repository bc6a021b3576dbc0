/// What one plugin may hold or ask of the host services, in one place. Every bound has a
/// default sized for the Discord plugin serving 1,000 users (one gateway connection and a few
/// schedules per user) with room to spare; a plugin that reaches a bound gets an error naming it.
/// `tonearm.toml` sets the WebSocket and schedule bounds (`[Plugins]` `MaxWebSocketConnections`,
/// `MaxSchedules`) for a server with more users.
///
/// Numbers in requests are range-checked as they are decoded: a field outside its type's range
/// is an error naming the field; timeouts and TTLs above the maxima below are clamped to them.
public struct HostServiceLimits: Sendable {
    /// Open WebSocket connections per plugin (`websocket_connect` fails beyond it).
    public var maxWebSocketConnections: Int
    /// Live schedules per plugin, one-time and recurring together (`scheduler_schedule*` fails beyond it).
    public var maxSchedules: Int
    /// Keys per plugin KVStore, empty values included (a new key fails beyond it; overwriting an
    /// existing key still works).
    public var maxKVStoreKeys: Int
    /// How often expired KVStore rows are deleted: at open, then by the first write after each
    /// interval.
    public var kvStorePurgeInterval: Duration
    /// Longest `http_send` timeout; a larger `timeoutMs` is clamped to it.
    public var maxHTTPTimeout: Duration
    /// Longest TTL of a KVStore entry, in seconds; a larger `ttlSeconds` is clamped to it (SQLite
    /// dates end in year 9999: an expiry beyond would silently never come).
    public var maxTTLSeconds: Int64

    public static let defaultMaxWebSocketConnections = 2_000
    public static let defaultMaxSchedules = 10_000
    public static let defaultMaxKVStoreKeys = 100_000
    public static let defaultKVStorePurgeInterval = Duration.seconds(3600)
    public static let defaultMaxHTTPTimeout = Duration.seconds(300)
    /// 100 years.
    public static let defaultMaxTTLSeconds: Int64 = 100 * 366 * 86_400

    public init(
        maxWebSocketConnections: Int = defaultMaxWebSocketConnections, maxSchedules: Int = defaultMaxSchedules,
        maxKVStoreKeys: Int = defaultMaxKVStoreKeys, kvStorePurgeInterval: Duration = defaultKVStorePurgeInterval,
        maxHTTPTimeout: Duration = defaultMaxHTTPTimeout, maxTTLSeconds: Int64 = defaultMaxTTLSeconds
    ) {
        self.maxWebSocketConnections = maxWebSocketConnections
        self.maxSchedules = maxSchedules
        self.maxKVStoreKeys = maxKVStoreKeys
        self.kvStorePurgeInterval = kvStorePurgeInterval
        self.maxHTTPTimeout = maxHTTPTimeout
        self.maxTTLSeconds = maxTTLSeconds
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max` (about 292 years) instead of overflowing.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowAdding ? .max : total
    }
}
