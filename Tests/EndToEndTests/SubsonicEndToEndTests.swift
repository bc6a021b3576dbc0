import AsyncHTTPClient
import DiscordSimulator
import Foundation
import NIOHTTP1
import Testing
import TestSupport
import TonearmJSON

/// The main job, as a self-hoster runs it: Supysonic on loopback, `tonearm serve` polling it
/// with the Discord plugin, the Discord simulator standing in for Discord.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct SubsonicEndToEndTests {
    @Test func streamingShowsThePresenceWithArtworkAndStoppingClearsIt() async throws {
        // Long enough for the presence to show on a loaded two-core machine before the window ends.
        let stack = try await Stack.start(nowPlayingSeconds: 25)
        defer { Task { await stack.stop() } }
        let track = stack.supysonic.info.track(titled: "Analytical Engine")

        try await stack.stream(track)
        let shown = await stack.waitForActivity {
            $0?["details"]?.stringValue == track.title && $0?["state"]?.stringValue == track.artist
        }
        #expect(shown, "presence never showed the track; tonearm log:\n\(stack.tonearm.log().suffix(4000))")
        let activity = try #require(stack.activity())
        #expect(activity["type"]?.integerValue == 2)
        #expect(activity["application_id"]?.stringValue == Stack.clientID)
        #expect(activity["assets"]?["large_text"]?.stringValue == track.album)
        let timestamps = try #require(activity["timestamps"])
        let start = try #require(timestamps["start"]?.integerValue)
        let end = try #require(timestamps["end"]?.integerValue)
        #expect(end - start == Int64(track.duration) * 1000)

        // The art is a signed Tonearm link under the public URL, registered with Discord, that
        // serves the real cover from Supysonic and carries no Subsonic credentials.
        let key = try #require(activity["assets"]?["large_image"]?.stringValue)
        let source = try #require(Stack.sourceURL(ofAssetKey: key), "not an external asset key: \(key)")
        #expect(source.hasPrefix("http://music.example.test:\(stack.tonearm.port)/artwork/"))
        for secret in ["admin-pass", "alice-pass", "admin", "alice"] {
            #expect(!source.contains(secret), "artwork link leaks \(secret): \(source)")
        }
        let parameters = URLComponents(string: source)?.queryItems?.map(\.name) ?? []
        #expect(Set(parameters).isDisjoint(with: ["u", "p", "t", "s", "apiKey"]), "artwork link carries credentials: \(source)")
        let path = String(source.dropFirst("http://music.example.test:\(stack.tonearm.port)".count))
        let image = try await stack.request(path)
        #expect(image.status == 200)
        #expect(image.contentType.hasPrefix("image/"))
        #expect(image.body.utf8.count > 100)
        let tampered = try await stack.request(path.replacingOccurrences(of: "sig=", with: "sig=x"))
        #expect(tampered.status == 403)

        // Supysonic drops alice from getNowPlaying once the window passes: the poller reports a
        // stop and the plugin clears the presence.
        let cleared = await stack.waitForActivity(timeout: .seconds(90)) { $0 == nil }
        #expect(cleared, "presence never cleared; tonearm log:\n\(stack.tonearm.log().suffix(4000))")
    }

    @Test func statusShowsPluginsAndPlaybackWithoutSecrets() async throws {
        let stack = try await Stack.start(nowPlayingSeconds: 60)
        defer { Task { await stack.stop() } }
        let health = try await stack.request("/healthz")
        #expect(health.status == 200)

        let track = stack.supysonic.info.track(titled: "Analytical Engine")
        try await stack.stream(track)
        _ = await stack.waitForActivity { $0?["details"]?.stringValue == track.title }
        let status = try await stack.request("/api/status")
        #expect(status.status == 200)
        #expect(status.body.contains("\"discord-rich-presence\""))
        #expect(status.body.contains(track.title))
        for secret in ["admin-pass", "alice-pass", Stack.aliceDiscordToken, Stack.aliceListenBrainzToken] {
            #expect(!status.body.contains(secret), "/api/status leaks a secret")
            #expect(!stack.tonearm.log().contains(secret), "the log leaks a secret")
        }
        // Operator endpoints are off without an AdminToken.
        let rescan = try await stack.request("/api/plugins/rescan", method: .POST)
        #expect(rescan.status == 404)
    }

    @Test func upstreamDownAndBackUpIsLoggedOnceAndRecovers() async throws {
        let stack = try await Stack.start(nowPlayingSeconds: 60)
        defer { Task { await stack.stop() } }
        let info = stack.supysonic.info
        stack.supysonic.stop()
        try await Task.sleep(for: .seconds(4))
        let again = try await SupysonicServer.start(["--data", info.data, "--port", "\(info.port)", "--now-playing-seconds", "60"])
        defer { again.stop() }
        let track = info.track(titled: "Analytical Engine")
        try await stack.stream(track)
        let shown = await stack.waitForActivity(timeout: .seconds(120)) { $0?["details"]?.stringValue == track.title }
        #expect(shown, "no presence after the server came back; log:\n\(stack.tonearm.log().suffix(4000))")
        let log = stack.tonearm.log()
        let outages = log.components(separatedBy: "unreachable").count - 1 + log.components(separatedBy: "is down").count - 1
        #expect(outages <= 2, "the outage should be logged once, not per poll:\n\(log.suffix(3000))")
    }

    @Test func gracefulShutdownClearsThePresence() async throws {
        let stack = try await Stack.start(nowPlayingSeconds: 120)
        defer { Task { await stack.stop() } }
        let track = stack.supysonic.info.track(titled: "Analytical Engine")
        try await stack.stream(track)
        #expect(await stack.waitForActivity { $0?["details"]?.stringValue == track.title })
        stack.tonearm.stop()
        #expect(stack.tonearm.exitStatus == 0, "tonearm exited with \(stack.tonearm.exitStatus):\n\(stack.tonearm.log().suffix(3000))")
        let cleared = await stack.waitForActivity(timeout: .seconds(30)) { $0 == nil }
        #expect(cleared, "shutdown left the presence up; log:\n\(stack.tonearm.log().suffix(3000))")
        let log = stack.tonearm.log()
        #expect(log.components(separatedBy: "Cleared the Discord presence of").count - 1 == 1, "\(log.suffix(3000))")
    }
}

/// Discord going away mid-track and coming back: the plugin reconnects by itself and the
/// presence is shown again without a new play event.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DiscordRestartEndToEndTests {
    @Test func presenceComesBackAfterTheGatewayRestarts() async throws {
        let stack = try await Stack.start(nowPlayingSeconds: 300)
        defer { Task { await stack.stop() } }
        let track = stack.supysonic.info.track(titled: "Analytical Engine")
        try await stack.stream(track)
        #expect(await stack.waitForActivity { $0?["details"]?.stringValue == track.title })

        await stack.simulator.stop()
        var configuration = stack.simulator.configuration
        configuration.port = stack.endpoints.port
        let restarted = try DiscordSimulator(configuration: configuration)
        _ = try await restarted.start()
        defer { Task { await restarted.stop() } }
        let back = await restarted.waitUntil(timeout: .seconds(120)) { simulator in
            simulator.presence(of: "alice")?.activity?["details"]?.stringValue == track.title
        }
        #expect(back, "presence not restored after the gateway restarted; log:\n\(stack.tonearm.log().suffix(4000))")
        #expect(restarted.rateLimitBreaches().isEmpty)
    }
}
