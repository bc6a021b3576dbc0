import Benchmark
import Foundation
import Synchronization

// `tonearm serve` end to end: the Discord simulator and serve as child processes (release
// binaries), the Discord Rich Presence plugin, ListenBrainz playing_now submissions over loopback.
// How to run: Benchmarks/README.md.

/// The stack of the benchmark that is running (set up and torn down by its hooks).
let running = Mutex<ServeStack?>(nil)
let latencyDriver = Mutex<LatencyDriver?>(nil)
/// The Subsonic server serve matches tracks against, when the running benchmark matches.
let musicServer = Mutex<LoopbackSubsonicServer?>(nil)
/// Seconds from serve's start until the simulator showed every user's first presence.
let secondsUntilEveryoneShown = Mutex<Int>(0)

func currentStack() throws -> ServeStack {
    guard let stack = running.withLock({ $0 }) else { throw BenchError("the stack did not start") }
    return stack
}

func currentDriver() throws -> LatencyDriver {
    guard let driver = latencyDriver.withLock({ $0 }) else { throw BenchError("the stack did not start") }
    return driver
}

/// Starts `userCount` users and shows a first presence for each (gateways connected). With
/// `matchedTitles`, serve matches tracks against a loopback Subsonic server, and every user then
/// plays that many titles of its own once, so the match cache holds each title it replays.
@Sendable func startStack(userCount: Int, matchedTitles: Int? = nil) async throws {
    let server = matchedTitles == nil ? nil : try LoopbackSubsonicServer()
    musicServer.withLock { $0 = server }
    let stack: ServeStack
    do {
        stack = try await ServeStack.start(userCount: userCount, extraConfiguration: server?.configuration ?? "")
    } catch {
        stopStack()
        throw error
    }
    running.withLock { $0 = stack }
    let driver = LatencyDriver(stack: stack, replayedTitles: matchedTitles)
    do {
        // A healthy serve shows 1,000 first presences in well under a minute; the bound keeps a
        // saturated one from holding the machine.
        let timeout = Duration.seconds(60) + .milliseconds(240 * userCount)
        try await stack.showEveryone(concurrency: 8, timeout: timeout) { "Warm-up \($0.name)" }
        let warmUp = ContinuousClock.now - stack.started
        secondsUntilEveryoneShown.withLock { $0 = Int(warmUp.components.seconds) }
        try await driver.skipLoggedFrames()
        try await driver.playEveryTitle()
    } catch {
        stopStack(keepFolder: true)
        throw error
    }
    latencyDriver.withLock { $0 = driver }
}

@Sendable func stopStack(keepFolder: Bool = false) {
    latencyDriver.withLock { $0 = nil }
    running.withLock { stack in
        stack?.stop(keepFolder: keepFolder)
        stack = nil
    }
    musicServer.withLock { server in
        guard let current = server else { return }
        current.stop()
        FileHandle.standardError.write(Data("loopback Subsonic server answered: \(current.requestSummary)\n".utf8))
        server = nil
    }
}

/// One `playing_now latency` iteration: the next user's turn, measured.
func measureNextTurn(_ benchmark: Benchmark) async throws {
    let driver = try currentDriver()
    let turn = try await driver.nextTurn()
    let pid = try currentStack().tonearmPID
    let server = musicServer.withLock { $0 }
    let searchesBefore = server?.requests("search3")
    let cpuBefore = threadCPUNanoseconds(pid: pid)
    benchmark.startMeasurement()
    let micros = try await driver.measure(turn.user, title: turn.title)
    benchmark.stopMeasurement()
    benchmark.measurement(latency, Int(micros))
    benchmark.measurement(serveCPU, Int((threadCPUNanoseconds(pid: pid) - cpuBefore) / 1_000))
    if let server, let searchesBefore { benchmark.measurement(searches, server.requests("search3") - searchesBefore) }
}

/// A positive integer from the environment, else `fallback`.
func environmentCount(_ name: String, default fallback: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? fallback
}

/// `SOAK_SECONDS` (default 600): how long the users are held.
let soakSeconds = environmentCount("SOAK_SECONDS", default: 600)
/// `SOAK_USERS` (default 1,000): how many users are held.
let soakUsers = environmentCount("SOAK_USERS", default: 1_000)

/// `FLOOD_SECONDS` (default 60), `HOSTILE_SECONDS` (default 60), `DURABILITY_KILLS` (default 200).
let floodSeconds = environmentCount("FLOOD_SECONDS", default: 60)
let hostileSeconds = environmentCount("HOSTILE_SECONDS", default: 60)
let durabilityKills = environmentCount("DURABILITY_KILLS", default: 200)

