import Foundation

/// A plugin call while it runs, as its host functions see it (``current``). Its state is read
/// and written on the call's thread only.
final class RunningCall: @unchecked Sendable {
    /// When the call's deadline passes (set when it starts running).
    var deadline: ContinuousClock.Instant?
    /// Nanoseconds the call spent blocked in host functions (on network peers); not 0 once it blocked.
    var blockedNanoseconds: UInt64 = 0
    /// The call thread running the call; nil for a call running inline on its caller's thread.
    let thread: CallThreads.Worker?
    /// Its plugin's background budget; nil inline (a Swift concurrency thread never pauses).
    private let budget: BackgroundBudget?
    /// Where the call last paid its budget: its thread's CPU time, the uptime and its blocked time.
    private var paid = (cpu: 0.0, uptime: UInt64(0), blocked: UInt64(0))

    init(thread: CallThreads.Worker? = nil, budget: BackgroundBudget? = nil) {
        self.thread = thread
        self.budget = thread == nil ? nil : budget
    }

    /// Starts the call's deadline, `timeout` seconds, and the count of its time. A call of a
    /// plugin in the background whose budget is overdrawn first waits until it is paid back (at
    /// most `timeout`).
    func start(timeout: Double) {
        if let budget {
            if budget.isActive() { pause(budget.charge(0), atMost: timeout) }
            paid = (cpuSeconds(), DispatchTime.now().uptimeNanoseconds, blockedNanoseconds)
        }
        deadline = .now + .seconds(timeout)
    }

    /// While its plugin is in the background: lowers the call's thread, charges the budget with
    /// the time worked since the last payment (CPU time or, when longer, time passed less time
    /// blocked on network peers, so `fsync` counts) and, with `pausing`, waits out an overdraft.
    func payForCPU(pausing: Bool) {
        guard let budget, budget.isActive() else { return }
        thread?.moveToBackground()
        let now = (cpu: cpuSeconds(), uptime: DispatchTime.now().uptimeNanoseconds, blocked: blockedNanoseconds)
        let passed = now.uptime &- paid.uptime
        let working = Double(passed - min(passed, now.blocked &- paid.blocked)) / 1e9
        let owed = budget.charge(max(now.cpu - paid.cpu, working))
        paid = now
        guard pausing, owed > 0 else { return }
        pause(owed, atMost: .infinity)
        // The pause is not work; the CPU time it took is charged next time.
        paid.uptime = DispatchTime.now().uptimeNanoseconds
    }

    /// Whether the call's deadline has passed: its host functions then fail with ``CallStopped``.
    var isPastDeadline: Bool { deadline.map { $0 <= .now } ?? false }

    /// Sleeps `seconds`, `atMost` seconds and not past the deadline.
    private func pause(_ seconds: Double, atMost limit: Double) {
        let untilDeadline = deadline.map { ($0 - .now) / .seconds(1) } ?? limit
        Thread.sleep(forTimeInterval: max(0, min(seconds, limit, untilDeadline)))
    }

    /// Runs `body` with this call as the thread's ``current``.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        let previous = Self.current
        Self.current = self
        defer { Self.current = previous }
        return try body()
    }

    /// The call running on this thread (``run(_:)`` keeps it alive; the key holds no reference).
    static var current: RunningCall? {
        get { pthread_getspecific(threadKey).map { Unmanaged<RunningCall>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(threadKey, newValue.map { Unmanaged.passUnretained($0).toOpaque() }) }
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
