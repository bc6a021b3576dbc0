import Foundation
import Synchronization

/// ListenBrainz flood: for `seconds`, about 1,000 `POST /1/submit-listens` a second from
/// kept-alive loopback connections, while a few listeners' `playing_now` latency is measured.
///
/// The stack's users are split in three: `probeCount` probe users (one POST every 4.5 s each,
/// so Discord's presence rate limit never delays them: their latency is what a listener sees),
/// the flood users (the rest but one, 2–3 valid POSTs a second each, within the per-user budget
/// of 50 per 10 s) and one user sending 10 MB bodies. Half of the flood carries tokens of no
/// user. Once a second a 10 MB `playing_now` of the last user and a body over the size limit
/// with a bad token go out on a connection of their own.
///
/// "No acknowledged event lost": every probe answered 200 shows up as a presence, and every
/// flood user ends up showing the last title that was answered 200.
struct FloodRun {
    static let rate = 1_000
    static let floodThreads = 8
    static let probeCount = 20
    static let probeInterval = Duration.milliseconds(225)
    /// A 10 MB body (under the 10,305,536-byte limit: read, then refused as a listen too large).
    static let largeBodyBytes = 10_000_000
    /// Over the size limit: refused with 413 (with a bad token, 401 first).
    static let oversizeBodyBytes = 10_485_760 + 1
    static let settleTimeout = Duration.seconds(90)

    struct Result {
        var seconds: Double
        var sent = 0
        var statuses: [Int: Int] = [:]
        var largeStatuses: [Int: Int] = [:]
        var residentMaxKB = 0
        var peakResidentKB = 0
        var probeLatenciesMicros: [Int64] = []
        var probesAcknowledged = 0
        var probesLost = 0
        var floodUsers = 0
        var floodUsersShowingLastAcknowledged = 0
        /// A few flood users not showing their last acknowledged title: what they show instead.
        var mismatches: [String] = []
        var serveCPUPercent = 0.0
        var serveRunning = true

        var lostEvents: Int { probesLost + (floodUsers - floodUsersShowingLastAcknowledged) }

        func percentile(_ fraction: Double) -> Int64 {
            let sorted = probeLatenciesMicros.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
        }

        var summary: String {
            func describe(_ statuses: [Int: Int]) -> String {
                statuses.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "closed" : String($0.key)): \($0.value)" }.joined(separator: ", ")
            }
            let codes = describe(statuses)
            let large = describe(largeStatuses)
            func decimal(_ value: Double) -> String { String(format: "%.1f", value) }
            return "flood: \(sent) requests in \(decimal(seconds)) s (\(decimal(Double(sent) / max(seconds, 0.001)))/s; \(codes); "
                + "large bodies \(large)); serve RSS max \(decimal(Double(residentMaxKB) / 1024)) MiB (VmHWM \(decimal(Double(peakResidentKB) / 1024)) MiB); "
                + "probes \(probesAcknowledged) acknowledged, \(probesLost) lost, latency p50 \(decimal(Double(percentile(0.5)) / 1000)) ms, "
                + "p99 \(decimal(Double(percentile(0.99)) / 1000)) ms, max \(decimal(Double(probeLatenciesMicros.max() ?? 0) / 1000)) ms; "
                + "\(floodUsersShowingLastAcknowledged)/\(floodUsers) flood users show their last acknowledged title"
                + (mismatches.isEmpty ? "; " : " (\(mismatches.joined(separator: "; "))); ")
                + "serve CPU \(decimal(serveCPUPercent)) % of one core during the flood; "
                + "serve \(serveRunning ? "running" : "NOT RUNNING")"
        }

