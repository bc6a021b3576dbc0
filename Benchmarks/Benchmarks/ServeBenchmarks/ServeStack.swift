import Foundation
import TestSupport
import Synchronization

/// A user of the benchmark: a Tonearm user with a ListenBrainz token and a Discord account.
struct BenchUser: Sendable {
    let name: String
    let listenBrainzToken: String
    let discordToken: String

    init(_ number: Int) {
        let id = String(format: "%04d", number)
        name = "bench\(id)"
        listenBrainzToken = "lb-bench-token-\(id)-0123456789"
        discordToken = "discord-bench-token-\(id)"
    }
}

/// The Discord simulator and `tonearm serve` (release binaries, child processes on free loopback
/// ports) running the Discord Rich Presence plugin for `users`, all in a temporary folder.
final class ServeStack: Sendable {
    static let clientID = "123456789012345678"
    /// Tracks last two hours, so no presence is cleared (and no session expires) while held.
    static let trackMilliseconds = 7_200_000
    /// Artist and album of every played track.
    static let artist = "The Benchmark Band"
    static let album = "Loopback Load"

    let folder: URL
    let users: [BenchUser]
    let simulator: SimulatorControl
    let tonearmURL: String
    let http: LoopbackHTTP
    private let simulatorProcess: ChildProcess
    private let tonearmProcess: ChildProcess
    private let keepFolder = Mutex(false)
    /// `tonearm serve`'s resident memory once it listens, before any user connected (kB).
    let residentAtStartKB: Int
    /// When `tonearm serve` was launched.
    let started: ContinuousClock.Instant

    /// The `tonearm serve` process id, for sampling.
    var tonearmPID: Int32 { tonearmProcess.pid }

    private init(
        folder: URL, users: [BenchUser], simulator: SimulatorControl, tonearmURL: String, http: LoopbackHTTP,
        simulatorProcess: ChildProcess, tonearmProcess: ChildProcess, residentAtStartKB: Int,
        started: ContinuousClock.Instant
    ) {
        self.residentAtStartKB = residentAtStartKB
        self.started = started
        self.folder = folder
        self.users = users
        self.simulator = simulator
        self.tonearmURL = tonearmURL
        self.http = http
        self.simulatorProcess = simulatorProcess
        self.tonearmProcess = tonearmProcess
    }

