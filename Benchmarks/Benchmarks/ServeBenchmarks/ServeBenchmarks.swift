import Benchmark
import Foundation
import Synchronization

// `tonearm serve` end to end: the Discord simulator and serve as child processes (release
// binaries), the Discord Rich Presence plugin, ListenBrainz playing_now submissions over loopback.
// How to run: Benchmarks/README.md.

/// The stack of the benchmark that is running (set up and torn down by its hooks).
let running = Mutex<ServeStack?>(nil)
let latencyDriver = Mutex<LatencyDriver?>(nil)

func currentStack() throws -> ServeStack {
    guard let stack = running.withLock({ $0 }) else { throw BenchError("the stack did not start") }
    return stack
}

func currentDriver() throws -> LatencyDriver {
    guard let driver = latencyDriver.withLock({ $0 }) else { throw BenchError("the stack did not start") }
    return driver
}

/// Starts `userCount` users and shows a first presence for each (gateways connected).
@Sendable func startStack(userCount: Int) async throws {
    let stack = try await ServeStack.start(userCount: userCount)
    running.withLock { $0 = stack }
    do {
        try await stack.showEveryone(concurrency: 32, timeout: .seconds(600)) { "Warm-up \($0.name)" }
    } catch {
        stopStack()
        throw error
    }
    let driver = LatencyDriver(stack: stack)
    try await driver.skipLoggedFrames()
    latencyDriver.withLock { $0 = driver }
}

@Sendable func stopStack() {
    latencyDriver.withLock { $0 = nil }
    running.withLock { stack in
        stack?.stop()
        stack = nil
    }
}

/// `SOAK_SECONDS` (default 600): how long the 1,000 users are held.
var soakSeconds: Int {
    ProcessInfo.processInfo.environment["SOAK_SECONDS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 600
}

let latency = BenchmarkMetric.custom("playing_now → presence frame (µs)", useScalingFactor: false)
let residentMax = BenchmarkMetric.custom("serve RSS max over hold (MiB)", useScalingFactor: false)
let residentPeak = BenchmarkMetric.custom("serve VmHWM peak incl. warm-up (MiB)", useScalingFactor: false)
let cpu = BenchmarkMetric.custom("serve CPU over hold (‰ of one core)", useScalingFactor: false)
let shownAtEnd = BenchmarkMetric.custom("presences shown at end", polarity: .prefersLarger, useScalingFactor: false)
let heartbeats = BenchmarkMetric.custom("heartbeats during hold", polarity: .prefersLarger, useScalingFactor: false)
let breaches = BenchmarkMetric.custom("rate-limit breaches", useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "playing_now latency (100 users)",
        configuration: .init(
            metrics: [latency, .wallClock], warmupIterations: 0, maxDuration: .seconds(120), maxIterations: 500,
            setup: { try await startStack(userCount: 100) }, teardown: { stopStack() })
    ) { benchmark in
        let driver = try currentDriver()
        let turn = try await driver.nextTurn()
        benchmark.startMeasurement()
        let micros = try await driver.measure(turn.user, title: turn.title)
        benchmark.stopMeasurement()
        benchmark.measurement(latency, Int(micros))
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
        "serve at 1,000 users (\(soakSeconds) s hold)",
        configuration: .init(
            metrics: [residentMax, residentPeak, cpu, shownAtEnd, heartbeats, breaches], warmupIterations: 0,
            maxDuration: .seconds(soakSeconds + 60), maxIterations: 1,
            setup: { try await startStack(userCount: 1_000) }, teardown: { stopStack() })
    ) { benchmark in
        let stack = try currentStack()
        let result = try await SoakRun(stack: stack, seconds: soakSeconds).run()
        benchmark.measurement(residentMax, result.residentMaxKB / 1024)
        benchmark.measurement(residentPeak, result.peakResidentKB / 1024)
        benchmark.measurement(cpu, Int((result.cpuPercent * 10).rounded()))
        benchmark.measurement(shownAtEnd, result.shownAtEnd)
        benchmark.measurement(heartbeats, result.heartbeats)
        benchmark.measurement(breaches, result.breaches)
        FileHandle.standardError.write(Data((result.summary + "\n").utf8))
        if let problem = result.problem { benchmark.error(problem) }
    }
}
