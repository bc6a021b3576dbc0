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

    /// The exports that signal this capability.
    public var exports: [String] {
        switch self {
        case .lifecycle: ["nd_on_init"]
        case .scrobbler:
            ["nd_scrobbler_is_authorized", "nd_scrobbler_now_playing", "nd_scrobbler_scrobble",
             "nd_scrobbler_playback_report"]
        case .metadataAgent:
            ["nd_get_artist_mbid", "nd_get_artist_url", "nd_get_artist_biography", "nd_get_similar_artists",
             "nd_get_artist_images", "nd_get_artist_top_songs", "nd_get_album_info", "nd_get_album_images",
             "nd_get_similar_songs_by_track", "nd_get_similar_songs_by_album", "nd_get_similar_songs_by_artist"]
        case .lyrics: ["nd_lyrics_get_lyrics"]
        case .sonicSimilarity: ["nd_get_sonic_similar_tracks", "nd_find_sonic_path"]
        case .scheduler: ["nd_scheduler_callback"]
        case .webSocket:
            ["nd_websocket_on_text_message", "nd_websocket_on_binary_message", "nd_websocket_on_error",
             "nd_websocket_on_close"]
        case .taskWorker: ["nd_task_execute"]
        }
    }

    /// The load-time rules Navidrome applies once capabilities are known
    /// (`ValidateWithCapabilities`), plus Tonearm's WebSocket rule; `nil` when satisfied.
    static func violation(permissions: PluginPermissions, capabilities: [PluginCapability]) -> String? {
        if capabilities.contains(.scrobbler) && !permissions.declares("users") {
            return "scrobbler capability requires 'users' permission to be declared in manifest"
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