let latency = BenchmarkMetric.custom("playing_now → presence frame (µs)", useScalingFactor: false)
let serveCPU = BenchmarkMetric.custom("serve CPU per playing_now (µs)", useScalingFactor: false)
let searches = BenchmarkMetric.custom("search3 requests per playing_now", useScalingFactor: false)
let residentMax = BenchmarkMetric.custom("serve RSS max over hold (MiB)", useScalingFactor: false)
let warmUpSeconds = BenchmarkMetric.custom("s from serve's start until every presence shown", useScalingFactor: false)
let residentAtStart = BenchmarkMetric.custom("serve RSS at start, no users (MiB)", useScalingFactor: false)
let residentPeak = BenchmarkMetric.custom("serve VmHWM peak incl. warm-up (MiB)", useScalingFactor: false)
let cpu = BenchmarkMetric.custom("serve CPU over hold (‰ of one core)", useScalingFactor: false)
let shownAtEnd = BenchmarkMetric.custom("presences shown at end", polarity: .prefersLarger, useScalingFactor: false)
let heartbeats = BenchmarkMetric.custom("heartbeats during hold", polarity: .prefersLarger, useScalingFactor: false)
let breaches = BenchmarkMetric.custom("rate-limit breaches", useScalingFactor: false)
let reconnects = BenchmarkMetric.custom("gateway reconnects during hold", useScalingFactor: false)
let instantiationsDuringHold = BenchmarkMetric.custom("plugin instantiations during hold", useScalingFactor: false)

let requestRate = BenchmarkMetric.custom("requests per second sent", polarity: .prefersLarger, useScalingFactor: false)
let lostEvents = BenchmarkMetric.custom("acknowledged events lost", useScalingFactor: false)
let quietP99 = BenchmarkMetric.custom("Discord plugin p99, quiet (µs)", useScalingFactor: false)
let hostileP99 = BenchmarkMetric.custom("Discord plugin p99, beside the hostile plugin (µs)", useScalingFactor: false)
let p99Ratio = BenchmarkMetric.custom("p99 beside the hostile plugin, % of quiet", useScalingFactor: false)
let threadsMax = BenchmarkMetric.custom("serve threads max, hostile run", useScalingFactor: false)
let threadBound = BenchmarkMetric.custom("thread bound (call slots + 8)", useScalingFactor: false)
let kills = BenchmarkMetric.custom("kill -9 of serve", polarity: .prefersLarger, useScalingFactor: false)
let writesAcknowledged = BenchmarkMetric.custom("acknowledged KV writes", polarity: .prefersLarger, useScalingFactor: false)
let listensAcknowledged = BenchmarkMetric.custom("acknowledged listens", polarity: .prefersLarger, useScalingFactor: false)
let writesLost = BenchmarkMetric.custom("acknowledged KV writes lost", useScalingFactor: false)
let listensLost = BenchmarkMetric.custom("acknowledged listens lost or undelivered", useScalingFactor: false)
let unreadableFiles = BenchmarkMetric.custom("unreadable files", useScalingFactor: false)

