import NavidromePDK

/// One entry of `getNowPlaying`: a user playing a track on a player.
struct PlayingNow {
    var username: String
    var title: String
    var artist: String
    var album: String
    var playerName: String
    var minutesAgo: Int64

    /// The entries of a `getNowPlaying` response (`nowPlaying.entry`; absent when nobody plays,
    /// a single object in some servers' JSON).
    static func entries(of response: JSONValue) -> [PlayingNow] {
        listItems(response["nowPlaying"]?["entry"]).map { entry in
            PlayingNow(
                username: entry["username"]?.stringValue ?? "",
                title: entry["title"]?.stringValue ?? "",
                artist: entry["artist"]?.stringValue ?? "",
                album: entry["album"]?.stringValue ?? "",
                playerName: entry["playerName"]?.stringValue ?? "",
                minutesAgo: entry["minutesAgo"]?.int64Value ?? 0)
        }
    }

    var jsonValue: JSONValue {
        var json = JSONObjectWriter()
        json.set("username", username)
        json.set("title", title)
        json.set("artist", artist)
        json.set("album", album, omitEmpty: true)
        json.set("playerName", playerName, omitEmpty: true)
        json.set("minutesAgo", minutesAgo)
        return .object(json.object)
    }
}
