import Benchmark
import Foundation
import HostServices
import Logging
@_spi(Benchmarks) import PluginRuntime

/// The Discord plugin's calls for playback events as serve makes them, 1,000 users configured
/// and every one connected: the host's real cache (`HostServices.CacheService`) keeps what the
/// plugin stores between calls, seeded with a ready gateway session per user; the other host
/// functions answer `{}` (a WebSocket send succeeds, a schedule is accepted).
///
/// Events go to the users in turn, four rounds, so each user's presence updates stay within
/// Discord's limit (five per 20 s) and every event builds and sends a presence. Each call is
/// timed on its own (`ns per call` metrics per export).
enum PlaybackEventBenchmarks {
    static let rounds = 4

    static func register() {
        // Navidrome 0.62+ and Tonearm: is_authorized, PlaybackReport (shows the track), then
        // NowPlaying (stands aside for the report).
        let withReports = ["is_authorized", "playback_report", "now_playing"]
        registerEvents(label: "with PlaybackReport", exports: withReports)
        // Navidrome 0.61: is_authorized, then NowPlaying shows the track.
        registerEvents(label: "NowPlaying only", exports: ["is_authorized", "now_playing"])
    }

    private static func registerEvents(label: String, exports: [String]) {
        let metrics = exports.map { BenchmarkMetric.custom("\($0) ns per call", useScalingFactor: false) }
        Benchmark("discord-rich-presence (1,000 users connected): playback event, \(label)",
                  configuration: .init(metrics: metrics, warmupIterations: 0, maxDuration: .seconds(60), maxIterations: 1)) { benchmark in
            let loaded = try load()
            let clock = ContinuousClock()
            let users = Fixture.thousandUsers
            for round in 0..<rounds {
                for (index, user) in users.enumerated() {
                    for (export, metric) in zip(exports, metrics) {
                        let input = Self.input(export: export, user: user, track: "\(round)-\(index)")
                        let start = clock.now
                        blackHole(try await loaded.call(export: "nd_scrobbler_" + export, input: input))
                        let took = clock.now - start
                        benchmark.measurement(metric, Int(took.components.seconds) * 1_000_000_000 + Int(took.components.attoseconds / 1_000_000_000))
                    }
                }
            }
        }
    }

    /// A new load of the Discord plugin (1,000 users) with its own seeded cache.
    private static func load() throws -> LoadedPlugin {
        let fixture = Fixture.discordThousandUsers
        let sessions = Fixture.thousandUsers.map { user in
            // Phase 3 (ready), session id, resume URL, heartbeat interval, opened at, attempts.
            ("discord.\(user).session", Fixture.storedFields(["3", "s-\(user)", "wss://resume.test", "41250", "1764000000000", "0"]))
        }
        let others = CannedHostService.all(responses: [:]).filter { $0.functionPrefix != "cache" }
        let configuration = PluginHostConfiguration(
            plugins: [fixture.id: PluginOptions(allUsers: true)], pluginSettings: [fixture.id: fixture.config.mapValues { .string($0) }])
        let loader = PluginLoader(
            configuration: configuration, services: others + [SeededCache(entries: sessions)], users: OneUser(),
            logger: Logger(label: "benchmark", factory: { _ in SwiftLogNoOpLogHandler() }), engine: PluginLoader.engineConfiguration)
        return try loader.load(path: fixture.ndp)
    }

    /// The export's input for `user` playing the track numbered `number` (a new track each time).
    private static func input(export: String, user: String, track number: String) -> [UInt8] {
        let track = #"{"id":"tr-\#(number)","title":"Track \#(number)","album":"Mezzanine","artist":"Massive Attack","albumArtist":"Massive Attack","artists":[{"id":"ar-1","name":"Massive Attack"}],"albumArtists":[{"id":"ar-1","name":"Massive Attack"}],"duration":330.5,"trackNumber":3,"discNumber":1,"mbzRecordingId":"rec-1","mbzAlbumId":"alb-1","mbzReleaseGroupId":"rg-1"}"#
        let now = Int(Date().timeIntervalSince1970)
        switch export {
        case "is_authorized":
            return Array(#"{"username":"\#(user)"}"#.utf8)
        case "playback_report":
            return Array(#"{"username":"\#(user)","track":\#(track),"state":"starting","positionMs":0,"playbackRate":1,"playerId":"p1","playerName":"bench","timestamp":\#(now)}"#.utf8)
        default:
            return Array(#"{"username":"\#(user)","track":\#(track),"position":0}"#.utf8)
        }
    }
}

/// The host's cache, holding `entries` (key, string value) for the plugin from its load on.
private struct SeededCache: HostService {
    let cache = CacheService()
    let entries: [(String, String)]

    var permission: String? { cache.permission }
    var functionPrefix: String { cache.functionPrefix }

    func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let functions = cache.functions(for: plugin)
        for (key, value) in entries {
            let request = try! JSONSerialization.data(withJSONObject: ["key": key, "value": value, "ttlSeconds": 3600])
            _ = functions["cache_setstring"]!([UInt8](request))
        }
        return functions
    }

    func pluginUnloaded(_ pluginID: String) async { await cache.pluginUnloaded(pluginID) }
}
