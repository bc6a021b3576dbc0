import Foundation

/// A hostile plugin beside the Discord plugin: the `hostile` benchmark plugin loops, from
/// schedules firing every second, on HTTP requests to a tarpit (a loopback server that never
/// answers), WebSocket connects to it, new schedules and KVStore writes, each loop until the
/// host ends the call. Measured twice on fresh stacks of `userCount` users: a quiet run with
/// the Discord plugin alone, then the same with the hostile plugin. Each run measures the Discord
/// plugin's `playing_now` → presence latency (as `playing_now latency` does) and samples serve's
/// thread count every second.
struct HostileRun {
    static let userCount = 100

    struct Phase {
        var latenciesMicros: [Int64] = []
        var threadsMax = 0
        var residentMaxKB = 0
        var tarpitConnections = 0

        var p99: Int64 {
            let sorted = latenciesMicros.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        }
    }

    struct Result {
        var quiet: Phase
        var hostile: Phase
        /// Call slots of one plugin: max(4, 2 × cores), as the runtime sizes them.
        var slotsPerPlugin: Int

        /// The issue's bound: the plugins' call slots + 8.
        var threadBound: Int { 2 * slotsPerPlugin + 8 }
        /// Hostile p99 over quiet p99, in percent.
        var p99Ratio: Double { quiet.p99 > 0 ? Double(hostile.p99) / Double(quiet.p99) * 100 : 0 }

        var summary: String {
            func ms(_ micros: Int64) -> String { String(format: "%.1f ms", Double(micros) / 1000) }
            return "hostile plugin: Discord playing_now p99 \(ms(quiet.p99)) quiet (\(quiet.latenciesMicros.count) samples), "
                + "\(ms(hostile.p99)) beside the hostile plugin (\(hostile.latenciesMicros.count) samples, \(String(format: "%.0f", p99Ratio)) %); "
                + "serve threads max \(quiet.threadsMax) quiet, \(hostile.threadsMax) hostile (bound \(threadBound)); "
                + "RSS max \(quiet.residentMaxKB / 1024) / \(hostile.residentMaxKB / 1024) MiB; tarpit connections \(hostile.tarpitConnections)"
        }

        /// Why the run misses the goals (threads ≤ slots + 8, p99 within 20 % of quiet), if it does.
        var problem: String? {
            if hostile.threadsMax > threadBound { return "serve used \(hostile.threadsMax) threads (bound \(threadBound))" }
            if p99Ratio > 120 { return "the Discord plugin's p99 rose to \(String(format: "%.0f", p99Ratio)) % of the quiet run" }
            return nil
        }
    }

    let seconds: Int

    func run() async throws -> Result {
        let slots = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
        let quiet = try await phase(hostile: false)
        let hostile = try await phase(hostile: true)
        return Result(quiet: quiet, hostile: hostile, slotsPerPlugin: slots)
    }

    private func phase(hostile: Bool) async throws -> Phase {
        let tarpit = try Tarpit()
        defer { tarpit.stop() }
        var plugins: [URL] = []
        var configuration = ""
        if hostile {
            plugins.append(try BenchPaths.plugin("hostile", folder: "Benchmarks/Plugins/hostile"))
            configuration = """
                [Plugins.hostile]
                ExtraHosts = ["127.0.0.1"]

                [PluginSettings.hostile]
                tarpit = "http://127.0.0.1:\(tarpit.port)"
                wstarpit = "ws://127.0.0.1:\(tarpit.port)"


                """
        }
        let stack = try await ServeStack.start(userCount: Self.userCount, extraPlugins: plugins, extraConfiguration: configuration)
        var failed = true
        defer { stack.stop(keepFolder: failed) }
        try await stack.showEveryone(concurrency: 4, timeout: .seconds(120)) { "Warm-up \($0.name)" }
        let driver = LatencyDriver(stack: stack)
        try await driver.skipLoggedFrames()
        var result = Phase()
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            let turn = try await driver.nextTurn()
            result.latenciesMicros.append(try await driver.measure(turn.user, title: turn.title))
            let sample = try ProcessSample(pid: stack.tonearmPID)
            result.threadsMax = max(result.threadsMax, sample.threads)
            result.residentMaxKB = max(result.residentMaxKB, sample.residentKB)
        }
        result.tarpitConnections = tarpit.accepted
        failed = false
        return result
    }
}