    /// Starts both processes for `userCount` users; the gateways connect on the first playing_now.
    /// `extraPlugins` are installed beside the Discord plugin; `extraConfiguration` (TOML tables)
    /// goes into `tonearm.toml` before the users.
    static func start(userCount: Int, extraPlugins: [URL] = [], extraConfiguration: String = "") async throws -> ServeStack {
        let tonearmBinary = try BenchPaths.executable("tonearm")
        let simulatorBinary = try BenchPaths.executable("discord-simulator")
        let plugin = try BenchPaths.discordPlugin()
        let folder = try BenchPaths.temporaryFolder("serve-bench")
        let users = (1...userCount).map(BenchUser.init)
        let http = LoopbackHTTP()

        let tokens = folder.appendingPathComponent("discord-tokens.txt")
        try writePrivately(users.map { "\($0.name)=\($0.discordToken)" }.joined(separator: "\n"), to: tokens)
        let announcement = Pipe()
        let simulatorProcess = try ChildProcess(
            simulatorBinary,
            ["--port", "0", "--tokens-file", tokens.path, "--frame-log-capacity", "400000", "--log-level", "warning"],
            folder: folder, logFile: folder.appendingPathComponent("discord-simulator.log"), stdout: announcement)
        let simulatorURL = try await readHTTPURL(from: announcement, process: simulatorProcess)

        let pluginsFolder = folder.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsFolder, withIntermediateDirectories: true)
        for package in [plugin] + extraPlugins {
            try FileManager.default.copyItem(at: package, to: pluginsFolder.appendingPathComponent(package.lastPathComponent))
        }
        let port = try freeLoopbackPort()
        let configFile = folder.appendingPathComponent("tonearm.toml")
        try writePrivately(
            configuration(port: port, users: users, simulatorURL: simulatorURL, extra: extraConfiguration), to: configFile)
        let tonearmProcess: ChildProcess
        let started = ContinuousClock.now
        do {
            tonearmProcess = try await launchServe(binary: tonearmBinary, configFile: configFile, logFile: folder.appendingPathComponent("tonearm.log"))
        } catch {
            simulatorProcess.stop()
            throw error
        }
        return ServeStack(
            folder: folder, users: users, simulator: SimulatorControl(baseURL: simulatorURL, http: http),
            tonearmURL: "http://127.0.0.1:\(port)", http: http, simulatorProcess: simulatorProcess,
            tonearmProcess: tonearmProcess, residentAtStartKB: try ProcessSample(pid: tonearmProcess.pid).residentKB,
            started: started)
    }

    /// Starts `tonearm serve --config configFile` (in the file's folder, logging to `logFile`)
    /// and returns once its HTTP server listens.
    static func launchServe(binary: URL, configFile: URL, logFile: URL) async throws -> ChildProcess {
        let folder = configFile.deletingLastPathComponent()
        let tonearmProcess = try ChildProcess(binary, ["serve", "--config", configFile.path], folder: folder, logFile: logFile)
        let deadline = ContinuousClock.now + .seconds(120)
        func log() -> String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
        while ContinuousClock.now < deadline {
            if log().contains("HTTP server listening") { return tonearmProcess }
            guard tonearmProcess.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        tonearmProcess.stop()
        throw BenchError("tonearm serve did not start listening within 120 s; its log (\(logFile.path)):\n\(log().suffix(3000))")
    }

    /// The simulator's first stdout line is `{"http_url": …}` once it listens.
    private static func readHTTPURL(from pipe: Pipe, process: ChildProcess) async throws -> String {
        let handle = pipe.fileHandleForReading
        let line = await Task.detached { () -> String in
            var bytes = Data()
            while let byte = try? handle.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
                bytes.append(first)
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        struct Announcement: Decodable { var http_url: String }
        guard let announcement = try? JSONDecoder().decode(Announcement.self, from: Data(line.utf8)) else {
            process.stop()
            throw BenchError("discord-simulator did not announce its port (got \(line.prefix(200)))")
        }
        return announcement.http_url
    }

    /// The start of every benchmark's `tonearm.toml`: data in `./data`, serve on 127.0.0.1:`port`,
    /// ListenBrainz on.
    static func commonConfiguration(port: Int) -> String {
        """
        DataFolder = "./data"
        LogLevel = "info"

        [Server]
        Address = "127.0.0.1"
        Port = \(port)

        [ListenBrainz]
        Enabled = true


        """
    }

    /// The `tonearm.toml` of the benchmark, wired like Tests/EndToEndTests/Stack.swift.
    static func configuration(port: Int, users: [BenchUser], simulatorURL: String, extra: String = "") -> String {
        let gatewayURL = simulatorURL.replacingOccurrences(of: "http://", with: "ws://")
        // One gateway connection and up to three schedules per user, whatever the user count.
        var text = commonConfiguration(port: port) + """
            [Plugins]
            MaxWebSocketConnections = \(max(2_000, users.count + 100))
            MaxSchedules = \(max(10_000, users.count * 4))

            [Plugins.discord-rich-presence]
            AllUsers = true
            ExtraHosts = ["127.0.0.1"]

            [PluginSettings.discord-rich-presence]
            ClientID = "\(clientID)"
            Users = "\(users.map { "\($0.name):\($0.discordToken)" }.joined(separator: ","))"
            GatewayURL = "\(gatewayURL)"
            APIBaseURL = "\(simulatorURL)/api"

            """
        text += extra
        for user in users {
            text += """

                [[Users]]
                Name = "\(user.name)"
                ListenBrainzToken = "\(user.listenBrainzToken)"

                """
        }
        return text
    }

    /// POSTs a ListenBrainz `playing_now` of `title` for `user` and checks it was accepted.
    func postPlayingNow(_ user: BenchUser, title: String) async throws {
        let body = """
            {"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"\(Self.artist)",\
            "track_name":"\(title)","release_name":"\(Self.album)","additional_info":\
            {"duration_ms":\(Self.trackMilliseconds),"submission_client":"ServeBenchmarks"}}}]}
            """
        let reply = try await http.request(
            "\(tonearmURL)/1/submit-listens", method: "POST",
            headers: ["Authorization": "Token \(user.listenBrainzToken)", "Content-Type": "application/json"],
            body: Data(body.utf8))
        guard reply.status == 200 else {
            throw BenchError("playing_now for \(user.name): HTTP \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
    }

    /// Plugin instances serve has made since it started, all plugins (`/api/status`).
    func instantiations() async throws -> Int {
        struct Status: Decodable {
            struct Plugin: Decodable { var instantiations: Int? }
            var plugins: [Plugin]
        }
        return try await http.get("\(tonearmURL)/api/status", as: Status.self).plugins.reduce(0) { $0 + ($1.instantiations ?? 0) }
    }

    /// Posts one playing_now per user (`concurrency` at a time) titled `title(user)` and waits
    /// until the simulator shows every one of them.
    func showEveryone(concurrency: Int, timeout: Duration, title: @Sendable @escaping (BenchUser) -> String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (number, user) in users.enumerated() {
                if number >= concurrency { try await group.next() }
                group.addTask { try await self.postPlayingNow(user, title: title(user)) }
            }
            try await group.waitForAll()
        }
        let expected = Dictionary(uniqueKeysWithValues: users.map { ($0.name, title($0)) })
        let deadline = ContinuousClock.now + timeout
        var missing = users.count
        while ContinuousClock.now < deadline {
            missing = try await shownCount(expected).missing
            if missing == 0 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw BenchError("\(missing) of \(users.count) presences not shown within \(timeout); logs in \(folder.path)")
    }

    /// How many users the simulator shows with the expected title (by user name), and how many not.
    func shownCount(_ expected: [String: String]) async throws -> (shown: Int, missing: Int) {
        let shown = try await simulator.users().filter { report in
            expected[report.name].map { $0 == report.shownTitle } ?? false
        }.count
        return (shown, expected.count - shown)
    }

    /// Keeps the folder (with both logs) when the stack stops, for a failed run.
    func keepLogs() {
        keepFolder.withLock { $0 = true }
    }

    /// Stops tonearm, then the simulator; removes the folder unless `keepFolder` or
    /// `SERVE_BENCH_KEEP` is set (its logs explain a failure).
    func stop(keepFolder: Bool = false) {
        tonearmProcess.stop()
        simulatorProcess.stop()
        if keepFolder || self.keepFolder.withLock({ $0 }) {
            FileHandle.standardError.write(Data("ServeBenchmarks: logs kept in \(folder.path)\n".utf8))
        } else if ProcessInfo.processInfo.environment["SERVE_BENCH_KEEP"] == nil {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
