import DiscordSimulator
import Foundation
import HostServices
import Logging
import PluginRuntime
import TestSupport
import Testing
import TonearmJSON

/// The Discord Rich Presence plugin (`build/plugins/discord-rich-presence.ndp`, built by
/// `scripts/build-plugins`) run by Tonearm's runtime and host services against the Discord
/// simulator on loopback: every scenario drives the real `.ndp` through its exports, and the
/// simulator checks what reaches "Discord".
@Suite(.serialized, .timeLimit(.minutes(5)))
struct DiscordPluginScenarioTests {
    @Test func twoUsersPlayAtOnce() async throws {
        try await withHarness { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Alice Song"))
            try await harness.nowPlaying("bob", Track(id: "b1", title: "Bob Song"))
            #expect(await harness.waitForDetails("alice", "Alice Song"))
            #expect(await harness.waitForDetails("bob", "Bob Song"))
            let activity = try #require(harness.simulator.presence(of: "alice")?.activity)
            #expect(activity["type"]?.integerValue == 2)
            #expect(activity["state"]?.stringValue == "The Artist")
            #expect(activity["application_id"]?.stringValue == ScenarioHarness.clientID)
            #expect(activity["assets"]?["large_image"]?.stringValue?.hasPrefix("mp:") == true)
            #expect(harness.simulator.presence(of: "alice")?.warnings == [])
            #expect(harness.simulator.rateLimitBreaches().isEmpty)
            // Each new connection's READY delivers the presence; NowPlaying, which opened the
            // connection, does not send it again.
            try await Task.sleep(for: .milliseconds(500))
            #expect(harness.simulator.report(for: "alice")?.counters.presenceUpdates == 1)
            #expect(harness.simulator.report(for: "bob")?.counters.presenceUpdates == 1)
        }
    }

    @Test func usersInJSONFormWithStatus() async throws {
        let users = #"[{"status":"idle","token":"TOKEN_A","username":"alice"},{"token":"TOKEN_B","username":"bob"}]"#
        try await withHarness(users: users) { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Idle Song"))
            #expect(await harness.waitForDetails("alice", "Idle Song"))
            #expect(harness.simulator.presence(of: "alice")?.status == "idle")
        }
    }

