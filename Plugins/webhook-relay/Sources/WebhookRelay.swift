import NavidromePDK

/// The webhook relay plugin: Scrobbler events go to a webhook as JSON (``WebhookDelivery``), and
/// HTTPEndpoint serves a status page (``StatusPage``) from the counts kept in the KV store.
struct WebhookRelay: Scrobbler, HTTPEndpoint {
    /// Relaying needs a webhook URL; without one Navidrome is told not to send events at all.
    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool {
        !RelaySettings.load().url.utf8.isEmpty
    }

    /// Relayed only when `nowPlaying` is on. Navidrome never retries a now-playing update, so a
    /// failure is only counted and logged.
    func nowPlaying(_ request: NowPlayingRequest) throws(PluginError) {
        let settings = RelaySettings.load()
        guard settings.relayNowPlaying else { return }
        try WebhookDelivery(settings: settings).deliver(WebhookEvent.nowPlaying(request))
    }

    /// Failures the webhook may recover from throw `scrobbler(retry_later)`, so Navidrome keeps
    /// the scrobble in its buffer and retries it with backoff.
    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {
        try WebhookDelivery(settings: RelaySettings.load()).deliver(WebhookEvent.scrobble(request))
    }

    func handleRequest(_ request: HTTPHandleRequest) throws(PluginError) -> HTTPHandleResponse {
        StatusPage.respond(to: request)
    }
}
