import Foundation
import Logging
import Synchronization
import TonearmJSON

/// Runs the calls of one plugin load: how many at once and in which order (``capacity`` slots,
/// given by the caller's ``CallPrecedence``), on which thread (a call thread, or the caller's for
/// a call known to be quick), within which deadline and at which priority. `docs/runtime.md`,
/// "How a call runs", describes the model. What a call does with its slot (take an instance, run
/// it, give it back) is the `body` of ``run(export:precedence:timeoutError:_:)``.
final class CallExecutor: Sendable {
    /// How many calls of the load run at once.
    let capacity: Int
    private let limits: PluginLimits
    private let logger: Logger
    private let queue: Mutex<Queue>
    /// How each export's last call went (whether the next may run inline).
    private let lastCalls = Mutex<[String: (duration: Duration, blocked: Bool)]>([:])
    /// Whether the load's calls run in the background after a heavy call, and their CPU budget there.
    private let background = BackgroundBudget()

    private typealias Waiter = CheckedContinuation<Void, Never>
    private struct Queue {
        var available: Int
        var urgent: [Waiter] = []
        var queued: [(waiter: Waiter, since: ContinuousClock.Instant)] = []

        /// Takes a free slot, if there is one.
        mutating func take() -> Bool {
            guard available > 0 else { return false }
            available -= 1
            return true
        }
    }

    init(capacity: Int, limits: PluginLimits, logger: Logger) {
        self.capacity = capacity
        self.limits = limits
        self.logger = logger
        queue = Mutex(Queue(available: capacity))
    }

    /// Runs `body` as a call of `export` once it has a slot, and returns its result, or
    /// `timeoutError` once the deadline passed. A call made from inside a host function of a
    /// running call (a callback the host delivers while it blocks) takes no slot, so it cannot
    /// deadlock.
    func run(
        export: String, precedence: CallPrecedence, timeoutError: PluginCallError,
        _ body: @escaping @Sendable () -> Result<[UInt8], PluginCallError>
    ) async -> Result<[UInt8], PluginCallError> {
        let nested = PluginCallNesting.isNested
        if !nested { await acquire(precedence) }
        let alone = Self.callsInFlight.add(1, ordering: .relaxed).newValue == 1
        defer { Self.callsInFlight.subtract(1, ordering: .relaxed) }
        let priority = self.priority
        if alone && !nested && priority == .normal && runsInline(export) {
            let result = execute(export, timeoutError, on: nil, body)
            release()
            return result
        }
        return await withCheckedContinuation { continuation in
            // Resumed once, by whichever comes first: the call or its deadline.
            let caller = Mutex<CheckedContinuation<Result<[UInt8], PluginCallError>, Never>?>(continuation)
            let resume: @Sendable (Result<[UInt8], PluginCallError>) -> Void = { result in
                caller.withLock { $0.take() }?.resume(returning: result)
            }
            CallThreads.shared.run(priority: priority) { [self] thread in
                let result = execute(export, timeoutError, on: thread, onExpire: { resume(.failure(timeoutError)) }, body)
                // The slot is freed and the caller resumed after the instance went back to the
                // pool and this thread to the idle list, so the call that gets the slot (or the
                // caller's next call) finds both there instead of starting a thread.
                return { [self] in
                    if !nested { release() }
                    resume(result)
                }
            }
        }
    }

    /// Runs `body` on the current thread (`thread`, or the caller's when nil) within the
    /// deadline; `onExpire` runs at the deadline if the call is still running.
    private func execute(
        _ export: String, _ timeoutError: PluginCallError, on thread: CallThreads.Worker?,
        onExpire: @escaping @Sendable () -> Void = {}, _ body: @Sendable () -> Result<[UInt8], PluginCallError>
    ) -> Result<[UInt8], PluginCallError> {
        let call = RunningCall(thread: thread, budget: background)
        return call.run {
            let timeout = limits.callTimeout
            call.startPaying(atMost: timeout)
            call.deadline = .now + .seconds(timeout)
            // A heavy call lowers its own call thread at once, and the load's other calls on
            // call threads at their next host function (see `RunningCall.payForCPU`); never a
            // Swift concurrency thread running a call inline.
            if background.isActive() { thread?.moveToBackground() }
            // At the deadline the caller has its answer at once; the call stops at its next
            // host function, or when its fuel runs out.
            let token = CallWatchdog.shared.watch(
                deadline: .now() + timeout, cpuSeconds: limits.heavyCallCPU,
                onHeavy: { [self] in
                    thread?.moveToBackground()
                    demote(after: export)
                }, onExpire: onExpire)
            let clock = ContinuousClock()
            let start = clock.now
            let result = body()
            let ran = clock.now - start
            CallWatchdog.shared.finish(token)
            call.payForCPU(pausing: false)
            lastCalls.withLock { $0[export] = (ran, call.blocked) }
            return call.isPastDeadline ? .failure(timeoutError) : result
        }
    }

    // MARK: Slots

    /// Waits for a slot: urgent callers first; queued ones by their stamp (default: now),
    /// earliest first, then by arrival.
    func acquire(_ precedence: CallPrecedence) async {
        if queue.withLock({ $0.take() }) { return }
        let now = ContinuousClock.now
        await withCheckedContinuation { (continuation: Waiter) in
            let took = queue.withLock { queue -> Bool in
                if queue.take() { return true }
                switch precedence {
                case .urgent: queue.urgent.append(continuation)
                case .queued(let since): queue.queued.append((continuation, min(since ?? now, now)))
                }
                return false
            }
            if took { continuation.resume() }
        }
    }

    /// Gives a slot to the next waiter, or back.
    func release() {
        let next = queue.withLock { queue -> Waiter? in
            if !queue.urgent.isEmpty { return queue.urgent.removeFirst() }
            guard let earliest = queue.queued.indices.min(by: { queue.queued[$0].since < queue.queued[$1].since }) else {
                queue.available += 1
                return nil
            }
            return queue.queued.remove(at: earliest).waiter
        }
        next?.resume()
    }

    // MARK: Threads and priority

    /// Plugin calls running in this process.
    private static let callsInFlight = Atomic<Int>(0)
    /// A blocked call holds its thread; with one core, the Swift concurrency pool has only one.
    private static let canRunInline = ProcessInfo.processInfo.activeProcessorCount >= 2

    /// Whether a call of `export` that is the only plugin call in the process (a blocked
    /// concurrency thread then leaves the others free) and not nested runs on the caller's own
    /// (Swift concurrency) thread.
    ///
    /// Handing a call to a call thread and resuming the caller costs two thread wake-ups, more
    /// than a quick call itself. So such a call runs inline when the export's previous call ran
    /// under ``PluginLimits/inlineCallLimit`` without blocking in a host function. The deadline
    /// applies as on a call thread.
    private func runsInline(_ export: String) -> Bool {
        guard Self.canRunInline, let last = lastCalls.withLock({ $0[export] }) else { return false }
        return !last.blocked && last.duration < limits.inlineCallLimit
    }

    /// The priority of the load's calls now.
    var priority: CallPriority { background.isActive() ? .background : .normal }

    /// Moves the load's calls to the background after a heavy call of `export` (a lowered call
    /// thread serves background calls only from then on, so a demotion leaves no extra normal
    /// threads behind); logs when they were not there already.
    private func demote(after export: String) {
        guard background.demote(for: CallPriority.demotion) else { return }
        logger.warning(
            "plugin calls run at low priority for \(CallPriority.demotion.components.seconds / 60) minutes: a call used over \(GoJSONWriter.number(limits.heavyCallCPU)) s of CPU",
            metadata: ["export": "\(export)"])
    }
}