/// Reports a run's summary on stderr and fails the benchmark with `problem`, if any.
func finish(_ benchmark: Benchmark, summary: String, problem: String?) {
    FileHandle.standardError.write(Data((summary + "\n").utf8))
    if let problem { benchmark.error(problem) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "playing_now latency (100 users)",
        configuration: .init(
            metrics: [latency, serveCPU, .wallClock], warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 500,
            setup: { try await startStack(userCount: 100) }, teardown: { stopStack() })
    ) { benchmark in
        try await measureNextTurn(benchmark)
    }

    Benchmark(
        "playing_now latency, matching on (100 users)",
        configuration: .init(
            metrics: [latency, serveCPU, searches, .wallClock], warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 500,
            setup: { try await startStack(userCount: 100, matchedTitles: 3) }, teardown: { stopStack() })
    ) { benchmark in
        try await measureNextTurn(benchmark)
    }

    Benchmark(
        "playing_now latency, burst of 100 POSTs (100 users)",
        configuration: .init(
            metrics: [latency], warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 10,
            setup: { try await startStack(userCount: 100) }, teardown: { stopStack() })
    ) { benchmark in
        for micros in try await currentDriver().burst() {
            benchmark.measurement(latency, Int(micros))
        }
    }

    Benchmark(
        "serve at \(soakUsers.formatted()) users (\(soakSeconds) s hold)",
        configuration: .init(
            metrics: [warmUpSeconds, residentAtStart, residentMax, residentPeak, cpu, shownAtEnd, heartbeats, reconnects, breaches, instantiationsDuringHold],
            warmupIterations: 0,
            maxDuration: .seconds(soakSeconds + 60), maxIterations: 1,
            setup: { try await startStack(userCount: soakUsers) }, teardown: { stopStack() })
    ) { benchmark in
        let stack = try currentStack()
        let result = try await SoakRun(stack: stack, seconds: soakSeconds).run()
        benchmark.measurement(warmUpSeconds, secondsUntilEveryoneShown.withLock { $0 })
        benchmark.measurement(residentAtStart, stack.residentAtStartKB / 1024)
        benchmark.measurement(residentMax, result.residentMaxKB / 1024)
        benchmark.measurement(residentPeak, result.peakResidentKB / 1024)
        benchmark.measurement(cpu, Int((result.cpuPercent * 10).rounded()))
        benchmark.measurement(shownAtEnd, result.shownAtEnd)
        benchmark.measurement(heartbeats, result.heartbeats)
        benchmark.measurement(reconnects, result.reconnects)
        benchmark.measurement(breaches, result.breaches)
        benchmark.measurement(instantiationsDuringHold, result.instantiations)
        if result.problem != nil { stack.keepLogs() }
        finish(benchmark, summary: result.summary, problem: result.problem.map { $0 + "; logs in \(stack.folder.path)" })
    }

    Benchmark(
        "ListenBrainz flood (\(floodSeconds) s of 1,000 POSTs/s)",
        configuration: .init(
            metrics: [requestRate, latency, residentMax, residentPeak, lostEvents], warmupIterations: 0,
            maxDuration: .seconds(floodSeconds + 300), maxIterations: 1,
            setup: { try await startStack(userCount: FloodRun.probeCount + 201) }, teardown: { stopStack() })
    ) { benchmark in
        let stack = try currentStack()
        let result = try await FloodRun(stack: stack, seconds: floodSeconds).run()
        benchmark.measurement(requestRate, Int(Double(result.sent) / max(result.seconds, 0.001)))
        for micros in result.probeLatenciesMicros { benchmark.measurement(latency, Int(micros)) }
        benchmark.measurement(residentMax, result.residentMaxKB / 1024)
        benchmark.measurement(residentPeak, result.peakResidentKB / 1024)
        benchmark.measurement(lostEvents, result.lostEvents)
        if result.problem != nil { stack.keepLogs() }
        finish(benchmark, summary: result.summary, problem: result.problem.map { $0 + "; logs in \(stack.folder.path)" })
    }

    Benchmark(
        "hostile plugin (\(hostileSeconds) s, quiet run first)",
        configuration: .init(
            metrics: [quietP99, hostileP99, p99Ratio, threadsMax, threadBound], warmupIterations: 0,
            maxDuration: .seconds(2 * hostileSeconds + 300), maxIterations: 1)
    ) { benchmark in
        let result = try await HostileRun(seconds: hostileSeconds).run()
        benchmark.measurement(quietP99, Int(result.quiet.p99))
        benchmark.measurement(hostileP99, Int(result.hostile.p99))
        benchmark.measurement(p99Ratio, Int(result.p99Ratio.rounded()))
        benchmark.measurement(threadsMax, result.hostile.threadsMax)
        benchmark.measurement(threadBound, result.threadBound)
        finish(benchmark, summary: result.summary, problem: result.problem)
    }

    Benchmark(
        "durability (\(durabilityKills) × kill -9 during KV writes and retried scrobbles)",
        configuration: .init(
            metrics: [kills, writesAcknowledged, writesLost, listensAcknowledged, listensLost, unreadableFiles], warmupIterations: 0,
            maxDuration: .seconds(durabilityKills * 10 + 600), maxIterations: 1)
    ) { benchmark in
        let result = try await DurabilityRun(kills: durabilityKills).run()
        benchmark.measurement(kills, result.kills)
        benchmark.measurement(writesAcknowledged, result.writesAcknowledged)
        benchmark.measurement(writesLost, result.writesLost)
        benchmark.measurement(listensAcknowledged, result.listensAcknowledged)
        benchmark.measurement(listensLost, result.listensLost + result.listensAcknowledged - result.listensDelivered)
        benchmark.measurement(unreadableFiles, result.unreadableFiles)
        finish(benchmark, summary: result.summary, problem: result.problem)
    }
}
