import NavidromePDK

/// The Discord Rich Presence plugin: Scrobbler (NowPlaying, PlaybackReport), WebSocketCallback
/// (gateway frames) and SchedulerCallback (heartbeats, clears, flushes, reconnects). Each call
/// is a fresh instance; ``PresenceController`` does the work.
struct DiscordPlugin: Scrobbler, WebSocketCallback, SchedulerCallback {
    var controller: PresenceController { PresenceController(host: PluginHost()) }

    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool {
        controller.isAuthorized(username: request.username)
    }

    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) {
        if let problem = controller.nowPlaying(username: request.username, track: Self.summary(request.track),
                                               positionSeconds: Int(request.position)) {
            throw PluginError(problem)
        }
    }

    /// Discord shows what is playing, not history.
    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {}

    func playbackReport(_ request: PlaybackReportRequest) throws(PluginError) {
        if let problem = controller.playbackReport(
            username: request.username, track: Self.summary(request.track), state: request.state,
            positionMs: request.positionMs, playbackRate: request.playbackRate, playerName: request.playerName,
            timestampSeconds: request.timestamp) {
            throw PluginError(problem)
        }
    }

    func onTextMessage(_ request: OnTextMessageRequest) throws(PluginError) {
        controller.onTextMessage(connectionID: request.connectionId, message: request.messageUTF8)
    }

    func onBinaryMessage(_ request: OnBinaryMessageRequest) throws(PluginError) {
        Log.debug("Ignoring a binary gateway frame on \(request.connectionId) (the plugin asks for JSON text)")
    }

    func onError(_ request: OnErrorRequest) throws(PluginError) {
        controller.onError(connectionID: request.connectionId, error: request.error)
    }

    func onClose(_ request: OnCloseRequest) throws(PluginError) {
        controller.onClose(connectionID: request.connectionId, code: Int(request.code), reason: request.reason)
    }

    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError) {
        controller.onSchedule(scheduleID: request.scheduleId, payload: request.payload)
    }

    static func summary(_ track: TrackInfo) -> TrackSummary {
        TrackSummary(id: track.id, title: track.title, artist: track.artist, album: track.album,
                     durationSeconds: track.duration, albumArtist: track.albumArtist,
                     primaryArtist: track.artists.first?.name ?? "", artistMBID: track.artists.first?.mbid ?? "",
                     recordingMBID: track.mbzRecordingId, releaseMBID: track.mbzAlbumId,
                     releaseGroupMBID: track.mbzReleaseGroupId, libraryID: track.libraryId)
    }
}