    @Test func pauseAndResume() async throws {
        try await withHarness { harness in
            let track = Track(id: "a1", title: "Pausable")
            try await harness.playbackReport("alice", track, state: "playing", positionMs: 10_000)
            #expect(await harness.waitForDetails("alice", "Pausable"))
            try await harness.playbackReport("alice", track, state: "paused", positionMs: 20_000)
            #expect(await harness.simulator.waitUntil(timeout: .seconds(30)) { sim in
                sim.presence(of: "alice")?.activity?["assets"]?["small_text"]?.stringValue == "Paused"
            })
            let paused = try #require(harness.simulator.presence(of: "alice")?.activity)
            #expect(paused["timestamps"]?["end"] == nil)
            try await harness.playbackReport("alice", track, state: "playing", positionMs: 20_000)
            #expect(await harness.simulator.waitUntil(timeout: .seconds(30)) { sim in
                sim.presence(of: "alice")?.activity?["timestamps"]?["end"] != nil
            })
        }
    }

    @Test func stopClearsPresenceAndCloses() async throws {
        try await withHarness { harness in
            let track = Track(id: "a1", title: "Stoppable")
            try await harness.playbackReport("alice", track, state: "playing", positionMs: 0)
            #expect(await harness.waitForDetails("alice", "Stoppable"))
            try await harness.playbackReport("alice", track, state: "stopped", positionMs: 5_000)
            #expect(await harness.simulator.waitUntil(timeout: .seconds(30)) { $0.presence(of: "alice")?.activity == nil })
            #expect(harness.simulator.closeRecords().contains { $0.code == 1000 && $0.initiator == .client })
        }
    }

    @Test func trackEndClearsWithoutPlaybackReport() async throws {
        try await withHarness { harness in
            // Long enough for the handshake to finish on a loaded machine before the track ends.
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Short", duration: 8))
            #expect(await harness.waitForDetails("alice", "Short"))
            // Cleared at the end of the track + 5 s.
            #expect(await harness.simulator.waitUntil(timeout: .seconds(40)) { $0.presence(of: "alice")?.activity == nil })
        }
    }

    @Test func badTokenIsFatalWithoutRetries() async throws {
        try await withHarness(users: "alice:WRONG_TOKEN,bob:TOKEN_B") { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Never Shown"))
            #expect(await harness.simulator.waitUntil(timeout: .seconds(30)) { sim in
                sim.closeRecords().contains { $0.code == 4004 }
            })
            #expect(await harness.waitForAuthorization("alice", false))
            // Another play event must not reconnect: still exactly one attempt.
            await #expect(throws: (any Error).self) {
                try await harness.nowPlaying("alice", Track(id: "a2", title: "Still Never Shown"))
            }
            try? await Task.sleep(for: .seconds(3))
            #expect(harness.simulator.closeRecords().filter { $0.code == 4004 }.count == 1)
        }
    }

    @Test func droppedConnectionResumesMidTrack() async throws {
        try await withHarness { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Resilient"))
            #expect(await harness.waitForDetails("alice", "Resilient"))
            try await harness.simulator.inject(.dropConnection, user: "alice")
            #expect(await harness.waitForCounter("alice") { $0.resumes >= 1 })
            #expect(await harness.waitForDetails("alice", "Resilient"))
            #expect(harness.simulator.report(for: "alice")?.counters.resumesOffResumeURL == 0)
            #expect(harness.simulator.report(for: "alice")?.counters.identifies == 1)
        }
    }

    @Test func op7ReconnectResumes() async throws {
        try await withHarness { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Op Seven"))
            #expect(await harness.waitForDetails("alice", "Op Seven"))
            try await harness.simulator.inject(.reconnect, user: "alice")
            #expect(await harness.waitForCounter("alice") { $0.resumes >= 1 })
            #expect(await harness.waitForDetails("alice", "Op Seven"))
            #expect(harness.simulator.report(for: "alice")?.counters.identifies == 1)
        }
    }

    @Test func op9IdentifiesAgain() async throws {
        try await withHarness { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Op Nine"))
            #expect(await harness.waitForDetails("alice", "Op Nine"))
            try await harness.simulator.inject(.invalidSession(resumable: false), user: "alice")
            #expect(await harness.waitForCounter("alice") { $0.identifies >= 2 })
            #expect(await harness.waitForDetails("alice", "Op Nine"))
        }
    }

    @Test func missingACKReconnects() async throws {
        try await withHarness { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Zombie"))
            #expect(await harness.waitForDetails("alice", "Zombie"))
            try await harness.simulator.inject(.stopHeartbeatACKs, user: "alice")
            #expect(await harness.waitForCounter("alice") { $0.connections >= 2 })
            try await harness.simulator.inject(.resumeHeartbeatACKs, user: "alice")
            #expect(await harness.waitForCounter("alice") { $0.resumes >= 1 })
            #expect(await harness.waitForDetails("alice", "Zombie"))
        }
    }

    @Test func rapidSkipsEndOnTheLastTrackWithinRateLimits() async throws {
        try await withHarness { harness in
            try await harness.nowPlaying("alice", Track(id: "t0", title: "Skip 0"))
            #expect(await harness.waitForDetails("alice", "Skip 0"))
            for n in 1...20 {
                try await harness.nowPlaying("alice", Track(id: "t\(n)", title: "Skip \(n)"))
            }
            #expect(await harness.waitForDetails("alice", "Skip 20", timeout: .seconds(60)))
            #expect(harness.simulator.rateLimitBreaches().isEmpty)
            #expect(harness.simulator.report(for: "alice")?.counters.presenceUpdatesDropped == 0)
        }
    }

    /// Each presence setting changes its field of the frame the simulator accepts.
    @Test func presenceSettingsShapeTheFrame() async throws {
        let settings = ["statusdisplay": "State", "servername": "Jukebox", "detailstemplate": "{track} · {player}",
                        "largetexttemplate": "{album} by {albumartist}", "links": "ListenBrainz"]
        try await withHarness(settings: settings) { harness in
            let track = Track(id: "a1", title: "Linked", artistMBID: "561d854a-6a28-4aa7-8c99-323e6ce46c2a",
                              recordingMBID: "5b11f4ce-a62d-471e-81fc-a69a8278c7da", releaseMBID: "8e8a594f-2175-4d39-a0f8-e8a2b6c5d0b2")
            try await harness.playbackReport("alice", track, state: "playing", positionMs: 0)
            #expect(await harness.waitForDetails("alice", "Linked · Web"))
            let activity = try #require(harness.simulator.presence(of: "alice")?.activity)
            #expect(activity["name"]?.stringValue == "Jukebox")
            #expect(activity["status_display_type"]?.integerValue == 1)
            #expect(activity["details_url"]?.stringValue == "https://listenbrainz.org/track/5b11f4ce-a62d-471e-81fc-a69a8278c7da/")
            #expect(activity["state_url"]?.stringValue == "https://listenbrainz.org/artist/561d854a-6a28-4aa7-8c99-323e6ce46c2a/")
            #expect(activity["assets"]?["large_url"]?.stringValue == "https://listenbrainz.org/release/8e8a594f-2175-4d39-a0f8-e8a2b6c5d0b2/")
            #expect(activity["assets"]?["large_text"]?.stringValue == "The Album by The Artist")
            #expect(harness.simulator.presence(of: "alice")?.warnings == [])
        }
    }

    /// While the user's own Discord client is invisible the plugin sends an empty, invisible
    /// presence; when the client comes back online the track shows again.
    @Test func invisibleClientHidesThePresence() async throws {
        try await withHarness { harness in
            try await harness.simulator.setClientStatus("invisible", user: "alice")
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Hidden While Invisible"))
            #expect(await harness.simulator.waitUntil(timeout: .seconds(30)) { sim in
                sim.presence(of: "alice")?.status == "invisible"
            })
            #expect(harness.simulator.presence(of: "alice")?.activity == nil)
            try await harness.simulator.setClientStatus("online", user: "alice")
            #expect(await harness.waitForDetails("alice", "Hidden While Invisible"))
            #expect(harness.simulator.presence(of: "alice")?.status == "online")
            try await harness.simulator.setClientStatus("invisible", user: "alice")
            #expect(await harness.simulator.waitUntil(timeout: .seconds(30)) { sim in
                sim.presence(of: "alice")?.status == "invisible" && sim.presence(of: "alice")?.activity == nil
            })
            #expect(harness.simulator.rateLimitBreaches().isEmpty)
        }
    }

    /// With a thousand configured users, the plugin's calls need more memory than its module
    /// declares; later instances start with enough, so steady-state calls reuse pooled instances
    /// instead of making new ones.
    @Test func aThousandUsersNeedNoNewInstancesPerCall() async throws {
        let others = (0..<1_000).map { "listener\($0):\(String(repeating: "x", count: 59))\($0)" }
        try await withHarness(users: (["alice:TOKEN_A", "bob:TOKEN_B"] + others).joined(separator: ",")) { harness in
            for index in 0..<3 {
                try await harness.nowPlaying("alice", Track(id: "w\(index)", title: "Warm-up \(index)"))
            }
            #expect(await harness.waitForDetails("alice", "Warm-up 2"))
            let warm = harness.plugin.instantiations
            for index in 1...5 {
                try await harness.nowPlaying("alice", Track(id: "a\(index)", title: "Song \(index)"))
            }
            #expect(await harness.waitForDetails("alice", "Song 5"))
            // Without a raised floor every event made two or three (13 for these five); with it,
            // new ones come only while a loaded machine has more calls in flight than the pool holds.
            #expect(harness.plugin.instantiations - warm < 5)
        }
    }

    /// A track a privacy filter matches never reaches Discord: no connection, no image
    /// registration; the other user's track still shows.
    @Test func filteredTracksNeverReachDiscord() async throws {
        let users = #"[{"username":"alice","token":"TOKEN_A","filteralbums":"the album"},{"username":"bob","token":"TOKEN_B"}]"#
        try await withHarness(users: users, settings: ["filtertitles": "secret*"]) { harness in
            try await harness.nowPlaying("alice", Track(id: "a1", title: "Anything"))
            try await harness.nowPlaying("bob", Track(id: "b1", title: "Secret Song"))
            try await harness.nowPlaying("bob", Track(id: "b2", title: "Public Song"))
            #expect(await harness.waitForDetails("bob", "Public Song"))
            #expect(harness.simulator.report(for: "alice")?.counters.externalAssetRequests == 0)
            #expect(harness.simulator.report(for: "alice")?.sessions.isEmpty == true)
            #expect(!harness.simulator.frames().contains { $0.text.contains("Secret Song") || $0.text.contains("Anything") })
        }
    }
}

