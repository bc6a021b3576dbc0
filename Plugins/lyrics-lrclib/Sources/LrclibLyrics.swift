import NavidromePDK

/// A Navidrome lyrics provider backed by LRCLIB (https://lrclib.net): asks `GET /api/get` with
/// the track's signature and answers with its synced (LRC) lyrics, or its plain lyrics when it
/// has no synced ones. An instrumental track, or one LRCLIB does not know (404), gets no lyrics;
/// any other answer is an error naming the status.
struct LrclibLyrics: Lyrics {
    /// Sent as `User-Agent` and `Lrclib-Client`, as LRCLIB asks of clients: name, version, home page.
    static let client = "Tonearm lyrics-lrclib/1.0.0 (https://github.com/tonearm/tonearm)"
    /// LRCLIB may consult external sources for an unknown signature, so allow it time.
    static let timeoutMs: Int32 = 10_000

    func getLyrics(_ request: GetLyricsRequest) throws(PluginError) -> GetLyricsResponse {
        let query = LyricsQuery(track: request.track)
        guard query.isAnswerable else { return GetLyricsResponse() }
        let settings = LrclibSettings.load()
        let key = query.cacheKey
        switch LyricsCache.read(key, settings: settings) {
        case .lyrics(let text): return GetLyricsResponse(lyrics: [LyricsText(text: text)])
        case .none: return GetLyricsResponse()
        case .miss: break
        }
        let text = try Self.fetch(query, settings: settings)
        LyricsCache.write(key, text, settings: settings)
        guard let text else { return GetLyricsResponse() }
        return GetLyricsResponse(lyrics: [LyricsText(text: text)])
    }

    /// Asks LRCLIB; nil when it has no lyrics for the track.
    static func fetch(_ query: LyricsQuery, settings: LrclibSettings) throws(PluginError) -> String? {
        let url = query.url(base: settings.baseURL)
        let request = HTTPRequest(method: "GET", url: url,
                                  headers: [(key: "User-Agent", value: client), (key: "Lrclib-Client", value: client),
                                            (key: "Accept", value: "application/json")],
                                  timeoutMs: timeoutMs)
        let response: HTTPResponse
        do {
            response = try HTTPService.send(request: request)
        } catch {
            throw PluginError("LRCLIB request failed: " + error.text)
        }
        switch response.statusCode {
        case 200:
            do {
                return try LrclibRecord.decode(json: response.body).bestText
            } catch {
                throw PluginError("LRCLIB sent an unreadable answer: " + error.message)
            }
        case 404:
            return nil
        default:
            throw PluginError("LRCLIB answered HTTP \(response.statusCode) for GET \(url)")
        }
    }
}
