/// Kinds of Scrobbler failure Navidrome understands (matched by substring of the message).
public enum ScrobblerErrorKind: String {
    /// `scrobbler(not_authorized)`: the user is not linked to the service.
    case notAuthorized = "scrobbler(not_authorized)"
    /// `scrobbler(retry_later)`: a temporary failure; Navidrome retries scrobbles later.
    case retryLater = "scrobbler(retry_later)"
    /// `scrobbler(unrecoverable)`: give up on this event.
    case unrecoverable = "scrobbler(unrecoverable)"
}

extension PluginError {
    /// A Scrobbler error Navidrome maps to ErrNotAuthorized / ErrRetryLater / ErrUnrecoverable.
    public static func scrobbler(_ kind: ScrobblerErrorKind, _ detail: String = "") -> PluginError {
        PluginError(detail.utf8.isEmpty ? kind.rawValue : kind.rawValue + ": " + detail)
    }
}

/// The Scrobbler capability. Implement the methods you need and export them, one line each:
///
/// ```swift
/// @_expose(wasm, "nd_scrobbler_is_authorized") @_cdecl("nd_scrobbler_is_authorized")
/// func isAuthorized() -> Int32 { MyPlugin.ndScrobblerIsAuthorized() }
/// ```
/// Methods left at their default are "not implemented" (return code -2).
public protocol Scrobbler {
    init()
    /// Whether `request.username` may scrobble; Navidrome asks before every event.
    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool
    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError)
    func scrobble(_ request: ScrobbleRequest) throws(PluginError)
    func playbackReport(_ request: PlaybackReportRequest) throws(PluginError)
}

extension Scrobbler {
    public func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool { throw .notImplemented }
    public func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) { throw .notImplemented }
    public func scrobble(_ request: ScrobbleRequest) throws(PluginError) { throw .notImplemented }
    public func playbackReport(_ request: PlaybackReportRequest) throws(PluginError) { throw .notImplemented }

    /// Body of the `nd_scrobbler_is_authorized` export (outputs a JSON boolean).
    public static func ndScrobblerIsAuthorized() -> Int32 {
        ExportCall.run(IsAuthorizedRequest.self) { (r) throws(PluginError) -> [UInt8]? in ExportCall.jsonBool(try Self().isAuthorized(r)) }
    }

    /// Body of the `nd_scrobbler_now_playing` export.
    public static func ndScrobblerNowPlaying() -> Int32 {
        ExportCall.run(NowPlayingRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().nowPlaying(r); return nil }
    }

    /// Body of the `nd_scrobbler_scrobble` export.
    public static func ndScrobblerScrobble() -> Int32 {
        ExportCall.run(ScrobbleRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().scrobble(r); return nil }
    }

    /// Body of the `nd_scrobbler_playback_report` export.
    public static func ndScrobblerPlaybackReport() -> Int32 {
        ExportCall.run(PlaybackReportRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().playbackReport(r); return nil }
    }
}