/// Runs `body` with a fresh harness and always shuts it down.
func withHarness(users: String = "alice:TOKEN_A,bob:TOKEN_B", settings: [String: String] = [:],
                 _ body: (ScenarioHarness) async throws -> Void) async throws {
    let harness = try await ScenarioHarness(users: users, settings: settings)
    do {
        try await body(harness)
    } catch {
        await harness.shutdown()
        throw error
    }
    await harness.shutdown()
}

/// A track as Navidrome sends it.
struct Track {
    var id: String
    var title: String
    var duration: Double = 240
    var artist = "The Artist"
    var artistMBID = ""
    var recordingMBID = ""
    var releaseMBID = ""

    var json: [String: Any] {
        ["id": id, "title": title, "album": "The Album", "artist": artist, "albumArtist": "The Artist",
         "artists": [["id": "ar1", "name": artist, "mbid": artistMBID]], "albumArtists": [["id": "ar1", "name": "The Artist"]],
         "duration": duration, "trackNumber": 1, "discNumber": 1, "mbzRecordingId": recordingMBID, "mbzAlbumId": releaseMBID]
    }
}

/// The simulator, Tonearm's host services and the loaded plugin, wired as `tonearm serve` does.
final class ScenarioHarness: Sendable {
    static let clientID = "123456789012345678"
    static let pluginID = "discord-rich-presence"

