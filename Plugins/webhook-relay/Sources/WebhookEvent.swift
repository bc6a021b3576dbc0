import NavidromePDK

/// One event as POSTed to the webhook:
/// `{"event":"scrobble","username":…,"timestamp":…,"track":{…}}` or
/// `{"event":"nowPlaying","username":…,"position":…,"track":{…}}`. The track is Navidrome's
/// TrackInfo as the plugin received it (same field names).
struct WebhookEvent {
    /// `scrobble` or `nowPlaying`.
    var kind: String
    var username: String
    var body: [UInt8]

    static func scrobble(_ request: ScrobbleRequest) -> WebhookEvent {
        var json = JSONObjectWriter()
        json.set("event", "scrobble")
        json.set("username", request.username)
        json.set("timestamp", request.timestamp)
        json.set("track", request.track)
        return WebhookEvent(kind: "scrobble", username: request.username, body: JSONValue.object(json.object).serialized())
    }

    static func nowPlaying(_ request: NowPlayingRequest) -> WebhookEvent {
        var json = JSONObjectWriter()
        json.set("event", "nowPlaying")
        json.set("username", request.username)
        json.set("position", request.position)
        json.set("track", request.track)
        return WebhookEvent(kind: "nowPlaying", username: request.username, body: JSONValue.object(json.object).serialized())
    }
}
