import NavidromePDK

/// Spotify links for a track (`spotifylinks`): a direct track URL resolved through ListenBrainz
/// Labs (by recording MBID, then by metadata), else a Spotify search. Cached 30 days (hit) or
/// 4 h (fallback to search).
struct SpotifyLinks {
    static var labsURL: String { "https://labs.api.listenbrainz.org" }

    let host: PluginHost

    /// Search URL for `terms` (empty terms skipped), or `nil` if all are empty.
    static func searchURL(_ terms: [String]) -> String? {
        var query = ""
        for term in terms {
            let t = ActivityText.trimmed(term)
            if t.isEmpty { continue }
            query += query.isEmpty ? t : " " + t
        }
        return query.isEmpty ? nil : "https://open.spotify.com/search/" + ActivityText.percentEncoded(query)
    }

    /// The track's Spotify URL.
    func trackURL(_ track: TrackSummary) -> String? {
        let folded = ActivityText.asciiLowercased(track.primaryArtist + "\u{0}" + track.title + "\u{0}" + track.album)
        let cacheKey = "spotify.url." + ActivityText.hashKey(folded)
        if let cached = host.cacheString(cacheKey), !cached.isEmpty { return cached }
        var id: String?
        if !track.recordingMBID.isEmpty {
            id = lookup("spotify-id-from-mbid", [("recording_mbid", track.recordingMBID)])
        }
        if id == nil, !track.primaryArtist.isEmpty, !track.title.isEmpty {
            id = lookup("spotify-id-from-metadata", [("artist_name", track.primaryArtist), ("track_name", track.title), ("release_name", track.album)])
        }
        if let id {
            let url = "https://open.spotify.com/track/" + id
            host.setCacheString(cacheKey, url, ttlSeconds: 30 * 86_400)
            return url
        }
        guard let search = Self.searchURL([track.artist, track.title]) else { return nil }
        host.setCacheString(cacheKey, search, ttlSeconds: 4 * 3600)
        return search
    }

    /// POSTs one query object to a ListenBrainz Labs endpoint; the first valid track id.
    func lookup(_ endpoint: String, _ fields: [(String, String)]) -> String? {
        var query = JSONObject()
        for (key, value) in fields { query[key] = .string(value) }
        let request = HTTPRequest(method: "POST", url: "\(Self.labsURL)/\(endpoint)/json",
                                  headers: [("Content-Type", "application/json")],
                                  body: JSONValue.array([.object(query)]).serialized(), timeoutMs: 4000)
        guard case .response(let r) = host.httpSend(request), r.statusCode >= 200, r.statusCode < 300,
              let results = (try? JSONValue.parse(r.body))?.arrayValue else {
            host.log(.debug, "ListenBrainz Labs \(endpoint) gave no answer")
            return nil
        }
        for result in results {
            for candidate in result["spotify_track_ids"]?.arrayValue ?? [] {
                if let id = candidate.stringValue, Self.isSpotifyID(id) { return id }
            }
        }
        return nil
    }

    static func isSpotifyID(_ id: String) -> Bool {
        !id.isEmpty && ActivityText.withBytes(id) { bytes in
            bytes.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
        }
    }
}
