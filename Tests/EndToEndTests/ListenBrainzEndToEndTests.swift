import AsyncHTTPClient
import DiscordSimulator
import Foundation
import NIOHTTP1
import Testing
import TestSupport
import TonearmJSON

/// Navidrome (or any ListenBrainz-capable player) pushing `playing_now` to Tonearm.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ListenBrainzEndToEndTests {
    /// The pushed track's length: 4 s, so its end comes soon; under sanitizers, which slow both
    /// serve and its plugin interpreter, times the square of ``testTimeScale``, so the presence
    /// shows before the track ends.
    static let durationMs = Int(4_000 * testTimeScale * testTimeScale)

    static let playingNow = """
        {"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"The Loopback Band",
        "track_name":"Pushed Through","release_name":"Loopback Sessions","additional_info":
        {"duration_ms":\(durationMs),"submission_client":"Navidrome","tracknumber":2}}}]}
        """

    @Test func playingNowShowsThePresenceUntilTheTrackEnds() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        let reply = try await stack.request(
            "/1/submit-listens", method: .POST,
            headers: [("Authorization", "Token \(Stack.aliceListenBrainzToken)"), ("Content-Type", "application/json")],
            body: Self.playingNow)
        #expect(reply.status == 200)
        #expect(reply.body.contains("\"ok\""))
        let shown = await stack.waitForActivity {
            $0?["details"]?.stringValue == "Pushed Through" && $0?["state"]?.stringValue == "The Loopback Band"
        }
        #expect(shown, "no presence; log:\n\(stack.tonearm.log().suffix(4000))")
        // Supysonic's ping names no product, and the server does not have this track: the
        // activity is "Music" with no image (Discord shows the application's icon).
        #expect(stack.activity()?["name"]?.stringValue == "Music")
        #expect(stack.activity()?["assets"] == nil)
        // No stop comes over ListenBrainz: the session expires when the track ends.
        let cleared = await stack.waitForActivity(timeout: .seconds(60) + .milliseconds(Self.durationMs)) { $0 == nil }
        #expect(cleared, "presence stayed after the track ended; log:\n\(stack.tonearm.log().suffix(4000))")
    }

    /// A pushed track the music server has (Supysonic's forwarding style: no song id, the
    /// duration in seconds in `duration_ms`) is matched to the server's song: the presence shows
    /// its cover through a Tonearm artwork link and the song's real length.
    @Test func aPushedTrackTheServerHasShowsItsArt() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        let track = stack.supysonic.info.track(titled: "Port Zero")
        let body = """
            {"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"\(track.artist)",
            "track_name":"\(track.title)","release_name":"\(track.album)","additional_info":
            {"duration_ms":\(track.duration),"submission_client":"Supysonic"}}}]}
            """
        let reply = try await stack.request(
            "/1/submit-listens", method: .POST,
            headers: [("Authorization", "Token \(Stack.aliceListenBrainzToken)"), ("Content-Type", "application/json")],
            body: body)
        #expect(reply.status == 200)
        let shown = await stack.waitForActivity { $0?["details"]?.stringValue == track.title }
        #expect(shown, "no presence; log:\n\(stack.tonearm.log().suffix(4000))")
        let activity = try #require(stack.activity())
        let key = try #require(activity["assets"]?["large_image"]?.stringValue)
        let source = try #require(Stack.sourceURL(ofAssetKey: key), "not an external asset key: \(key)")
        #expect(source.hasPrefix("http://music.example.test:\(stack.tonearm.port)/artwork/"))
        let image = try await stack.request(String(source.dropFirst("http://music.example.test:\(stack.tonearm.port)".count)))
        #expect(image.status == 200 && image.contentType.hasPrefix("image/"), "\(image.status) \(image.body.prefix(300)) \(source); log:\n\(stack.tonearm.log().suffix(3000))")
        let start = try #require(activity["timestamps"]?["start"]?.integerValue)
        let end = try #require(activity["timestamps"]?["end"]?.integerValue)
        #expect(end - start == Int64(track.duration) * 1000)
    }

    @Test func badTokensAndMalformedPayloadsAreRefused() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        let unknown = try await stack.request(
            "/1/submit-listens", method: .POST, headers: [("Authorization", "Token nope")], body: Self.playingNow)
        #expect(unknown.status == 401)
        #expect(unknown.body.contains("\"error\""))
        let malformed = try await stack.request(
            "/1/submit-listens", method: .POST, headers: [("Authorization", "Token \(Stack.aliceListenBrainzToken)")],
            body: "{\"listen_type\":")
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("\"error\""))
        let valid = try await stack.request("/1/validate-token", headers: [("Authorization", "Token \(Stack.aliceListenBrainzToken)")])
        #expect(valid.status == 200)
        #expect(valid.body.contains("\"valid\":true"))
        #expect(valid.body.contains("alice"))
        // Still serving after the bad requests.
        #expect(try await stack.request("/healthz").status == 200)
    }

    /// ListenBrainz tracks have no id: a skip within a few seconds is still a new track.
    @Test func aQuickSkipShowsTheNextTrack() async throws {
        let stack = try await Stack.start()
        defer { Task { await stack.stop() } }
        for title in ["Skipped Quickly", "Kept Playing"] {
            let body = Self.playingNow.replacingOccurrences(of: "Pushed Through", with: title)
                .replacingOccurrences(of: "\"duration_ms\":\(Self.durationMs)", with: "\"duration_ms\":240000")
            let reply = try await stack.request(
                "/1/submit-listens", method: .POST,
                headers: [("Authorization", "Token \(Stack.aliceListenBrainzToken)"), ("Content-Type", "application/json")],
                body: body)
            #expect(reply.status == 200)
            let shown = await stack.waitForActivity { $0?["details"]?.stringValue == title }
            #expect(shown, "\(title) not shown; log:\n\(stack.tonearm.log().suffix(4000))")
        }
    }
}
