import NavidromePDK

/// Benchmark-only: every `nd_scrobbler_now_playing` writes `np/<title>` to the KVStore and,
/// once the write returned, reports the key to `POST <recorder>/kv`. Scrobbles fail with
/// `retry_later` unless the setting `accept` is `true`; then each one writes `scrobbled/<title>`
/// and reports the title to `POST <recorder>/scrobble`. Setting `recorder`: an `http://` URL.
struct Ledger: Scrobbler {
    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool { true }

    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) {
        let key = "np/" + request.track.title
        try KVStoreService.set(key: key, value: Array(request.track.title.utf8))
        try report("kv", key)
    }

    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {
        guard let accept = Extism.config("accept"), accept.utf8.elementsEqual("true".utf8) else {
            throw .scrobbler(.retryLater, "the ledger holds scrobbles")
        }
        try KVStoreService.set(key: "scrobbled/" + request.track.title, value: Array(request.track.title.utf8))
        try report("scrobble", request.track.title)
    }

    private func report(_ kind: String, _ text: String) throws(PluginError) {
        guard let recorder = Extism.config("recorder") else { throw PluginError("no recorder setting") }
        let response = try HTTPService.send(request: HTTPRequest(method: "POST", url: recorder + "/" + kind, body: Array(text.utf8), timeoutMs: 10_000))
        guard response.statusCode == 200 else { throw PluginError("recorder answered \(response.statusCode)") }
    }
}
