import Foundation

/// Drives playing_now → presence latency measurements against a warmed-up stack.
///
/// Latency is the simulator's receive timestamp of the Presence Update (op 3) carrying the new
/// title minus the wall-clock time just before the POST was sent (both CLOCK_REALTIME on this
/// machine), so how often the frame log is polled does not change the result.
///
/// Discord allows 5 Presence Updates per connection per 20 s (the plugin keeps 21 s), so every
/// user's POSTs are at least `spacing` apart: no measurement includes a rate-limit delay.
///
/// Each turn plays a new title, or with `replayedTitles` set, the user's next one of that many
/// titles of its own, in turn (after `playEveryTitle()`, every play is a repeated one).
actor LatencyDriver {
    static let spacing = Duration.milliseconds(4_500)
    static let pollInterval = Duration.milliseconds(5)
    static let frameTimeout = Duration.seconds(120)

    let stack: ServeStack
    let replayedTitles: Int?
    private var next = 0
    private var sequence = 0
    private var lastPost: [String: ContinuousClock.Instant] = [:]
    /// Highest frame index looked at, per user and over all users.
    private var userCursor: [String: Int] = [:]
    private var cursor = 0

    init(stack: ServeStack, replayedTitles: Int? = nil) {
        self.stack = stack
        self.replayedTitles = replayedTitles
    }

    /// The next user in round robin and its title, once that user's spacing has passed.
    func nextTurn() async throws -> (user: BenchUser, title: String) {
        let user = stack.users[next % stack.users.count]
        let round = next / stack.users.count
        next += 1
        try await waitForSpacing(of: [user])
        guard let replayedTitles else { return (user, nextTitle()) }
        return (user, "\(user.name) replay \(round % replayedTitles + 1)")
    }

    /// Plays each user's replayed titles once, in as many rounds, each presence shown before
    /// the next POST.
    func playEveryTitle() async throws {
        for _ in 0..<(stack.users.count * (replayedTitles ?? 0)) {
            let turn = try await nextTurn()
            _ = try await measure(turn.user, title: turn.title)
        }
    }

    /// Posts `title` for `user` and returns the latency in µs.
    func measure(_ user: BenchUser, title: String) async throws -> Int64 {
        let sent = wallClockMicros()
        lastPost[user.name] = .now
        try await stack.postPlayingNow(user, title: title)
        let deadline = ContinuousClock.now + Self.frameTimeout
        while ContinuousClock.now < deadline {
            let frames = try await stack.simulator.frames(user: user.name, after: userCursor[user.name] ?? cursor)
            if let last = frames.last { userCursor[user.name] = last.index }
            if let frame = frames.first(where: { $0.isPresenceUpdate(showing: title) }) {
                return frame.timestampMicros - sent
            }
            try await Task.sleep(for: Self.pollInterval)
        }
        stack.keepLogs()
        throw BenchError("no presence frame for \(user.name) within \(Self.frameTimeout); logs in \(stack.folder.path)")
    }

    /// Waits until every user may get an update, then posts one playing_now per user all at once;
    /// returns each one's latency in µs.
    func burst() async throws -> [Int64] {
        try await waitForSpacing(of: stack.users)
        let titles = Dictionary(uniqueKeysWithValues: stack.users.map { ($0.name, nextTitle()) })
        let now = ContinuousClock.now
        for user in stack.users { lastPost[user.name] = now }
        let sent = try await withThrowingTaskGroup(of: (String, Int64).self) { group in
            for user in stack.users {
                let title = titles[user.name]!
                group.addTask {
                    let sent = wallClockMicros()
                    try await self.stack.postPlayingNow(user, title: title)
                    return (user.name, sent)
                }
            }
            var sent: [String: Int64] = [:]
            for try await (name, time) in group { sent[name] = time }
            return sent
        }
        var latencies: [String: Int64] = [:]
        let deadline = ContinuousClock.now + Self.frameTimeout
        while latencies.count < titles.count, ContinuousClock.now < deadline {
            let frames = try await stack.simulator.frames(after: cursor)
            if let last = frames.last { cursor = last.index }
            for frame in frames {
                guard let name = frame.user, latencies[name] == nil, let title = titles[name],
                    frame.isPresenceUpdate(showing: title), let start = sent[name] else { continue }
                latencies[name] = frame.timestampMicros - start
            }
            if latencies.count < titles.count { try await Task.sleep(for: Self.pollInterval) }
        }
        guard latencies.count == titles.count else {
            stack.keepLogs()
            throw BenchError("\(titles.count - latencies.count) burst presences missing after \(Self.frameTimeout); logs in \(stack.folder.path)")
        }
        for user in stack.users { userCursor[user.name] = cursor }
        return Array(latencies.values)
    }

    /// Starts the frame cursors after everything logged so far (call after the warm-up).
    func skipLoggedFrames() async throws {
        cursor = try await stack.simulator.frames(after: cursor).last?.index ?? cursor
        lastPost = Dictionary(uniqueKeysWithValues: stack.users.map { ($0.name, ContinuousClock.now) })
    }

    private func nextTitle() -> String {
        sequence += 1
        return String(format: "Latency probe %06d", sequence)
    }

    private func waitForSpacing(of users: [BenchUser]) async throws {
        let ready = users.compactMap { lastPost[$0.name] }.max().map { $0 + Self.spacing }
        if let ready, ready > .now { try await Task.sleep(until: ready, clock: .continuous) }
    }
}
