@testable import MetadataMusicBrainz
import NavidromePDK
import NavidromePDKTesting
import Testing

/// URLs the agent is expected to request with the default configuration.
enum Expected {
    static let artistSearch = "https://musicbrainz.org/ws/2/artist?query=artist%3A%22Massive%20Attack%22&limit=5&fmt=json"
    static let artist = "https://musicbrainz.org/ws/2/artist/\(Fixtures.artistID)?inc=url-rels&fmt=json"
    static let sitelinks = "https://www.wikidata.org/w/api.php?action=wbgetentities&ids=Q183145&props=sitelinks&sitefilter=enwiki&format=json"
    static let summary = "https://en.wikipedia.org/api/rest_v1/page/summary/Massive_Attack"
    static let release = "https://musicbrainz.org/ws/2/release/\(Fixtures.releaseID)?inc=release-groups&fmt=json"
    static let releaseSearch = "https://musicbrainz.org/ws/2/release?query=release%3A%22Mezzanine%22%20AND%20artist%3A%22Massive%20Attack%22&limit=5&fmt=json"
    static let releaseGroup = "https://musicbrainz.org/ws/2/release-group/\(Fixtures.groupID)?inc=url-rels&fmt=json"
    static let albumSitelinks = "https://www.wikidata.org/w/api.php?action=wbgetentities&ids=Q1141862&props=sitelinks&sitefilter=enwiki&format=json"
    static let albumSummary = "https://en.wikipedia.org/api/rest_v1/page/summary/Mezzanine_%28album%29"
    static let cover = "https://coverartarchive.org/release/\(Fixtures.releaseID)"
    static let groupCover = "https://coverartarchive.org/release-group/\(Fixtures.groupID)"
    static let userAgent = "Tonearm-metadata-musicbrainz/1.0.0 ( https://github.com/tonearm/tonearm )"
}

@Suite struct ArtistTests {
    let host = TestHost()
    let massiveAttack = ArtistRequest(id: "ar-1", name: "Massive Attack", mbid: Fixtures.artistID)

    func json(_ result: CallResult) throws -> JSONValue { try result.outputJSON() }

    @Test func mbidSearchPrefersTheMatchingNameAndSendsAUserAgent() throws {
        // The search is asked with the name as Navidrome has it; the result named "Massive
        // Attack" (score 98) wins over the top-scored "Massive Attack Tribute".
        let url = "https://musicbrainz.org/ws/2/artist?query=artist%3A%22massive%20attack%22&limit=5&fmt=json"
        host.http.respond("GET", url, body: Fixtures.artistSearch)
        let result = host.call(MusicBrainzAgent.ndGetArtistMbid, ArtistMBIDRequest(id: "ar-1", name: "massive attack"))
        #expect(result.succeeded)
        #expect(try json(result) == .object(JSONObject([("mbid", .string(Fixtures.artistID))])))
        let sent = try #require(host.http.requests.first)
        #expect(sent.url == url)
        #expect(sent.headers["User-Agent"] == Expected.userAgent)
        #expect(sent.headers["Accept"] == "application/json")
        #expect(sent.timeoutMs == 10_000)
    }

