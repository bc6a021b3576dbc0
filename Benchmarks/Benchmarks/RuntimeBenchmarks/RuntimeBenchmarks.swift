import Benchmark
import Foundation
import Logging
@_spi(Benchmarks) import PluginRuntime
import WasmKit

// Per-call cost of Tonearm's plugin runtime, next to the reference Extism runtime measured in
// the same run (issues #6 and #4). Host functions answer `{}` in both runtimes, so the figures
// are the runtime's own cost plus the plugin's work.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock], warmupIterations: 50, maxDuration: .seconds(5),
        maxIterations: 20_000)

    // ---- Tonearm: pooled instances restored to their snapshot (compiled-module cache hit) ----
    // Each call is timed on its own, back to back, as the reference runtime's calls are below:
    // a benchmark iteration of one call would also time the harness starting a task and
    // waiting for it (about 8 µs here).
    for plugin in [Fixture.minimal, Fixture.discord, Fixture.discordThousandUsers, Fixture.discordThousandUsersChecked, Fixture.discordThousandUsersStored] {
        let metric = BenchmarkMetric.custom("ns per call", useScalingFactor: false)
        Benchmark("\(plugin.label): stateless call, pooled instance (cache hit)",
                  configuration: .init(metrics: [metric], warmupIterations: 1, maxDuration: .seconds(10), maxIterations: 20)) { benchmark in
            let loaded = try plugin.pooled()
            let clock = ContinuousClock()
            for _ in 0..<(plugin.label == Fixture.discordThousandUsers.label ? 50 : 500) {
                let start = clock.now
                blackHole(try await loaded.call(export: plugin.noOp, input: plugin.noOpInput))
                let took = clock.now - start
                benchmark.measurement(metric, Int(took.components.attoseconds / 1_000_000_000) + Int(took.components.seconds) * 1_000_000_000)
            }
        }
    }

    Benchmark("minimal: stateless call, new instance per call (poolSize 0)") { benchmark in
        let loaded = try Fixture.minimal.unpooled()
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: Fixture.minimal.noOp, input: Fixture.minimal.noOpInput))
        }
    }

    Benchmark("minimal: compiled-module cache miss (load .ndp, compile, call)",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5), maxIterations: 200)) { benchmark in
        for _ in benchmark.scaledIterations {
            let loaded = try Fixture.minimal.load()
            blackHole(try await loaded.call(export: Fixture.minimal.noOp, input: Fixture.minimal.noOpInput))
        }
    }

    PlaybackEventBenchmarks.register()

    // ---- The Discord plugin's own work (issue #4) ----
    Benchmark("discord-rich-presence: nd_scrobbler_now_playing") { benchmark in
        let loaded = try Fixture.discord.pooled()
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_scrobbler_now_playing", input: Fixture.nowPlaying))
        }
    }

    Benchmark("discord-rich-presence (1,000 users): nd_scrobbler_now_playing") { benchmark in
        let loaded = try Fixture.discordThousandUsers.pooled()
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_scrobbler_now_playing", input: Fixture.nowPlaying))
        }
    }

    Benchmark("discord-rich-presence (1,000 users, configuration stored): nd_scrobbler_now_playing") { benchmark in
        let loaded = try Fixture.discordThousandUsersStored.pooled()
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_scrobbler_now_playing", input: Fixture.nowPlaying))
        }
    }

    // A connected user's steady state: the heartbeat schedule and Discord's ACK.
    Benchmark("discord-rich-presence (connected): nd_scheduler_callback, heartbeat") { benchmark in
        let loaded = try Fixture.discordConnected.pooled()
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_scheduler_callback", input: Fixture.heartbeatInput))
        }
    }

    Benchmark("discord-rich-presence (connected): nd_websocket_on_text_message, heartbeat ACK") { benchmark in
        let loaded = try Fixture.discordConnected.pooled()
        let input = Fixture.gatewayMessage(#"{"op":11}"#)
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_websocket_on_text_message", input: input))
        }
    }

    Benchmark("discord-rich-presence: nd_websocket_on_text_message, 1 KB unrelated dispatch") { benchmark in
        let loaded = try Fixture.discord.pooled()
        let input = Fixture.unrelatedDispatchInput
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_websocket_on_text_message", input: input))
        }
    }

    // How the dispatch cost grows with the frame: a bare dispatch and a 10 KB one.
    for (label, input) in [("40-byte", Fixture.tinyDispatchInput), ("10 KB", Fixture.largeDispatchInput)] {
        Benchmark("discord-rich-presence: nd_websocket_on_text_message, \(label) unrelated dispatch") { benchmark in
            let loaded = try Fixture.discord.pooled()
            for _ in benchmark.scaledIterations {
                blackHole(try await loaded.call(export: "nd_websocket_on_text_message", input: input))
            }
        }
    }

    Benchmark("discord-rich-presence: nd_websocket_on_text_message, 500 KB READY",
              configuration: .init(metrics: [.wallClock], maxDuration: .seconds(5), maxIterations: 2_000)) { benchmark in
        let loaded = try Fixture.discord.pooled()
        let input = Fixture.readyInput
        for _ in benchmark.scaledIterations {
            blackHole(try await loaded.call(export: "nd_websocket_on_text_message", input: input))
        }
    }

    // ---- WasmKit configurations: the same calls on engines configured otherwise ----
    for engine in EngineChoice.all {
        for (fixture, export, input, pooled) in [
            (Fixture.minimal, Fixture.minimal.noOp, Fixture.minimal.noOpInput, true),
            (Fixture.minimal, Fixture.minimal.noOp, Fixture.minimal.noOpInput, false),
            (Fixture.discord, "nd_scrobbler_now_playing", Fixture.nowPlaying, true),
            (Fixture.discord, "nd_scrobbler_now_playing", Fixture.nowPlaying, false),
        ] {
            let kind = pooled ? "pooled instance" : "new instance per call"
            Benchmark("wasmkit \(engine.name): \(fixture.label): \(export), \(kind)") { benchmark in
                let loaded = try Loads.shared.plugin(fixture, pooled: pooled, engine: engine)
                for _ in benchmark.scaledIterations {
                    blackHole(try await loaded.call(export: export, input: input))
                }
            }
        }
    }

    // ---- The reference runtime, in the same run ----
    for plugin in [Fixture.minimal, Fixture.discord, Fixture.discordThousandUsers, Fixture.discordThousandUsersChecked, Fixture.discordThousandUsersStored] {
        for fresh in [true, false] {
            let name = fresh ? "fresh plugin per call from a compiled module" : "calls on one warm plugin"
            let metric = BenchmarkMetric.custom("ns per call", useScalingFactor: false)
            Benchmark("reference extism: \(plugin.label): \(name)",
                      configuration: .init(metrics: [metric], warmupIterations: 1, maxDuration: .seconds(10),
                                           maxIterations: 20)) { benchmark in
                for sample in try ReferenceExtism.shared.measure(plugin, fresh: fresh, count: fresh ? 100 : 1_000) {
                    benchmark.measurement(metric, sample)
                }
            }
        }
    }
}

