import NavidromePDK

/// Lookups and searches against the MusicBrainz web service (`/ws/2`, `fmt=json`).
/// MusicBrainz allows about one request per second per client IP; answers are cached by
/// ``WebClient`` so repeated exports for the same artist or album do not ask again.
struct MusicBrainzClient {
    /// Lowest search score accepted for a result whose name matches the one asked for.
    static let minimumScore: Int64 = 90
    static let source = "MusicBrainz"

    let web: WebClient
    var settings: AgentSettings { web.settings }

    /// The MBID of the artist named `name`: a search result with that name (or sort name,
    /// ASCII case ignored) scoring at least 90, else a result scoring 100; nil when none.
    func artistMBID(named name: String) throws(PluginError) -> String? {
        guard !name.utf8.isEmpty else { return nil }
        let query = "artist:" + TextBytes.lucenePhrase(name)
        let url = settings.musicBrainzURL + "/ws/2/artist?query=" + URLText.percentEncoded(query) + "&limit=5&fmt=json"
        guard let body = try web.get(url, source: Self.source) else { return nil }
        let candidates = try decodeDocument(ArtistSearchResult.self, body, source: Self.source).artists
        for c in candidates where c.score >= Self.minimumScore && !c.id.utf8.isEmpty {
            if TextBytes.equalIgnoringASCIICase(c.name, name) || TextBytes.equalIgnoringASCIICase(c.sortName, name) { return c.id }
        }
        if let top = candidates.first, top.score >= 100, !top.id.utf8.isEmpty { return top.id }
        return nil
    }

    /// The artist `mbid` with its URL relationships, or nil when MusicBrainz does not know it.
    func artist(_ mbid: String) throws(PluginError) -> LinkedEntity? {
        try linked("artist", mbid)
    }

    /// The release group `mbid` with its URL relationships, or nil when unknown.
    func releaseGroup(_ mbid: String) throws(PluginError) -> LinkedEntity? {
        try linked("release-group", mbid)
    }

    /// The release `mbid` with its release group, or nil when unknown.
    func release(_ mbid: String) throws(PluginError) -> ReleaseSummary? {
        let url = settings.musicBrainzURL + "/ws/2/release/" + URLText.percentEncoded(mbid) + "?inc=release-groups&fmt=json"
        guard let body = try web.get(url, source: Self.source) else { return nil }
        return try decodeDocument(ReleaseSummary.self, body, source: Self.source)
    }

    /// The release titled `title` by `artist`: a search result with that title (ASCII case
    /// ignored) scoring at least 90, else a result scoring 100; nil when none.
    func findRelease(title: String, artist: String) throws(PluginError) -> ReleaseSummary? {
        guard !title.utf8.isEmpty else { return nil }
        var query = "release:" + TextBytes.lucenePhrase(title)
        if !artist.utf8.isEmpty { query += " AND artist:" + TextBytes.lucenePhrase(artist) }
        let url = settings.musicBrainzURL + "/ws/2/release?query=" + URLText.percentEncoded(query) + "&limit=5&fmt=json"
        guard let body = try web.get(url, source: Self.source) else { return nil }
        let releases = try decodeDocument(ReleaseSearchResult.self, body, source: Self.source).releases
        for r in releases where r.score >= Self.minimumScore && !r.id.utf8.isEmpty {
            if TextBytes.equalIgnoringASCIICase(r.title, title) { return r }
        }
        if let top = releases.first, top.score >= 100, !top.id.utf8.isEmpty { return top }
        return nil
    }

    /// The release Navidrome asks about: looked up by its MBID when it has one, else searched
    /// by title and album artist.
    func release(for request: AlbumRequest) throws(PluginError) -> ReleaseSummary? {
        if !request.mbid.utf8.isEmpty { return try release(request.mbid) }
        return try findRelease(title: request.name, artist: request.artist)
    }

    /// Public page of an entity on the MusicBrainz site.
    func page(_ kind: String, _ mbid: String) -> String {
        settings.musicBrainzURL + "/" + kind + "/" + URLText.percentEncoded(mbid)
    }

    private func linked(_ kind: String, _ mbid: String) throws(PluginError) -> LinkedEntity? {
        guard !mbid.utf8.isEmpty else { return nil }
        let url = settings.musicBrainzURL + "/ws/2/" + kind + "/" + URLText.percentEncoded(mbid) + "?inc=url-rels&fmt=json"
        guard let body = try web.get(url, source: Self.source) else { return nil }
        return try decodeDocument(LinkedEntity.self, body, source: Self.source)
    }
}