    let simulator: DiscordSimulator
    let plugin: LoadedPlugin
    let services: [any HostService]

    /// `settings` are plugin settings beside the client id, users and simulator URLs.
    init(users: String = "alice:TOKEN_A,bob:TOKEN_B", settings: [String: String] = [:]) async throws {
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.heartbeatIntervalMilliseconds = 2_000
        // Heartbeats come every 2 s (so a missing ACK shows quickly), but the simulator closes a
        // silent connection only after 10 s: on a loaded two-core machine a heartbeat can be a
        // second late, and the default 1.5 × interval closed healthy connections mid-scenario.
        simulatorConfiguration.heartbeatTimeoutMilliseconds = 10_000
        simulatorConfiguration.users = [
            SimulatedUser(name: "alice", token: "TOKEN_A"), SimulatedUser(name: "bob", token: "TOKEN_B"),
        ]
        simulator = try DiscordSimulator(configuration: simulatorConfiguration)
        let endpoints = try await simulator.start()

        var configuration = PluginHostConfiguration()
        // None of these scenarios is about a plugin moved to the background (PluginRuntimeTests
        // are), so no call counts as heavy: in a debug or sanitizer build the first
        // `now_playing` of a fresh load can use over 0.5 s of CPU while the other suites start,
        // and a plugin moved to the background then missed its 30 s deadline.
        configuration.heavyCallCPU = 86_400
        configuration.plugins[Self.pluginID] = PluginOptions(users: ["alice", "bob"], extraHosts: ["127.0.0.1"])
        configuration.pluginSettings[Self.pluginID] = [
            "clientid": .string(Self.clientID),
            "users": .string(users),
            "gatewayurl": .string(endpoints.gatewayURL),
            "apibaseurl": .string(endpoints.httpURL + "/api"),
        ]
        for (key, value) in settings { configuration.pluginSettings[Self.pluginID]?[key] = .string(value) }
        let signer = ArtworkLinkSigner(
            secret: ArtworkLinkSigner.randomSecret(), publicBaseURL: URL(string: "https://tonearm.example.org")!)
        let dataFolder = FileManager.default.temporaryDirectory.appendingPathComponent("discord-scenario-\(UUID().uuidString)")
        services = HostServices.all(dataFolder: dataFolder, artwork: signer, subsonic: NoUpstream())
        let loader = PluginLoader(
            configuration: configuration, services: services, users: ScenarioUsers(), logger: Logger(label: "scenario"))
        plugin = try loader.load(path: try Self.packagePath())
    }

