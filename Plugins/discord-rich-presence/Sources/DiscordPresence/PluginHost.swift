/// The host services the presence logic uses, as plain calls. The plugin implements it over
/// the PDK's Navidrome host-service clients; tests implement it in memory. Failures come back as
/// the host's error text.
public protocol PluginHost {
    /// Unix time in milliseconds.
    func nowMs() -> Int64
    func log(_ level: LogLevel, _ message: String)
    /// A configuration value, `nil` when the key is missing.
    func config(_ key: String) -> String?

    func cacheString(_ key: String) -> String?
    func cacheInt(_ key: String) -> Int64?
    func setCacheString(_ key: String, _ value: String, ttlSeconds: Int64)
    func setCacheInt(_ key: String, _ value: Int64, ttlSeconds: Int64)
    func removeCache(_ key: String)

    func webSocketConnect(url: String, connectionID: String) -> HostOutcome
    func webSocketSend(connectionID: String, text: String) -> HostOutcome
    func webSocketClose(connectionID: String, code: Int, reason: String) -> HostOutcome

    func scheduleOneTime(id: String, delaySeconds: Int, payload: String) -> HostOutcome
    func scheduleRecurring(id: String, cron: String, payload: String) -> HostOutcome
    func cancelSchedule(id: String) -> HostOutcome

    func httpSend(_ request: HTTPRequest) -> HTTPOutcome
    /// Public artwork URL of a track (`artwork_gettrackurl`).
    func trackArtworkURL(trackID: String, size: Int) -> String?
    /// Raw Subsonic API response (`subsonicapi_callraw`).
    func subsonicRaw(uri: String) -> SubsonicRawOutcome
}

public enum LogLevel {
    case trace, debug, info, warn, error
}

/// Success, or the host's error text.
public enum HostOutcome {
    case ok
    case failed(String)

    public var error: String? {
        if case .failed(let text) = self { return text }
        return nil
    }
}

public struct HTTPRequest {
    public var method: String
    public var url: String
    /// One value per header name.
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var timeoutMs: Int
    public var noFollowRedirects: Bool

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [],
                timeoutMs: Int = 10_000, noFollowRedirects: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMs = timeoutMs
        self.noFollowRedirects = noFollowRedirects
    }
}

public struct HTTPResponse {
    public var statusCode: Int
    /// Header names in Go canonical form (`Location`, `Retry-After`).
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(statusCode: Int, headers: [(String, String)], body: [UInt8]) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let wanted = ActivityText.asciiLowercased(name)
        return headers.first { ActivityText.equal(ActivityText.asciiLowercased($0.0), wanted) }?.1
    }
}

public enum HTTPOutcome {
    case response(HTTPResponse)
    case failed(String)
}

public enum SubsonicRawOutcome {
    case data(contentType: String, bytes: [UInt8])
    case failed(String)
}
