import NavidromePDK

/// The capabilities beyond ``Conformance``'s, answered from settings so the tests can check
/// every field both ways: each method stores its request, re-encoded, in the cache under
/// `request:<export>`, fails with the setting `fail:<export>` when present, and otherwise
/// answers with the setting `response:<export>` decoded into the typed response (and encoded
/// again by the export). A MetadataAgent method answers "not found" (no output) when its
/// response setting is missing.
struct EveryCapability: MetadataAgent, Lyrics, TaskWorker, SonicSimilarity, HTTPEndpoint, PlaylistProvider, Action {
    func getArtistMBID(_ request: ArtistMBIDRequest) throws(PluginError) -> ArtistMBIDResponse? { try found("nd_get_artist_mbid", request) }
    func getArtistURL(_ request: ArtistRequest) throws(PluginError) -> ArtistURLResponse? { try found("nd_get_artist_url", request) }
    func getArtistBiography(_ request: ArtistRequest) throws(PluginError) -> ArtistBiographyResponse? { try found("nd_get_artist_biography", request) }
    func getSimilarArtists(_ request: SimilarArtistsRequest) throws(PluginError) -> SimilarArtistsResponse? { try found("nd_get_similar_artists", request) }
    func getArtistImages(_ request: ArtistRequest) throws(PluginError) -> ArtistImagesResponse? { try found("nd_get_artist_images", request) }
    func getArtistTopSongs(_ request: TopSongsRequest) throws(PluginError) -> TopSongsResponse? { try found("nd_get_artist_top_songs", request) }
    func getAlbumInfo(_ request: AlbumRequest) throws(PluginError) -> AlbumInfoResponse? { try found("nd_get_album_info", request) }
    func getAlbumImages(_ request: AlbumRequest) throws(PluginError) -> AlbumImagesResponse? { try found("nd_get_album_images", request) }
    func getSimilarSongsByTrack(_ request: SimilarSongsByTrackRequest) throws(PluginError) -> SimilarSongsResponse? { try found("nd_get_similar_songs_by_track", request) }
    func getSimilarSongsByAlbum(_ request: SimilarSongsByAlbumRequest) throws(PluginError) -> SimilarSongsResponse? { try found("nd_get_similar_songs_by_album", request) }
    func getSimilarSongsByArtist(_ request: SimilarSongsByArtistRequest) throws(PluginError) -> SimilarSongsResponse? { try found("nd_get_similar_songs_by_artist", request) }
    func getLyrics(_ request: GetLyricsRequest) throws(PluginError) -> GetLyricsResponse { try answer("nd_lyrics_get_lyrics", request) }
    /// A task with payload `fail-first` fails its first attempt (so a host's retry shows).
    func onTaskExecute(_ request: TaskExecuteRequest) throws(PluginError) -> String {
        if request.payload == Array("fail-first".utf8) && request.attempt == 1 { throw PluginError("first attempt fails on purpose") }
        return try text("nd_task_execute", request)
    }
    func getSonicSimilarTracks(_ request: GetSonicSimilarTracksRequest) throws(PluginError) -> SonicSimilarityResponse { try answer("nd_get_sonic_similar_tracks", request) }
    func findSonicPath(_ request: FindSonicPathRequest) throws(PluginError) -> SonicSimilarityResponse { try answer("nd_find_sonic_path", request) }
    func getAvailablePlaylists(_ request: GetAvailablePlaylistsRequest) throws(PluginError) -> GetAvailablePlaylistsResponse { try answer("nd_playlist_provider_get_available_playlists", request) }
    func getPlaylist(_ request: GetPlaylistRequest) throws(PluginError) -> GetPlaylistResponse { try answer("nd_playlist_provider_get_playlist", request) }
    func onAction(_ request: ActionRequest) throws(PluginError) -> String { try text("nd_on_action", request) }

    /// Answers from `response:nd_http_handle_request`; the response body echoes the request
    /// body reversed, so the test sees both raw trailers.
    func handleRequest(_ request: HTTPHandleRequest) throws(PluginError) -> HTTPHandleResponse {
        var response: HTTPHandleResponse = try answer("nd_http_handle_request", request)
        try CacheService.setBytes(key: "body:nd_http_handle_request", value: request.body, ttlSeconds: 0)
        response.body = request.body.reversed()
        return response
    }
}

func record<Request: JSONEncodable>(_ export: String, _ request: Request) throws(PluginError) {
    try CacheService.setString(key: "request:" + export, value: request.jsonString(), ttlSeconds: 0)
    if let failure = Extism.config("fail:" + export) { throw PluginError(failure) }
}

func answer<Request: JSONEncodable, Response: JSONDecodable>(_ export: String, _ request: Request) throws(PluginError) -> Response {
    guard let response: Response = try found(export, request) else { throw PluginError("no setting response:" + export) }
    return response
}

func found<Request: JSONEncodable, Response: JSONDecodable>(_ export: String, _ request: Request) throws(PluginError) -> Response? {
    try record(export, request)
    guard let text = Extism.config("response:" + export) else { return nil }
    do { return try Response.decode(json: text) } catch { throw PluginError(error) }
}

func text<Request: JSONEncodable>(_ export: String, _ request: Request) throws(PluginError) -> String {
    try record(export, request)
    return Extism.config("response:" + export) ?? ""
}