/// A plugin under test and its no-op call.
struct Fixture: Sendable {
    let id: String
    let noOp: String
    let noOpInput: [UInt8]
    /// The plugin's configuration, as both runtimes get it (Tonearm from `[PluginSettings.<id>]`).
    let config: [String: String]
    /// The name benchmarks show; the plugin's id unless the configuration makes the difference.
    let label: String
    /// What host functions answer, by name (the others answer `{}`), in both runtimes.
    var hostResponses: [String: String] = [:]

    static let minimal = Fixture(
        id: "minimal", noOp: "nd_scrobbler_is_authorized", noOpInput: Array(#"{"username":"alice"}"#.utf8),
        config: [:], label: "minimal")
    static let discord = Fixture(
        id: "discord-rich-presence", noOp: "nd_scrobbler_is_authorized",
        noOpInput: Array(#"{"username":"alice"}"#.utf8),
        config: ["clientid": "123456789012345678", "users": "alice:token-alice"], label: "discord-rich-presence")
    /// The Discord plugin with 1,000 users configured (alice first), as a server of many
    /// listeners runs it: every call reads the whole `users` value.
    static let discordThousandUsers = Fixture(
        id: "discord-rich-presence", noOp: "nd_scrobbler_is_authorized",
        noOpInput: Array(#"{"username":"alice"}"#.utf8),
        config: [
            "clientid": "123456789012345678",
            "users": (["alice:token-alice"] + (1..<1_000).map { String(format: "bench%04d:discord-bench-token-%04d", $0, $0) })
                .joined(separator: ","),
        ],
        label: "discord-rich-presence (1,000 users)")
    /// The users of ``discordThousandUsers``: alice, then bench0001 … bench0999.
    static let thousandUsers = ["alice"] + (1..<1_000).map { String(format: "bench%04d", $0) }
    /// As ``discordThousandUsers``, with the cache holding the fingerprint of the checked list
    /// (as it does after the first `is_authorized`): the steady state of a server.
    static let discordThousandUsersChecked = Fixture(
        id: discordThousandUsers.id, noOp: discordThousandUsers.noOp, noOpInput: discordThousandUsers.noOpInput,
        config: discordThousandUsers.config, label: "discord-rich-presence (1,000 users, list checked)",
        hostResponses: ["cache_getstring": #"{"exists":true,"value":"\#(usersFingerprint(discordThousandUsers.config["users"]!))"}"#])

    /// As ``discordThousandUsers``, with the cache holding alice's stored configuration (the
    /// plugin's `UserConfiguration`, written by her first `is_authorized` of the load): the
    /// steady state of a server. Every cache string read gets that text.
    static let discordThousandUsersStored = Fixture(
        id: discordThousandUsers.id, noOp: discordThousandUsers.noOp, noOpInput: discordThousandUsers.noOpInput,
        config: discordThousandUsers.config, label: "discord-rich-presence (1,000 users, configuration stored)",
        hostResponses: ["cache_getstring": #"{"exists":true,"value":"\#(storedConfiguration([("clientid", "123456789012345678"), ("users", "alice:token-alice")]))"}"#])

    /// The Discord plugin for a user whose gateway session is ready and whose last heartbeat was
    /// acknowledged: the cache answers every string with that session and every integer with 1.
    static let discordConnected = Fixture(
        id: discord.id, noOp: discord.noOp, noOpInput: discord.noOpInput, config: discord.config,
        label: "discord-rich-presence (connected)",
        hostResponses: [
            // Phase 3 (ready), session id, resume URL, heartbeat interval, opened at, attempts.
            "cache_getstring": #"{"exists":true,"value":"\#(storedFields(["3", "s1", "wss://resume.test", "41250", "1764000000000", "0"]))"}"#,
            "cache_getint": #"{"exists":true,"value":1}"#,
        ])
    /// Kind 1 (heartbeat), user, no track.
    static let heartbeatInput = Array(#"{"scheduleId":"alice-heartbeat","payload":"\#(storedFields(["1", "alice", ""]))","isRecurring":true}"#.utf8)

    /// The Discord plugin's fingerprint of a checked `users` value (its `ActivityText.fingerprint`): length
    /// and an FNV-1a-style hash of the bytes eight at a time (little endian), the tail byte by byte.
    static func usersFingerprint(_ value: String) -> String {
        let bytes = Array(value.utf8)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let words = bytes.count / 8
        for index in 0..<words {
            let word = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index * 8 + $1]) << (8 * $1) }
            hash = (hash ^ word) &* 0x100_0000_01b3
        }
        for byte in bytes[(words * 8)...] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(bytes.count)-\(hash)"
    }

    /// The Discord plugin's stored configuration of a user (its `UserConfiguration.text`): keys
    /// and values alternating, as ``storedFields(_:)``.
    static func storedConfiguration(_ pairs: [(String, String)]) -> String {
        storedFields(pairs.flatMap { [$0.0, $0.1] })
    }

    /// What the Discord plugin keeps in the cache and in schedule payloads (its `StoredFields`):
    /// each field as its byte count, a colon and its bytes.
    static func storedFields(_ fields: [String]) -> String {
        fields.map { "\($0.utf8.count):\($0)" }.joined()
    }

    var ndp: String { Repository.root.appendingPathComponent("build/plugins/\(id).ndp").path }

    /// One load for the whole run (ordo-one runs a benchmark's closure once per iteration).
    func pooled() throws -> LoadedPlugin { try Loads.shared.plugin(self, pooled: true) }
    func unpooled() throws -> LoadedPlugin { try Loads.shared.plugin(self, pooled: false) }

    func load(poolSize: Int? = nil, engine: EngineChoice = .tonearm) throws -> LoadedPlugin {
        guard FileManager.default.fileExists(atPath: ndp) else {
            throw BenchmarkSetupError("\(ndp) not found: run scripts/build-plugins first")
        }
        let configuration = PluginHostConfiguration(
            plugins: [id: PluginOptions(allUsers: true)], pluginSettings: [id: config.mapValues { .string($0) }])
        var loader = PluginLoader(
            configuration: configuration, services: CannedHostService.all(responses: hostResponses.mapValues { Array($0.utf8) }), users: OneUser(),
            logger: Logger(label: "benchmark", factory: { _ in SwiftLogNoOpLogHandler() }), engine: engine.configuration)
        loader.poolSize = poolSize
        return try loader.load(path: ndp)
    }

    static let nowPlaying = Array("""
        {"username":"alice","track":{"id":"tr-1","title":"Teardrop","album":"Mezzanine","artist":"Massive Attack",\
        "albumArtist":"Massive Attack","artists":[{"id":"ar-1","name":"Massive Attack"}],\
        "albumArtists":[{"id":"ar-1","name":"Massive Attack"}],"duration":330.5,"trackNumber":3,"discNumber":1,\
        "mbzRecordingId":"rec-1","mbzAlbumId":"alb-1","mbzReleaseGroupId":"rg-1"},"position":42}
        """.utf8)

    /// A ~1 KB dispatch the plugin has no use for (another session's presence).
    static let unrelatedDispatch: String = {
        let activities = (0..<4).map { index in
            #"{"name":"Game \#(index)","type":0,"created_at":1764000000000,"state":"In a match, round \#(index) of 12","details":"Ranked — map \#(index)","timestamps":{"start":1764000000000}}"#
        }
        return #"{"op":0,"s":42,"t":"SESSIONS_REPLACE","d":[{"session_id":"0123456789abcdef0123456789abcdef","status":"online","client_info":{"version":0,"os":"linux","client":"desktop"},"activities":[\#(activities.joined(separator: ","))]}]}"#
    }()

    /// A READY of about 500 KB: the user, their session, and many guilds.
    static let ready: String = {
        let guild = { (index: Int) in
            #"{"id":"\#(100_000_000_000_000_000 + index)","unavailable":false,"name":"Guild number \#(index)","icon":null,"features":["COMMUNITY","NEWS","WELCOME_SCREEN_ENABLED"],"member_count":\#(index * 7),"roles":[{"id":"\#(index)1","name":"@everyone","permissions":"1071698660929"},{"id":"\#(index)2","name":"moderators","permissions":"8"}]}"#
        }
        var guilds: [String] = []
        var size = 0
        while size < 500_000 {
            guilds.append(guild(guilds.count))
            size += guilds.last!.utf8.count + 1
        }
        return #"{"op":0,"s":1,"t":"READY","d":{"v":10,"user":{"id":"111111111111111111","username":"alice","discriminator":"0","global_name":"Alice"},"session_id":"fedcba9876543210fedcba9876543210","resume_gateway_url":"wss://gateway.example/resume","session_type":"normal","guilds":[\#(guilds.joined(separator: ","))],"private_channels":[],"relationships":[]}}"#
    }()

    static let unrelatedDispatchInput = gatewayMessage(unrelatedDispatch)
    static let tinyDispatchInput = gatewayMessage(#"{"op":0,"s":42,"t":"TYPING_START","d":{}}"#)
    static let largeDispatchInput = gatewayMessage(unrelatedDispatch.replacingOccurrences(
        of: #""activities":["#,
        with: #""activities":["# + String(repeating: #"{"name":"Padding activity","type":0,"state":"x","details":"yy"},"#, count: 140)))
    static let readyInput = gatewayMessage(ready)

    /// `nd_websocket_on_text_message`'s input for a gateway frame.
    static func gatewayMessage(_ frame: String) -> [UInt8] {
        let object: [String: String] = ["connectionId": "alice", "message": frame]
        return [UInt8](try! JSONSerialization.data(withJSONObject: object))
    }
}

/// The plugins loaded once per run.
final class Loads: @unchecked Sendable {
    static let shared = Loads()
    private let lock = NSLock()
    private var loaded: [String: LoadedPlugin] = [:]

    func plugin(_ fixture: Fixture, pooled: Bool, engine: EngineChoice = .tonearm) throws -> LoadedPlugin {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(fixture.label) \(pooled) \(engine.name)"
        if let plugin = loaded[key] { return plugin }
        let plugin = try fixture.load(poolSize: pooled ? nil : 0, engine: engine)
        loaded[key] = plugin
        return plugin
    }
}

/// A WasmKit engine configuration to compare (fuel metering is always on).
struct EngineChoice: Sendable {
    let name: String
    let configuration: EngineConfiguration

    /// What Tonearm runs plugins with.
    static let tonearm = EngineChoice(name: "tonearm", configuration: PluginLoader.engineConfiguration)

    static let all: [EngineChoice] = [
        tonearm,
        EngineChoice(name: "token threading", configuration: EngineConfiguration(threadingModel: .token)),
        EngineChoice(name: "eager compilation", configuration: EngineConfiguration(compilationMode: .eager)),
        EngineChoice(name: "software bounds checks", configuration: EngineConfiguration(memoryBoundsChecking: .software)),
        EngineChoice(name: "64 KiB stack", configuration: EngineConfiguration(stackSize: 64 * 1024)),
    ]
}

struct OneUser: UserDirectory {
    func users() -> [TonearmUser] { [TonearmUser(userName: "alice", name: "Alice", isAdmin: false)] }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum Repository {
    /// The repository root, from this file's location.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}

/// `Benchmarks/reference_extism.py` in the project's venv (`TONEARM_VENV`, else `.venv`), kept
/// running for the whole benchmark run.
final class ReferenceExtism: @unchecked Sendable {
    static let shared = ReferenceExtism()

    private let lock = NSLock()
    private var process: Process?
    private var input: FileHandle?
    private var output: FileHandle?
    private var buffer: [UInt8] = []

    func measure(_ plugin: Fixture, fresh: Bool, count: Int) throws -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        try startIfNeeded()
        let request: [String: Any] = [
            "ndp": plugin.ndp, "export": plugin.noOp, "input": String(decoding: plugin.noOpInput, as: UTF8.self),
            "config": plugin.config, "responses": plugin.hostResponses, "fresh": fresh, "count": count,
        ]
        input!.write(try JSONSerialization.data(withJSONObject: request) + Data("\n".utf8))
        let line = try readLine()
        guard let reply = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw BenchmarkSetupError("reference worker: unreadable reply")
        }
        if let error = reply["error"] as? String { throw BenchmarkSetupError("reference worker: \(error)") }
        return (reply["ns"] as? [Int]) ?? []
    }

    private func startIfNeeded() throws {
        guard process == nil else { return }
        let venv = ProcessInfo.processInfo.environment["TONEARM_VENV"].map { URL(fileURLWithPath: $0) }
            ?? Repository.root.appendingPathComponent(".venv")
        let python = venv.appendingPathComponent("bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw BenchmarkSetupError(
                "\(python.path) not found: create the venv (python3 -m venv .venv && .venv/bin/pip install -r Tests/requirements.txt)")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = [Repository.root.appendingPathComponent("Benchmarks/reference_extism.py").path]
        process.currentDirectoryURL = Repository.root
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
    }

    private func readLine() throws -> [UInt8] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            let chunk = output!.availableData
            guard !chunk.isEmpty else { throw BenchmarkSetupError("reference worker exited") }
            buffer += chunk
        }
    }
}
