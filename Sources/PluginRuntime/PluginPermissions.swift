/// The `permissions` section of a plugin manifest, as the host services need it.
public struct PluginPermissions: Sendable, Equatable {
    /// Every permission key the manifest declares (`"http"`, `"cache"`, `"websocket"`, …).
    public var declared: Set<String>
    /// `permissions.http.requiredHosts`: host patterns (`"api.example.com"`, `"*.example.com"`, `"*"`).
    public var httpRequiredHosts: [String]
    /// `permissions.websocket.requiredHosts`, same pattern syntax.
    public var webSocketRequiredHosts: [String]
    /// `permissions.kvstore.maxSize` as written (`"1MB"`, `"1MiB"`), or `nil` for the default.
    public var kvStoreMaxSize: String?
    /// `permissions.taskqueue.maxConcurrency`: workers across all the plugin's task queues, or
    /// `nil` for Navidrome's default of 1.
    public var taskQueueMaxConcurrency: Int32?
    /// `permissions.endpoints.auth`: how callers of the plugin's HTTP endpoints authenticate,
    /// or `nil` when the manifest declares no `endpoints` permission.
    public var endpointsAuth: EndpointsAuth?
    /// `permissions.endpoints.paths`: the endpoint paths the plugin declares (informational).
    public var endpointPaths: [String]
    /// Each permission's `reason`, as the manifest gives it (shown to the operator).
    public var reasons: [String: String] = [:]

    public init(
        declared: Set<String> = [], httpRequiredHosts: [String] = [], webSocketRequiredHosts: [String] = [],
        kvStoreMaxSize: String? = nil, taskQueueMaxConcurrency: Int32? = nil, endpointsAuth: EndpointsAuth? = nil,
        endpointPaths: [String] = []
    ) {
        self.declared = declared
        self.httpRequiredHosts = httpRequiredHosts
        self.webSocketRequiredHosts = webSocketRequiredHosts
        self.kvStoreMaxSize = kvStoreMaxSize
        self.taskQueueMaxConcurrency = taskQueueMaxConcurrency
        self.endpointsAuth = endpointsAuth
        self.endpointPaths = endpointPaths
    }

    /// Whether the manifest declares `permission`.
    public func declares(_ permission: String) -> Bool { declared.contains(permission) }
}

/// How callers of a plugin's HTTP endpoints authenticate (`permissions.endpoints.auth`, on
/// Navidrome's `plugins-endpoints` branch).
public enum EndpointsAuth: String, Sendable, Equatable, CaseIterable {
    /// Navidrome: the web UI's JWT. Tonearm: the user's token (see the README).
    case native
    /// Subsonic credentials in the query or form: `u` with `p`, or `u` with `t` and `s`.
    case subsonic
    /// No authentication: anyone who reaches the server.
    case none
}
