import Foundation
import Logging
import Testing

@testable import Feeds

@Suite(.timeLimit(.minutes(2))) struct ListenBrainzReceiverTests {
    let receiver = ListenBrainzReceiver(
        tokens: ["tok-alice": "alice", "tok-bob": "bob"], logger: Logger(label: "test.listenbrainz"))
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func submit(_ body: String, auth: String? = "Token tok-alice") async -> ListenBrainzReceiver.Reply {
        await receiver.submitListens(authorization: auth, now: now) { _ in Data(body.utf8) }
    }

    /// Exactly what Navidrome's ListenBrainz agent sends for NowPlaying
    /// (adapters/listenbrainz/agent.go formatListen + client.go updateNowPlaying).
    static let navidromeNowPlaying = """
        {"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"Track Artist",\
        "track_name":"Track Title","release_name":"Track Album","additional_info":{\
        "submission_client":"Navidrome","submission_client_version":"0.63.2 (295886cb)","tracknumber":1,\
        "artist_names":["Artist 1","Artist 2"],"artist_mbids":["mbz-789","mbz-012"],\
        "recording_mbid":"mbz-123","release_mbid":"mbz-456","release_group_mbid":"mbz-rg","duration_ms":142200}}}]}
        """

    @Test func navidromePlayingNowBecomesStarted() async throws {
        let reply = await submit(Self.navidromeNowPlaying)
        #expect(reply.status == 200)
        #expect(try json(reply.body) as NSDictionary == ["status": "ok"])
        let event = try #require(reply.events.first)
        #expect(reply.events.count == 1)
        #expect(event.kind == .started && event.source == .listenBrainz)
        #expect(event.username == "alice" && event.playerId == "Navidrome" && event.playerName == "Navidrome")
        #expect(event.positionMs == 0 && event.playbackRate == 1 && event.timestamp == now)
        let track = event.track
        #expect(track.title == "Track Title" && track.artist == "Track Artist" && track.album == "Track Album")
        #expect(track.duration == 142.2 && track.trackNumber == 1)
        #expect(track.mbzRecordingId == "mbz-123" && track.mbzAlbumId == "mbz-456")
        #expect(track.mbzReleaseGroupId == "mbz-rg" && track.mbzReleaseTrackId == nil)
        #expect(track.artists == [ArtistRef(name: "Artist 1", mbid: "mbz-789"), ArtistRef(name: "Artist 2", mbid: "mbz-012")])
        #expect(track.id == "" && track.coverArtId == nil)
    }

    @Test func navidromeScrobbleBecomesScrobbleAtListenedAt() async throws {
        let body = Self.navidromeNowPlaying
            .replacingOccurrences(of: "\"playing_now\"", with: "\"single\"")
            .replacingOccurrences(of: "[{\"track_metadata\"", with: "[{\"listened_at\":1635000000,\"track_metadata\"")
        let reply = await submit(body)
        #expect(reply.status == 200)
        let event = try #require(reply.events.first)
        #expect(event.kind == .scrobble)
        #expect(event.timestamp == Date(timeIntervalSince1970: 1_635_000_000))
        #expect(event.track.title == "Track Title")
    }

    @Test func importCarriesManyListensAndMediaPlayerNamesThePlayer() async throws {
        let listen = { (ts: Int, title: String) in
            """
            {"listened_at":\(ts),"track_metadata":{"artist_name":"A","track_name":"\(title)",\
            "additional_info":{"media_player":"Feishin","submission_client":"feishin-lb","tracknumber":"3/12",\
            "duration":200,"track_mbid":"rt-1"}}}
            """
        }
        let reply = await submit(#"{"listen_type":"import","payload":[\#(listen(1_700_000_000, "one")),\#(listen(1_700_000_300, "two"))]}"#, auth: "token tok-bob")
        #expect(reply.status == 200)
        #expect(reply.events.map(\.track.title) == ["one", "two"])
        #expect(reply.events.allSatisfy { $0.kind == .scrobble && $0.username == "bob" && $0.playerId == "Feishin" })
        #expect(reply.events[0].track.trackNumber == 3 && reply.events[0].track.duration == 200)
        #expect(reply.events[0].track.mbzReleaseTrackId == "rt-1")
        #expect(reply.events[0].track.artists == [ArtistRef(name: "A")])
    }

    @Test(arguments: [
        (nil, "You need to provide an Authorization header."),
        ("", "You need to provide an Authorization header."),
        ("tok-alice", "Provided Authorization header is invalid."),
        ("Token nope", "Invalid authorization token."),
    ] as [(String?, String)])
    func badAuthorizationIs401(header: String?, message: String) async throws {
        let reply = await submit(Self.navidromeNowPlaying, auth: header)
        #expect(reply.status == 401)
        #expect(try json(reply.body) as NSDictionary == ["code": 401, "error": message])
        #expect(reply.events.isEmpty)
    }

    @Test(arguments: [
        ("{not json", "Cannot parse JSON document"),
        ("[1,2]", "Invalid JSON document submitted."),
        (#"{"listen_type":"playing_now"}"#, "Invalid JSON document submitted."),
        (#"{"listen_type":"playing_now","payload":[]}"#, "does not contain any listens"),
        (#"{"listen_type":"playing_now","payload":{}}"#, "payload must be a list"),
        (#"{"listen_type":"later","payload":[{}]}"#, "requires a valid listen_type"),
        (#"{"listen_type":"playing_now","payload":[{"track_metadata":{"track_name":"T"}}]}"#, "track_metadata.artist_name"),
        (#"{"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"A","track_name":""}}]}"#, "track_metadata.track_name"),
        (#"{"listen_type":"playing_now","payload":[{"listened_at":1700000000,"track_metadata":{"artist_name":"A","track_name":"T"}}]}"#, "should not contain listened_at"),
        (#"{"listen_type":"single","payload":[{"track_metadata":{"artist_name":"A","track_name":"T"}}]}"#, "must contain the key listened_at"),
        (#"{"listen_type":"single","payload":[{"listened_at":"yesterday","track_metadata":{"artist_name":"A","track_name":"T"}}]}"#, "int value for listened_at"),
        (#"{"listen_type":"single","payload":[{"listened_at":100,"track_metadata":{"artist_name":"A","track_name":"T"}}]}"#, "listened_at is too low"),
        (#"{"listen_type":"single","payload":[{"listened_at":1700000000}]}"#, "key track_metadata"),
        (#"{"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"A","track_name":"T","additional_info":[]}}]}"#, "additional_info must be a JSON object"),
        (#"{"listen_type":"single","payload":[{"listened_at":1700000000,"track_metadata":{"artist_name":"A","track_name":"T"}},{"listened_at":1700000001,"track_metadata":{"artist_name":"A","track_name":"U"}}]}"#, "more than listen"),
    ])
    func malformedPayloadIs400WithListenBrainzError(body: String, fragment: String) async throws {
        let reply = await submit(body)
        #expect(reply.status == 400)
        let error = try json(reply.body)
        #expect(error["code"] as? Int == 400)
        #expect((error["error"] as? String)?.contains(fragment) == true, "\(error)")
        #expect(reply.events.isEmpty)
    }

    @Test func oversizedListenIs400() async throws {
        let big = String(repeating: "x", count: ListenBrainzReceiver.maxListenSize)
        let reply = await submit(#"{"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"A","track_name":"\#(big)"}}]}"#)
        #expect(reply.status == 400)
        #expect((try json(reply.body)["error"] as? String)?.contains("too large") == true)
    }

    @Test func validateTokenAnswersLikeListenBrainz() throws {
        let valid = receiver.validateToken(authorization: "Token tok-bob")
        #expect(valid.status == 200)
        #expect(try json(valid.body) as NSDictionary == ["code": 200, "message": "Token valid.", "valid": true, "user_name": "bob"])

        let byQuery = receiver.validateToken(authorization: nil, token: "tok-alice")
        #expect(try json(byQuery.body)["user_name"] as? String == "alice")

        // Navidrome's UI treats 200 + valid:false as "Invalid token".
        let invalid = receiver.validateToken(authorization: "Token nope")
        #expect(invalid.status == 200)
        #expect(try json(invalid.body) as NSDictionary == ["code": 200, "message": "Token invalid.", "valid": false])

        let missing = receiver.validateToken(authorization: nil)
        #expect(missing.status == 400)
        #expect(try json(missing.body) as NSDictionary == ["code": 400, "error": "You need to provide an Authorization token."])
    }

    @Test func tokensNeverReachTheLogs() async {
        let sink = LogCapture()
        let receiver = ListenBrainzReceiver(tokens: ["secret-token-1": "alice"], logger: sink.logger)
        _ = await receiver.submitListens(authorization: "Token secret-token-2") { _ in Data("{}".utf8) }
        _ = await receiver.submitListens(authorization: "Token secret-token-2") { _ in Data("{}".utf8) }
        _ = await receiver.submitListens(authorization: "Token secret-token-1") { _ in Data("{".utf8) }
        _ = receiver.validateToken(authorization: "Token secret-token-3")
        let lines = sink.lines
        #expect(lines.filter { $0.contains("unknown token") && $0.hasPrefix("warning") }.count == 2)  // once each
        #expect(lines.contains { $0.contains("Rejected a ListenBrainz submission") })
        #expect(!lines.joined().contains("secret-token"))
    }

    /// Supysonic's forwarding sends seconds in `duration_ms` (a 140 s track as 140): read as
    /// seconds, the client named in the log once.
    @Test func durationsInSecondsAreReadAsSeconds() async throws {
        let sink = LogCapture()
        let receiver = ListenBrainzReceiver(tokens: ["tok-alice": "alice"], logger: sink.logger)
        let body = Self.navidromeNowPlaying
            .replacingOccurrences(of: "\"duration_ms\":142200", with: "\"duration_ms\":140")
            .replacingOccurrences(of: "\"submission_client\":\"Navidrome\"", with: "\"submission_client\":\"Supysonic\"")
        for _ in 0..<2 {
            let reply = await receiver.submitListens(authorization: "Token tok-alice") { _ in Data(body.utf8) }
            #expect(try #require(reply.events.first).track.duration == 140)
        }
        #expect(sink.lines.filter { $0.hasPrefix("warning") && $0.contains("sends duration_ms in seconds") && $0.contains("Supysonic") }.count == 1)
        // A real length in milliseconds is left alone, also a short one of a second or more.
        let short = body.replacingOccurrences(of: "\"duration_ms\":140", with: "\"duration_ms\":1500")
        let reply = await receiver.submitListens(authorization: "Token tok-alice") { _ in Data(short.utf8) }
        #expect(try #require(reply.events.first).track.duration == 1.5)
    }

    @Test func aFloodOfUnknownTokensLogsABoundedNumberOfWarnings() async {
        let sink = LogCapture()
        let receiver = ListenBrainzReceiver(tokens: ["secret-token-1": "alice"], logger: sink.logger)
        for number in 0..<500 {
            let reply = await receiver.submitListens(authorization: "Token flood-\(number)") { _ in Data("{}".utf8) }
            #expect(reply.status == 401 || reply.status == 429)
        }
        let warnings = sink.lines.filter { $0.hasPrefix("warning") }
        #expect(warnings.count <= ListenBrainzReceiver.warningsPerMinute + 1)
        #expect(warnings.count >= 1)
        // The rest is still there for whoever turns on debug logging.
        #expect(sink.lines.filter { $0.hasPrefix("debug") && $0.contains("unknown token") }.count >= 400)
    }
}