        /// Why the run misses the goals (RSS ≤ 300 MiB, probe p99 ≤ 1 s, nothing lost), if it does.
        var problem: String? {
            if !serveRunning { return "tonearm serve is not running after the flood" }
            if lostEvents > 0 { return "\(lostEvents) acknowledged events lost" }
            if residentMaxKB > 300 * 1024 { return "serve RSS above 300 MiB" }
            if percentile(0.99) > 1_000_000 { return "probe latency p99 above 1 s" }
            return nil
        }
    }

    /// What one sending thread saw.
    private struct ThreadTally: Sendable {
        enum Role { case flood, probe, large }
        let role: Role
        var sent = 0
        var statuses: [Int: Int] = [:]
        /// Per user, the last title answered 200.
        var lastAcknowledged: [String: String] = [:]
        /// Probes answered 200: user, title, wall-clock µs before sending.
        var probes: [(user: String, title: String, sentMicros: Int64)] = []
    }

    let stack: ServeStack
    let seconds: Int

    var probeUsers: ArraySlice<BenchUser> { stack.users.prefix(Self.probeCount) }
    var floodUsers: ArraySlice<BenchUser> { stack.users.dropFirst(Self.probeCount).dropLast() }
    var largeBodyUser: BenchUser { stack.users.last! }

    func run() async throws -> Result {
        guard stack.users.count > Self.probeCount + Self.floodThreads + 1 else {
            throw BenchError("the flood needs more than \(Self.probeCount + Self.floodThreads + 1) users")
        }
        guard let port = URLComponents(string: stack.tonearmURL)?.port else { throw BenchError("no port in \(stack.tonearmURL)") }
        // The warm-up showed a presence for everyone: keep the probes' Discord rate budget whole.
        try await Task.sleep(for: LatencyDriver.spacing)
        let pid = stack.tonearmPID
        let frameCursor = try await stack.simulator.frames(after: 0).last?.index ?? 0
        let tallies = Mutex<[ThreadTally]>([])
        let running = Atomic<Int>(0)
        let start = ContinuousClock.now
        let end = start + .seconds(seconds)

        func launch(_ body: @escaping @Sendable () -> ThreadTally) {
            running.add(1, ordering: .relaxed)
            Thread.detachNewThread {
                let tally = body()
                tallies.withLock { $0.append(tally) }
                running.subtract(1, ordering: .releasing)
            }
        }
        // Flood threads: each owns every `floodThreads`-th flood user, alternating with bad tokens.
        let floodInterval = Duration.seconds(Self.floodThreads) / (Self.rate - 2 - 5)
        for thread in 0..<Self.floodThreads {
            let users = floodUsers.enumerated().filter { $0.offset % Self.floodThreads == thread }.map(\.element)
            launch {
                Self.paced(.flood, port: port, interval: floodInterval, until: end) { count, _ in
                    if count % 2 == 0 {
                        return ("lb-unknown-\(thread)-\(count)", nil, Self.playingNow("Flood noise \(count)"))
                    }
                    let user = users[(count / 2) % users.count]
                    return (user.listenBrainzToken, (user.name, "Flood \(user.name) \(count)"), Self.playingNow("Flood \(user.name) \(count)"))
                }
            }
        }
        // Probes: one user every 225 ms, each user every 4.5 s.
        let probes = Array(probeUsers)
        launch {
            Self.paced(.probe, port: port, interval: Self.probeInterval, until: end) { count, _ in
                let user = probes[count % probes.count]
                let title = String(format: "Probe %06d", count)
                return (user.listenBrainzToken, (user.name, title), Self.playingNow(title))
            }
        }
        // Large bodies, one a second each: 10 MB from a real user, over the limit with a bad token.
        let largeUser = largeBodyUser
        let large = Self.playingNow(String(repeating: "L", count: Self.largeBodyBytes - 300))
        let oversize = [UInt8](repeating: UInt8(ascii: " "), count: Self.oversizeBodyBytes)
        launch {
            Self.paced(.large, port: port, interval: .milliseconds(500), until: end) { count, _ in
                count % 2 == 0 ? (largeUser.listenBrainzToken, nil, large) : ("lb-unknown-large-\(count)", nil, oversize)
            }
        }

        var residentMax = 0
        let cpuBefore = try ProcessSample(pid: pid)
        while running.load(ordering: .acquiring) > 0 {
            if let sample = try? ProcessSample(pid: pid) { residentMax = max(residentMax, sample.residentKB) }
            try await Task.sleep(for: .seconds(1))
        }
        let elapsed = ContinuousClock.now - start
        let cpuAfter = try? ProcessSample(pid: pid)
        let all = tallies.withLock { $0 }
        var result = Result(seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        result.serveCPUPercent = cpuAfter?.cpuPercent(since: cpuBefore) ?? 0
        for tally in all {
            result.sent += tally.sent
            for (status, count) in tally.statuses {
                if tally.role == .large {
                    result.largeStatuses[status, default: 0] += count
                } else {
                    result.statuses[status, default: 0] += count
                }
            }
        }

        // Settle: every flood user should come to show its last acknowledged title.
        var expected: [String: String] = [:]
        for tally in all where tally.role == .flood { expected.merge(tally.lastAcknowledged) { $1 } }
        result.floodUsers = expected.count
        let settleEnd = ContinuousClock.now + Self.settleTimeout
        repeat {
            if let sample = try? ProcessSample(pid: pid) { residentMax = max(residentMax, sample.residentKB) }
            result.floodUsersShowingLastAcknowledged = try await stack.shownCount(expected).shown
            if result.floodUsersShowingLastAcknowledged == expected.count { break }
            try await Task.sleep(for: .seconds(1))
        } while ContinuousClock.now < settleEnd
        result.residentMaxKB = residentMax
        if result.floodUsersShowingLastAcknowledged < expected.count {
            for report in try await stack.simulator.users() where expected[report.name].map({ $0 != report.shownTitle }) == true {
                result.mismatches.append("\(report.name) shows \(report.shownTitle ?? "nothing"), last acknowledged \(expected[report.name]!)")
                if result.mismatches.count == 3 { break }
            }
        }
        let last = try? ProcessSample(pid: pid)
        result.peakResidentKB = last?.peakResidentKB ?? 0
        result.serveRunning = last != nil

        // Probe latency from the simulator's frame log.
        let sentProbes = all.flatMap(\.probes)
        result.probesAcknowledged = sentProbes.count
        for user in probeUsers {
            let frames = try await stack.simulator.frames(user: user.name, after: frameCursor)
            for probe in sentProbes where probe.user == user.name {
                if let frame = frames.first(where: { $0.isPresenceUpdate(showing: probe.title) }) {
                    result.probeLatenciesMicros.append(frame.timestampMicros - probe.sentMicros)
                } else {
                    result.probesLost += 1
                }
            }
        }
        return result
    }

    /// Sends requests on one connection, one every `interval` (or as fast as answers come when
    /// behind), until `end`. `request(count, tally)` gives the token, the (user, title) to
    /// remember when answered 200, and the body.
    private static func paced(
        _ role: ThreadTally.Role, port: Int, interval: Duration, until end: ContinuousClock.Instant,
        _ request: (Int, ThreadTally) -> (token: String, event: (user: String, title: String)?, body: [UInt8])
    ) -> ThreadTally {
        let connection = HTTPConnection(port: port)
        var tally = ThreadTally(role: role)
        var next = ContinuousClock.now
        var count = 0
        while next < end {
            let now = ContinuousClock.now
            if now < next {
                let wait = next - now
                usleep(UInt32(wait.components.seconds * 1_000_000 + wait.components.attoseconds / 1_000_000_000_000))
            }
            let (token, event, body) = request(count, tally)
            let sentMicros = wallClockMicros()
            let status = connection.send(
                path: "/1/submit-listens", headers: [("Authorization", "Token \(token)"), ("Content-Type", "application/json")], body: body)
            tally.sent += 1
            tally.statuses[status, default: 0] += 1
            if status == 200, let event {
                if role == .probe {
                    tally.probes.append((event.user, event.title, sentMicros))
                } else {
                    tally.lastAcknowledged[event.user] = event.title
                }
            }
            count += 1
            next += interval
        }
        return tally
    }

    /// A `playing_now` body for `title`.
    static func playingNow(_ title: String) -> [UInt8] {
        Array("""
            {"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"The Flood","track_name":"\(title)",\
            "release_name":"Loopback Load","additional_info":{"duration_ms":\(ServeStack.trackMilliseconds),"submission_client":"FloodRun"}}}]}
            """.utf8)
    }
}
