import NavidromePDK

/// Logs every track a user starts playing (prefixed with the setting `prefix`) and every scrobble.
struct MinimalScrobbler: Scrobbler {
    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool { true }
    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) {
        let prefix = Extism.config("prefix") ?? "now playing"
        Log.info("\(prefix): \(request.username) → \(request.track.artist) – \(request.track.title) at \(request.position)s")
    }

    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {
        guard !request.track.title.utf8.isEmpty else { throw .scrobbler(.unrecoverable, "track without a title") }
        Log.info("scrobbled: \(request.username) → \(request.track.title) at \(request.timestamp)")
    }
}
