import NavidromePDK

/// One refresh: choose the user, call getNowPlaying and getAlbumList2 through the host, keep
/// the digest and the outcome in the KV store, log a summary. A refusal or failure is logged,
/// recorded as the outcome, and thrown (Navidrome logs a scheduler callback's error).
enum DigestRun {
    static func perform(settings: DigestSettings) throws(PluginError) {
        let now = try Clock.unixSeconds()
        var user = settings.user
        do {
            user = try ActingUser.resolve(configured: settings.user)
            let client = SubsonicClient(user: user)
            let playing = PlayingNow.entries(of: try client.call("getNowPlaying"))
            let newest = NewAlbum.albums(of: try client.call(
                "getAlbumList2", [("type", "newest"), ("size", "\(settings.albumCount)")]))
            let digest = Digest(at: now, user: user, playing: playing, newest: newest)
            try DigestStore.saveDigest(digest)
            try DigestStore.saveOutcome(at: now, user: user, error: nil)
            Log.info(digest.summary)
        } catch {
            Log.warn("digest failed: \(error.text)")
            // Keep the failure visible in the store; a store failure must not hide the first error.
            try? DigestStore.saveOutcome(at: now, user: user, error: error.text)
            throw error
        }
    }
}