    @Test func mbidSearchEscapesLuceneAndPercentEncodes() {
        let url = "https://musicbrainz.org/ws/2/artist?query=artist%3A%22%5C%22Weird%5C%22%20Al%20%2F%20Bj%C3%B6rk%20%26%20Co%22&limit=5&fmt=json"
        host.http.respond("GET", url, body: #"{"count":0,"offset":0,"artists":[]}"#)
        let result = host.call(MusicBrainzAgent.ndGetArtistMbid, ArtistMBIDRequest(name: #""Weird" Al / Björk & Co"#))
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
        #expect(host.http.requests.map(\.url) == [url])
    }

    @Test func mbidSearchWithOnlyWeakMatchesIsNotFound() {
        host.http.respond("GET", "https://musicbrainz.org/ws/2/artist?query=artist%3A%22Attack%22&limit=5&fmt=json",
                          body: #"{"artists":[{"id":"x","name":"Attack!","score":"85"},{"id":"y","name":"Attack","score":"70"}]}"#)
        let result = host.call(MusicBrainzAgent.ndGetArtistMbid, ArtistMBIDRequest(name: "Attack"))
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
    }

    @Test func urlIsTheCurrentOfficialHomepage() throws {
        host.http.respond("GET", Expected.artist, body: Fixtures.artist)
        let result = host.call(MusicBrainzAgent.ndGetArtistUrl, massiveAttack)
        #expect(try json(result)["url"] == .string("https://www.massiveattack.co.uk/"))
        #expect(host.http.requests.map(\.url) == [Expected.artist])
    }

    @Test func urlFallsBackToTheMusicBrainzPageAndSearchesWithoutMBID() throws {
        host.http.respond("GET", Expected.artistSearch, body: Fixtures.artistSearch)
        host.http.respond("GET", Expected.artist, body: Fixtures.artistWithoutLinks)
        let result = host.call(MusicBrainzAgent.ndGetArtistUrl, ArtistRequest(id: "ar-1", name: "Massive Attack"))
        #expect(try json(result)["url"] == .string("https://musicbrainz.org/artist/\(Fixtures.artistID)"))
        #expect(host.http.requests.map(\.url) == [Expected.artistSearch, Expected.artist])
    }

    @Test func unknownArtistIsNotFound() {
        host.http.respond("GET", Expected.artist, status: 404, body: Fixtures.notFound)
        let result = host.call(MusicBrainzAgent.ndGetArtistUrl, massiveAttack)
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
    }

    @Test func biographyComesFromWikipediaThroughWikidata() throws {
        host.http.respond("GET", Expected.artist, body: Fixtures.artist)
        host.http.respond("GET", Expected.sitelinks, body: Fixtures.sitelinks)
        host.http.respond("GET", Expected.summary, body: Fixtures.summary)
        let result = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        #expect(try json(result)["biography"] == .string("Massive Attack are an English trip hop collective formed in 1988 in Bristol."))
        #expect(host.http.requests.map(\.url) == [Expected.artist, Expected.sitelinks, Expected.summary])
        #expect(host.http.requests.allSatisfy { $0.headers["User-Agent"] == Expected.userAgent })
    }

    @Test func imagesAreTheArticleLeadImageAndComeFromTheCache() throws {
        host.http.respond("GET", Expected.artist, body: Fixtures.artist)
        host.http.respond("GET", Expected.sitelinks, body: Fixtures.sitelinks)
        host.http.respond("GET", Expected.summary, body: Fixtures.summary)
        _ = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        let result = host.call(MusicBrainzAgent.ndGetArtistImages, massiveAttack)
        let images = try ArtistImagesResponse.decode(json: result.output).images
        #expect(images.map(\.url) == ["https://upload.wikimedia.org/wikipedia/commons/a/ab/Massive_Attack.jpg",
                                      "https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab/Massive_Attack.jpg/320px-Massive_Attack.jpg"])
        #expect(images.map(\.size) == [2048, 320])
        #expect(host.http.requests.count == 3)  // the second export asked nobody
        #expect(host.cache.expiry(of: "http:" + Expected.artist) == host.unixMilliseconds + 86_400_000)
    }

    @Test func directWikipediaLinkInTheConfiguredLanguageIsDecodedAndReencoded() throws {
        let url = "https://en.wikipedia.org/api/rest_v1/page/summary/Bj%C3%B6rk_Gu%C3%B0mundsd%C3%B3ttir"
        host.http.respond("GET", Expected.artist, body: Fixtures.artistWithWikipedia)
        host.http.respond("GET", url, body: #"{"type":"standard","extract":"Björk is an Icelandic singer."}"#)
        let result = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        #expect(try json(result)["biography"] == .string("Björk is an Icelandic singer."))
        #expect(host.http.requests.map(\.url) == [Expected.artist, url])
    }

    @Test func languageAndContactAreConfigurable() throws {
        host.config["language"] = "de"
        host.config["contact"] = "admin@example.org"
        host.http.respond("GET", Expected.artist, body: Fixtures.artistWithWikipedia)
        host.http.respond("GET", "https://de.wikipedia.org/api/rest_v1/page/summary/Bj%C3%B6rk",
                          body: #"{"type":"standard","extract":"Björk ist eine isländische Sängerin."}"#)
        let result = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        #expect(try json(result)["biography"] == .string("Björk ist eine isländische Sängerin."))
        #expect(host.http.requests.first?.headers["User-Agent"] == "Tonearm-metadata-musicbrainz/1.0.0 ( admin@example.org )")
    }

    @Test func artistWithoutWikiLinksHasNoBiographyOrImages() {
        host.http.respond("GET", Expected.artist, body: Fixtures.artistWithoutLinks)
        #expect(host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack).output.isEmpty)
        #expect(host.call(MusicBrainzAgent.ndGetArtistImages, massiveAttack).output.isEmpty)
        #expect(host.http.requests.map(\.url) == [Expected.artist])
    }

    @Test func missingSitelinkOrDisambiguationPageIsNotFound() {
        host.http.respond("GET", Expected.artist, body: Fixtures.artist)
        host.http.respond("GET", Expected.sitelinks, body: #"{"entities":{"Q183145":{"type":"item","id":"Q183145","sitelinks":{}}},"success":1}"#)
        #expect(host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack).output.isEmpty)
        host.http.respond("GET", Expected.sitelinks, body: Fixtures.sitelinks)
        host.http.respond("GET", Expected.summary, body: Fixtures.disambiguation)
        host.config["cacheSeconds"] = "0"
        let result = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
    }

    @Test func noNameAndNoMBIDAsksNobody() {
        let result = host.call(MusicBrainzAgent.ndGetArtistUrl, ArtistRequest(id: "ar-1"))
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
        #expect(host.http.requests.isEmpty)
    }
}

@Suite struct AlbumTests {
    let host = TestHost()
    let mezzanine = AlbumRequest(name: "Mezzanine", artist: "Massive Attack", mbid: Fixtures.releaseID)

    @Test func infoHasTitleLinkAndWikipediaDescription() throws {
        host.http.respond("GET", Expected.release, body: Fixtures.release)
        host.http.respond("GET", Expected.releaseGroup, body: Fixtures.releaseGroup)
        host.http.respond("GET", Expected.albumSitelinks, body: Fixtures.albumSitelinks)
        host.http.respond("GET", Expected.albumSummary, body: Fixtures.albumSummary)
        let result = host.call(MusicBrainzAgent.ndGetAlbumInfo, mezzanine)
        let info = try AlbumInfoResponse.decode(json: result.output)
        #expect(info.name == "Mezzanine")
        #expect(info.mbid == Fixtures.releaseID)
        #expect(info.url == "https://musicbrainz.org/release/\(Fixtures.releaseID)")
        #expect(info.description == "Mezzanine is the third studio album by Massive Attack, released in 1998.")
        #expect(host.http.requests.map(\.url) == [Expected.release, Expected.releaseGroup, Expected.albumSitelinks, Expected.albumSummary])
    }

    @Test func infoWithoutMBIDSearchesByTitleAndArtist() throws {
        host.http.respond("GET", Expected.releaseSearch, body: Fixtures.releaseSearch)
        host.http.respond("GET", Expected.releaseGroup, body: #"{"id":"g","title":"Mezzanine","relations":[]}"#)
        let result = host.call(MusicBrainzAgent.ndGetAlbumInfo, AlbumRequest(name: "Mezzanine", artist: "Massive Attack"))
        let info = try AlbumInfoResponse.decode(json: result.output)
        #expect(info.mbid == Fixtures.releaseID)  // the title match, not the top-scored remaster
        #expect(info.description == "")
        #expect(host.http.requests.map(\.url) == [Expected.releaseSearch, Expected.releaseGroup])
    }

    @Test func unknownReleaseIsNotFound() {
        host.http.respond("GET", Expected.release, status: 404, body: Fixtures.notFound)
        let result = host.call(MusicBrainzAgent.ndGetAlbumInfo, mezzanine)
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
    }

    @Test func imagesAreTheFrontCoverThumbnailsOverHTTPS() throws {
        host.http.respond("GET", Expected.cover, body: Fixtures.coverArt)
        let result = host.call(MusicBrainzAgent.ndGetAlbumImages, mezzanine)
        let images = try AlbumImagesResponse.decode(json: result.output).images
        let base = "https://coverartarchive.org/release/\(Fixtures.releaseID)/2-"
        #expect(images.map(\.url) == [base + "1200.jpg", base + "500.jpg", base + "250.jpg"])
        #expect(images.map(\.size) == [1200, 500, 250])
        #expect(host.http.requests.map(\.url) == [Expected.cover])
    }

    @Test func imagesFallBackToTheReleaseGroupCover() throws {
        host.http.respond("GET", Expected.cover, status: 404, body: "")
        host.http.respond("GET", Expected.release, body: Fixtures.release)
        host.http.respond("GET", Expected.groupCover, body: Fixtures.groupCoverArt)
        let result = host.call(MusicBrainzAgent.ndGetAlbumImages, mezzanine)
        let images = try AlbumImagesResponse.decode(json: result.output).images
        #expect(images.map(\.size) == [500, 250])
        #expect(images.first?.url == "https://coverartarchive.org/release/dddddddd-0000-0000-0000-000000000001/9-500.jpg")
        #expect(host.http.requests.map(\.url) == [Expected.cover, Expected.release, Expected.groupCover])
    }

    @Test func imagesWithoutAnyCoverAreNotFound() {
        host.http.respond("GET", Expected.releaseSearch, body: Fixtures.releaseSearch)
        host.http.respond("GET", Expected.cover, body: #"{"images":[{"front":false,"image":"x","thumbnails":{}}],"release":"r"}"#)
        host.http.respond("GET", Expected.groupCover, status: 404, body: "")
        let result = host.call(MusicBrainzAgent.ndGetAlbumImages, AlbumRequest(name: "Mezzanine", artist: "Massive Attack"))
        #expect(result.succeeded)
        #expect(result.output.isEmpty)
        #expect(host.http.requests.map(\.url) == [Expected.releaseSearch, Expected.cover, Expected.groupCover])
    }
}

@Suite struct FailureTests {
    let host = TestHost()
    let massiveAttack = ArtistRequest(id: "ar-1", name: "Massive Attack", mbid: Fixtures.artistID)

    @Test func rateLimitedMusicBrainzIsAnErrorAndNotCached() {
        host.http.respond("GET", Expected.artist, status: 503, body: "slow down")
        let result = host.call(MusicBrainzAgent.ndGetArtistUrl, massiveAttack)
        #expect(result.code == 1)
        #expect(result.error == "MusicBrainz answered HTTP 503 for GET " + Expected.artist)
        #expect(host.cache.keys.isEmpty)
    }

    @Test func networkFailureNamesTheSource() {
        host.http.respond("GET", Expected.artist, body: Fixtures.artist)
        host.http.fail("GET", Expected.sitelinks, error: "dial tcp: i/o timeout")
        let result = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        #expect(result.code == 1)
        #expect(result.error == "Wikidata request failed: http_send: dial tcp: i/o timeout")
    }

    @Test func unreadableAnswerNamesTheSource() {
        host.http.respond("GET", Expected.cover, body: "<html>busy</html>")
        let result = host.call(MusicBrainzAgent.ndGetAlbumImages, AlbumRequest(name: "Mezzanine", mbid: Fixtures.releaseID))
        #expect(result.code == 1)
        #expect(result.error?.hasPrefix("Cover Art Archive sent an unreadable answer: ") == true)
    }

    @Test func aFailingCacheOnlyLogs() throws {
        host.answer("cache_getbytes", with: #"{"error":"cache down"}"#)
        host.answer("cache_setbytes", with: #"{"error":"cache down"}"#)
        host.http.respond("GET", Expected.artist, body: Fixtures.artist)
        let result = host.call(MusicBrainzAgent.ndGetArtistUrl, massiveAttack)
        #expect(try result.outputJSON()["url"] == .string("https://www.massiveattack.co.uk/"))
        #expect(host.logs.map(\.message) == ["cache unavailable: cache_getbytes: cache down", "cache unavailable: cache_setbytes: cache down"])
    }

    @Test func configuredBaseURLsReplaceEveryService() throws {
        host.config["musicbrainzURL"] = "http://127.0.0.1:9/mb/"
        host.config["wikidataURL"] = "http://127.0.0.1:9/wd"
        host.config["wikipediaURL"] = "http://127.0.0.1:9/wp"
        host.config["cacheSeconds"] = "0"
        host.http.respond("GET", "http://127.0.0.1:9/mb/ws/2/artist/\(Fixtures.artistID)?inc=url-rels&fmt=json", body: Fixtures.artist)
        host.http.respond("GET", "http://127.0.0.1:9/wd/w/api.php?action=wbgetentities&ids=Q183145&props=sitelinks&sitefilter=enwiki&format=json", body: Fixtures.sitelinks)
        host.http.respond("GET", "http://127.0.0.1:9/wp/api/rest_v1/page/summary/Massive_Attack", body: Fixtures.summary)
        let result = host.call(MusicBrainzAgent.ndGetArtistBiography, massiveAttack)
        #expect(result.succeeded)
        #expect(host.http.requests.count == 3)
        #expect(host.cache.keys.isEmpty)
        #expect(host.hostCalls(to: "cache_getbytes").isEmpty)
    }
}

@Suite struct TextBytesTests {
    @Test func percentEncodingRoundTrips() {
        #expect(URLText.percentEncoded("a b/ü~") == "a%20b%2F%C3%BC~")
        #expect(TextBytes.percentDecoded("a%20b%2F%C3%BC~%zz%") == "a b/ü~%zz%")
    }

    @Test func prefixesIgnoreASCIICase() {
        #expect(TextBytes.dropPrefix("https://EN.wikipedia.org/wiki/", from: "https://en.wikipedia.org/wiki/X") == "X")
        #expect(TextBytes.dropPrefix("https://en.wikipedia.org/wiki/", from: "https://de.wikipedia.org/wiki/X") == nil)
        #expect(TextBytes.equalIgnoringASCIICase("MASSIVE attack", "massive ATTACK"))
        #expect(!TextBytes.equalIgnoringASCIICase("Björk", "BJÖRK"))
    }

    @Test func linksPreferCurrentRelations() {
        let links = ExternalLinks(relations: [
            URLRelation(type: "official homepage", resource: "http://old.example/", ended: true),
            URLRelation(type: "official homepage", resource: "https://new.example/", ended: false),
            URLRelation(type: "wikidata", resource: "https://www.wikidata.org/wiki/Q1", ended: false),
        ], language: "en")
        #expect(links.homepage == "https://new.example/")
        #expect(links.wikidataID == "Q1")
        #expect(links.wikipediaTitle == nil)
    }
}
