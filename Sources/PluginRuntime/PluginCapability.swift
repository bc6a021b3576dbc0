import NavidromeABI

/// Navidrome's plugin capabilities. A plugin has one when it exports at least one of its
/// functions (`plugins/capabilities.go`).
public enum PluginCapability: String, CaseIterable, Sendable, Codable {
    case lifecycle = "Lifecycle"
    case scrobbler = "Scrobbler"
    case metadataAgent = "MetadataAgent"
    case lyrics = "Lyrics"
    case sonicSimilarity = "SonicSimilarity"
    case scheduler = "Scheduler"
    case webSocket = "WebSocket"
    case taskWorker = "TaskWorker"
    /// On Navidrome's unmerged `plugins-endpoints` branch only.
    case httpEndpoint = "HTTPEndpoint"
    /// On Navidrome's unmerged `feat/playlist-generator-capability` branch only.
    case playlistProvider = "PlaylistProvider"
    /// In Navidrome's unmerged pull request 5861 only.
    case action = "Action"

    /// The exports that signal this capability (from `ABI/capabilities/*.json`).
    public var exports: [String] {
        switch self {
        case .lifecycle: LifecycleCapability.exports
        case .scrobbler: ScrobblerCapability.exports
        case .metadataAgent: MetadataAgentCapability.exports
        case .lyrics: LyricsCapability.exports
        case .sonicSimilarity: SonicSimilarityCapability.exports
        case .scheduler: SchedulerCallbackCapability.exports
        case .webSocket: WebSocketCallbackCapability.exports
        case .taskWorker: TaskWorkerCapability.exports
        case .httpEndpoint: HTTPEndpointCapability.exports
        case .playlistProvider: PlaylistProviderCapability.exports
        case .action: ActionCapability.exports
        }
    }

    /// The load-time rules Navidrome applies once capabilities are known
    /// (`ValidateWithCapabilities`), plus Tonearm's WebSocket rule; `nil` when satisfied.
    static func violation(permissions: PluginPermissions, capabilities: [PluginCapability]) -> String? {
        if capabilities.contains(.scrobbler) && !permissions.declares("users") {
            return "scrobbler capability requires 'users' permission to be declared in manifest"
        }
        if capabilities.contains(.httpEndpoint) && permissions.endpointsAuth == nil {
            return "HTTP endpoint capability requires 'endpoints' permission to be declared in manifest"
        }
        if permissions.declares("scheduler") && !capabilities.contains(.scheduler) {
            return "'scheduler' permission requires plugin to export 'nd_scheduler_callback' function"
        }
        if permissions.declares("taskqueue") && !capabilities.contains(.taskWorker) {
            return "'taskqueue' permission requires plugin to export 'nd_task_execute' function"
        }
        if permissions.declares("websocket") && !capabilities.contains(.webSocket) {
            return "'websocket' permission requires plugin to export at least one nd_websocket_on_* function"
        }
        return nil
    }
}
