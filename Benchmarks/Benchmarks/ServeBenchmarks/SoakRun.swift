import Foundation

/// Holds a warmed-up stack (every user showing "Warm-up <name>") for a while, sampling
/// `tonearm serve` every second, then checks that every presence is still shown.
struct SoakRun {
    struct Result {
        var seconds: Double
        var residentAtStartKB: Int
        var residentMaxKB: Int
        var peakResidentKB: Int
        var cpuPercent: Double
        var shownAtEnd: Int
        var users: Int
        var heartbeats: Int
        /// Gateway connections opened during the hold (each one a reconnect).
        var reconnects: Int
        var breaches: Int
        /// Plugin instances made during the hold (0 in steady state: every call reuses one).
        var instantiations: Int

        /// Why the run does not count, if it does not.
        var problem: String? {
            if shownAtEnd != users { return "only \(shownAtEnd) of \(users) presences shown at the end" }
            if breaches != 0 { return "\(breaches) rate-limit breaches" }
            if reconnects != 0 { return "\(reconnects) gateway reconnects during the hold" }
            return nil
        }

        var summary: String {
            String(
                format: "serve at %d users, %.0f s hold: RSS %.1f MiB at start, max %.1f MiB (VmHWM %.1f MiB), CPU %.2f %% of one core, "
                    + "%d heartbeats, %d reconnects, %d/%d presences shown, %d breaches, %d instantiations",
                users, seconds, Double(residentAtStartKB) / 1024, Double(residentMaxKB) / 1024, Double(peakResidentKB) / 1024, cpuPercent, heartbeats,
                reconnects, shownAtEnd, users, breaches, instantiations)
        }
    }

    let stack: ServeStack
    let seconds: Int

    func run() async throws -> Result {
        let pid = stack.tonearmPID
        let before = try await stack.simulator.users()
        let instancesBefore = try await stack.instantiations()
        let first = try ProcessSample(pid: pid)
        var residentMax = first.residentKB
        var last = first
        let end = first.at + .seconds(seconds)
        while last.at < end {
            try await Task.sleep(until: min(last.at + .seconds(1), end), clock: .continuous)
            last = try ProcessSample(pid: pid)
            residentMax = max(residentMax, last.residentKB)
        }
        let reports = try await stack.simulator.users()
        let expected = Dictionary(uniqueKeysWithValues: stack.users.map { ($0.name, "Warm-up \($0.name)") })
        let shown = reports.filter { report in expected[report.name].map { $0 == report.shownTitle } ?? false }.count
        let elapsed = last.at - first.at
        return Result(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            residentAtStartKB: stack.residentAtStartKB, residentMaxKB: residentMax, peakResidentKB: last.peakResidentKB, cpuPercent: last.cpuPercent(since: first),
            shownAtEnd: shown, users: stack.users.count,
            heartbeats: reports.reduce(0) { $0 + $1.counters.heartbeats } - before.reduce(0) { $0 + $1.counters.heartbeats },
            reconnects: reports.reduce(0) { $0 + $1.counters.connections } - before.reduce(0) { $0 + $1.counters.connections },
            breaches: try await stack.simulator.breachCount(),
            instantiations: try await stack.instantiations() - instancesBefore)
    }
}
