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

    public init(
        declared: Set<String> = [], httpRequiredHosts: [String] = [], webSocketRequiredHosts: [String] = [],
        kvStoreMaxSize: String? = nil, taskQueueMaxConcurrency: Int32? = nil
    ) {
        self.declared = declared
        self.httpRequiredHosts = httpRequiredHosts
        self.webSocketRequiredHosts = webSocketRequiredHosts
        self.kvStoreMaxSize = kvStoreMaxSize
        self.taskQueueMaxConcurrency = taskQueueMaxConcurrency
    }

    /// Whether the manifest declares `permission`.
    public func declares(_ permission: String) -> Bool { declared.contains(permission) }
}
