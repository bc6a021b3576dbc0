@testable import LrclibLyrics
import NavidromePDK
import NavidromePDKTesting
import Testing

/// Canned LRCLIB answers, in the shape of https://lrclib.net/docs (`GET /api/get`).
enum LrclibFixtures {
    static let synced = #"""
    {"id":3396226,"trackName":"I Want to Live","artistName":"Borislav Slavov","albumName":"Baldur's Gate 3 (Original Game Soundtrack)","duration":233,"instrumental":false,"plainLyrics":"I feel your breath upon my neck\nA soft caress as cold as death","syncedLyrics":"[00:17.12] I feel your breath upon my neck\n[00:20.41] A soft caress as cold as death"}
    """#
    static let plainOnly = #"""
    {"id":11,"trackName":"Song","artistName":"Artist","albumName":"Album","duration":200,"instrumental":false,"plainLyrics":"first line\nsecond line","syncedLyrics":null}
    """#
    static let instrumental = #"""
    {"id":12,"trackName":"Intro","artistName":"Artist","albumName":"Album","duration":61,"instrumental":true,"plainLyrics":null,"syncedLyrics":null}
    """#
    static let notFound = #"{"code":404,"name":"TrackNotFound","message":"Failed to find specified track"}"#
}

@Suite struct LrclibLyricsTests {
    let host = TestHost()
    let track = TrackInfo(id: "t1", title: "I Want to Live", album: "Baldur's Gate 3 (Original Game Soundtrack)",
                          artist: "Borislav Slavov", duration: 233.4)
    let url = "https://lrclib.net/api/get?artist_name=Borislav%20Slavov&track_name=I%20Want%20to%20Live&album_name=Baldur%27s%20Gate%203%20%28Original%20Game%20Soundtrack%29&duration=233"

    func lyrics(_ result: CallResult) throws -> [LyricsText] {
        try GetLyricsResponse.decode(json: result.output).lyrics
    }

    @Test func prefersSyncedLyricsAndSendsTheSignature() throws {
        host.http.respond("GET", url, body: LrclibFixtures.synced)
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(result.succeeded)
        let texts = try lyrics(result)
        #expect(texts.count == 1)
        #expect(texts.first?.text == "[00:17.12] I feel your breath upon my neck\n[00:20.41] A soft caress as cold as death")
        #expect(texts.first?.lang == "")
        let sent = try #require(host.http.requests.first)
        #expect(host.http.requests.count == 1)
        #expect(sent.method == "GET")
        #expect(sent.url == url)
        #expect(sent.headers["User-Agent"] == LrclibLyrics.client)
        #expect(sent.headers["Lrclib-Client"] == LrclibLyrics.client)
        #expect(sent.timeoutMs == 10_000)
    }

    @Test func percentEncodesNonASCIIAndReservedCharacters() {
        let odd = TrackInfo(title: "Jóga & Co/1+1=2?", album: "", artist: "Björk", duration: 0)
        let expected = "https://lrclib.net/api/get?artist_name=Bj%C3%B6rk&track_name=J%C3%B3ga%20%26%20Co%2F1%2B1%3D2%3F"
        host.http.respond("GET", expected, status: 404, body: LrclibFixtures.notFound)
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: odd))
        #expect(result.succeeded)
        #expect(host.http.requests.map(\.url) == [expected])
    }

    @Test func fallsBackToPlainLyrics() throws {
        let plain = TrackInfo(title: "Song", album: "Album", artist: "Artist", duration: 199.6)
        host.http.respond("GET", "https://lrclib.net/api/get?artist_name=Artist&track_name=Song&album_name=Album&duration=200",
                          body: LrclibFixtures.plainOnly)
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: plain))
        #expect(try lyrics(result).map(\.text) == ["first line\nsecond line"])
    }

    @Test func instrumentalHasNoLyrics() throws {
        let intro = TrackInfo(title: "Intro", album: "Album", artist: "Artist", duration: 61)
        host.http.respond("GET", "https://lrclib.net/api/get?artist_name=Artist&track_name=Intro&album_name=Album&duration=61",
                          body: LrclibFixtures.instrumental)
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: intro))
        #expect(result.succeeded)
        #expect(result.outputText == #"{"lyrics":[]}"#)
    }

    @Test func unknownTrackIsAnEmptyListAndIsCached() throws {
        host.http.respond("GET", url, status: 404, body: LrclibFixtures.notFound)
        let first = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(first.outputText == #"{"lyrics":[]}"#)
        let second = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(second.outputText == #"{"lyrics":[]}"#)
        #expect(host.http.requests.count == 1)
        let key = LyricsQuery(track: track).cacheKey
        #expect(host.cache[key] == .string("-"))
        #expect(host.cache.expiry(of: key) == host.unixMilliseconds + 3_600_000)
    }

    @Test func foundLyricsAreServedFromTheCacheUntilTheyExpire() throws {
        host.config["cacheSeconds"] = "60"
        host.http.respond("GET", url, body: LrclibFixtures.synced)
        _ = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        let cached = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(try lyrics(cached).first?.text.hasPrefix("[00:17.12]") == true)
        #expect(host.http.requests.count == 1)
        host.advance(seconds: 61)
        _ = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(host.http.requests.count == 2)
    }

    @Test func cacheCanBeTurnedOff() {
        host.config["cacheSeconds"] = "0"
        host.http.respond("GET", url, status: 404)
        _ = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        _ = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(host.http.requests.count == 2)
        #expect(host.cache.keys.isEmpty)
        #expect(host.hostCalls(to: "cache_getstring").isEmpty)
    }

    @Test func aFailingCacheDoesNotFailTheLookup() throws {
        host.answer("cache_getstring", with: #"{"error":"cache down"}"#)
        host.answer("cache_setstring", with: #"{"error":"cache down"}"#)
        host.http.respond("GET", url, body: LrclibFixtures.synced)
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(try lyrics(result).count == 1)
        #expect(host.logs.map(\.message) == ["lyrics cache unavailable: cache_getstring: cache down",
                                             "lyrics cache unavailable: cache_setstring: cache down"])
    }

    @Test func configuredBaseURLIsUsedWithoutTrailingSlash() {
        host.config["baseURL"] = "http://127.0.0.1:8080/"
        let expected = "http://127.0.0.1:8080/api/get?artist_name=Borislav%20Slavov&track_name=I%20Want%20to%20Live&album_name=Baldur%27s%20Gate%203%20%28Original%20Game%20Soundtrack%29&duration=233"
        host.http.respond("GET", expected, status: 404)
        #expect(host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track)).succeeded)
        #expect(host.http.requests.map(\.url) == [expected])
    }

    @Test func serverErrorIsAClearError() {
        host.http.respond("GET", url, status: 503, body: "upstream down")
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(result.code == 1)
        #expect(result.error == "LRCLIB answered HTTP 503 for GET " + url)
        #expect(host.cache.keys.isEmpty)
    }

    @Test func networkFailureIsAClearError() {
        host.http.fail("GET", url, error: "dial tcp: connection refused")
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(result.code == 1)
        #expect(result.error == "LRCLIB request failed: http_send: dial tcp: connection refused")
    }

    @Test func malformedJSONIsAClearError() {
        host.http.respond("GET", url, body: "<html>maintenance</html>")
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: track))
        #expect(result.code == 1)
        #expect(result.error?.hasPrefix("LRCLIB sent an unreadable answer: ") == true)
    }

    @Test func trackWithoutArtistOrTitleIsNotLookedUp() {
        let untitled = TrackInfo(title: "", artist: "Artist")
        let result = host.call(LrclibLyrics.ndLyricsGetLyrics, GetLyricsRequest(track: untitled))
        #expect(result.outputText == #"{"lyrics":[]}"#)
        #expect(host.http.requests.isEmpty)
    }

    @Test func firstArtistStandsInForAMissingDisplayArtist() {
        let query = LyricsQuery(track: TrackInfo(title: "Song", artists: [ArtistRef(name: "Solo")], duration: 10))
        #expect(query.artist == "Solo")
        #expect(query.url(base: "b") == "b/api/get?artist_name=Solo&track_name=Song&duration=10")
    }

    @Test func settingsFallBackOnMalformedValues() {
        host.config["cacheSeconds"] = "soon"
        host.config["baseURL"] = ""
        let settings = host.run { LrclibSettings.load() }
        #expect(settings.cacheSeconds == 3600)
        #expect(settings.baseURL == "https://lrclib.net")
    }
}