    /// `build/plugins/discord-rich-presence.ndp` of this repository.
    static func packagePath() throws -> String {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let path = root.appendingPathComponent("build/plugins/\(pluginID).ndp").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError("\(path) is missing: run scripts/build-plugins first")
        }
        return path
    }

    /// Closes the plugin's sockets and schedules, shuts the HTTP client down, stops the simulator.
    func shutdown() async {
        for service in services { await service.pluginUnloaded(Self.pluginID) }
        for case let http as HTTPService in services { try? await http.shutdown() }
        await simulator.stop()
    }

    func call(_ export: String, _ payload: [String: Any]) async throws -> [UInt8] {
        let input = try JSONSerialization.data(withJSONObject: payload)
        return try await plugin.call(export: export, input: Array(input))
    }

    func nowPlaying(_ user: String, _ track: Track, position: Int = 0) async throws {
        _ = try await call("nd_scrobbler_now_playing", ["username": user, "track": track.json, "position": position])
    }

    func playbackReport(_ user: String, _ track: Track, state: String, positionMs: Int) async throws {
        _ = try await call("nd_scrobbler_playback_report", [
            "username": user, "track": track.json, "state": state, "positionMs": positionMs, "playbackRate": 1.0,
            "playerId": "p1", "playerName": "Web", "timestamp": Int(Date().timeIntervalSince1970),
        ])
    }

    func waitForDetails(_ user: String, _ details: String, timeout: Duration = .seconds(30)) async -> Bool {
        await simulator.waitUntil(timeout: timeout) { sim in
            sim.presence(of: user)?.activity?["details"]?.stringValue == details
        }
    }

    func waitForCounter(_ user: String, timeout: Duration = .seconds(30), _ condition: @escaping @Sendable (UserCounters) -> Bool) async -> Bool {
        await simulator.waitUntil(timeout: timeout) { sim in
            sim.report(for: user).map { condition($0.counters) } ?? false
        }
    }

    func waitForAuthorization(_ user: String, _ expected: Bool) async -> Bool {
        for _ in 0..<60 {
            if let output = try? await call("nd_scrobbler_is_authorized", ["username": user]),
               String(decoding: output, as: UTF8.self) == (expected ? "true" : "false") {
                return true
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
        return false
    }
}

struct ScenarioError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct ScenarioUsers: UserDirectory {
    func users() -> [TonearmUser] {
        [TonearmUser(userName: "alice", name: "Alice", isAdmin: false), TonearmUser(userName: "bob", name: "Bob", isAdmin: false)]
    }
}

/// No Subsonic server: the scenarios use the artwork links, not uploads.
struct NoUpstream: SubsonicUpstream {
    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse {
        throw ScenarioError("no Subsonic server in this test")
    }
}
