import NavidromePDK

/// What one run learned: who is playing now and the newest albums, as seen by `user`.
struct Digest {
    /// Unix seconds of the run.
    var at: Int64
    /// The user the Subsonic API was called as.
    var user: String
    var playing: [PlayingNow]
    var newest: [NewAlbum]

    /// The JSON kept in the KV store under ``DigestStore/digestKey``.
    var jsonValue: JSONValue {
        var json = JSONObjectWriter()
        json.set("at", at)
        json.set("user", user)
        json.set("nowPlaying", .array(playing.map { $0.jsonValue }))
        json.set("newestAlbums", .array(newest.map { $0.jsonValue }))
        return .object(json.object)
    }

    /// One log line: "digest as alice: 1 playing now (bob: Artist – Title); 2 newest albums:
    /// A (X, 1998), B (Y)".
    var summary: String {
        var text = "digest as \(user): \(playing.count) playing now"
        if !playing.isEmpty {
            text += " (" + joined(playing.map { "\($0.username): \($0.artist) – \($0.title)" }) + ")"
        }
        text += "; \(newest.count) newest albums"
        if !newest.isEmpty {
            text += ": " + joined(newest.map { $0.label })
        }
        return text
    }

    private func joined(_ parts: [String]) -> String {
        var text = ""
        for part in parts {
            if !text.utf8.isEmpty { text += ", " }
            text += part
        }
        return text
    }
}
