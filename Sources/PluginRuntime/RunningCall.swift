import Foundation

/// A plugin call while it runs, as its host functions see it (``current``): its deadline, its
/// CPU budget in the background, and whether it blocked.
final class RunningCall: @unchecked Sendable {
    /// Whether a host function blocked during the call. Written and read on the call's thread.
    var blocked = false
    /// When the call's deadline passes (set when it starts running). Written and read on the
    /// call's thread.
    var deadline: ContinuousClock.Instant?
    /// Nanoseconds the call spent blocked in host functions (waiting for a network peer).
    /// Written and read on the call's thread.
    var blockedNanoseconds: UInt64 = 0
    /// The call thread running the call; nil for a call running inline on its caller's thread.
    let thread: CallThreads.Worker?
    /// Its plugin's background budget, for a call on a call thread (a call running inline on a
    /// Swift concurrency thread never pauses).
    let budget: BackgroundBudget?
    /// Where the call last paid its budget: its thread's CPU time, the uptime and its blocked time.
    private var paid = (cpu: 0.0, uptime: UInt64(0), blocked: UInt64(0))

    init(thread: CallThreads.Worker? = nil, budget: BackgroundBudget? = nil) {
        self.thread = thread
        self.budget = thread == nil ? nil : budget
    }

    /// Starts counting the call's time; a call of a plugin in the background whose budget is
    /// overdrawn first waits until it is paid back, `atMost` seconds.
    func startPaying(atMost seconds: Double) {
        guard let budget else { return }
        if budget.isActive() { pause(budget.charge(0), atMost: seconds) }
        paid = (cpuSeconds(), DispatchTime.now().uptimeNanoseconds, blockedNanoseconds)
    }

    /// While its plugin is in the background: lowers the call's thread (if not yet), charges the
    /// budget with the time the call worked since it last paid and, with `pausing`, waits while
    /// the budget is overdrawn, until the deadline. Runs on the call's thread (at host functions).
    ///
    /// The time worked is the thread's CPU time, or, when longer, the time that passed less the
    /// time blocked on network peers: a host function's disk writes (`fsync`) count, so a plugin
    /// cannot keep the disk busy for free.
    func payForCPU(pausing: Bool) {
        guard let budget, budget.isActive() else { return }
        thread?.moveToBackground()
        let now = (cpu: cpuSeconds(), uptime: DispatchTime.now().uptimeNanoseconds, blocked: blockedNanoseconds)
        let passed = now.uptime &- paid.uptime
        let blocked = now.blocked &- paid.blocked
        let working = passed > blocked ? Double(passed - blocked) / 1e9 : 0
        let owed = budget.charge(max(now.cpu - paid.cpu, working))
        paid = now
        guard pausing, owed > 0 else { return }
        pause(owed, atMost: .infinity)
        // The pause is not work; the CPU time it took is charged next time.
        paid.uptime = DispatchTime.now().uptimeNanoseconds
    }

    /// Whether the call's deadline has passed: its host functions then fail with ``CallStopped``.
    var isPastDeadline: Bool { deadline.map { $0 <= .now } ?? false }

    private func pause(_ seconds: Double, atMost limit: Double) {
        var left = min(seconds, limit)
        while left > 0, !isPastDeadline {
            let slice = min(left, 0.05)
            Thread.sleep(forTimeInterval: slice)
            left -= slice
        }
    }

    /// Runs `body` with this call as the thread's ``current``.
    func run<T>(_ body: () throws -> T) rethrows -> T {
        let previous = Self.current
        Self.current = self
        defer { Self.current = previous }
        return try body()
    }

    /// The call running on this thread (a thread-local; ``run(_:)`` keeps the object alive
    /// meanwhile, so the key holds no reference of its own).
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
