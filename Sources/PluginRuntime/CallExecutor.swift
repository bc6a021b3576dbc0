import Foundation
import Logging
import Synchronization
import TonearmJSON

/// Runs the calls of one plugin load: how many at once and in which order (``capacity`` slots,
/// by the caller's ``CallPrecedence``), on which thread, within which deadline and at which
/// priority; `docs/runtime.md`, "How a call runs". What a call does with its slot is `body`.
final class CallExecutor: Sendable {
    /// How many calls of the load run at once.
    let capacity: Int
    private let limits: PluginLimits
    private let logger: Logger
    private let queue: Mutex<Queue>
    /// The exports whose last call was quick (see ``runsInline(_:)``).
    private let quickExports = Mutex<[String: Bool]>([:])
    /// The load's stay in the background after a heavy call, and its CPU budget there.
    private let background = BackgroundBudget()

    private typealias Waiter = CheckedContinuation<Void, Never>
    private struct Queue {
        var available: Int
        /// Callers waiting for a slot, by place: urgent (0) before queued (1), then by stamp.
        var waiting: [(waiter: Waiter, place: (Int, ContinuousClock.Instant))] = []

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

    /// Runs `body` as a call of `export` once it has a slot; returns its result, or `timeoutError`
    /// at the deadline. A call from inside a host function (a callback) takes no slot.
    func run(
        export: String, precedence: CallPrecedence, timeoutError: PluginCallError,
        _ body: @escaping @Sendable () -> Result<[UInt8], PluginCallError>
    ) async -> Result<[UInt8], PluginCallError> {
        let nested = HostCallBridge.isNested
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
            // Resumed once: by the call or at its deadline, whichever comes first.
            let caller = Mutex<CheckedContinuation<Result<[UInt8], PluginCallError>, Never>?>(continuation)
            let resume: @Sendable (Result<[UInt8], PluginCallError>) -> Void = { result in
                caller.withLock { $0.take() }?.resume(returning: result)
            }
            CallThreads.shared.run(priority: priority) { [self] thread in
                let result = execute(export, timeoutError, on: thread, onExpire: { resume(.failure(timeoutError)) }, body)
                // Run once the instance is back in the pool and this thread idle, so the call that
                // gets the slot (or the caller's next call) finds both there.
                return { [self] in
                    if !nested { release() }
                    resume(result)
                }
            }
        }
    }

    /// Runs `body` on the current thread (`thread`; nil: inline) within the deadline; at the
    /// deadline `onExpire` runs if the call is still running.
    private func execute(
        _ export: String, _ timeoutError: PluginCallError, on thread: CallThreads.Worker?,
        onExpire: @escaping @Sendable () -> Void = {}, _ body: @Sendable () -> Result<[UInt8], PluginCallError>
    ) -> Result<[UInt8], PluginCallError> {
        let call = RunningCall(thread: thread, budget: background)
        return call.run {
            let timeout = limits.callTimeout
            call.start(timeout: timeout)
            // At the deadline the caller has its answer; the call stops at its next host function
            // or when its fuel runs out. A heavy call lowers its own call thread at once, the
            // load's other calls theirs at their next host function (`RunningCall.payForCPU`).
            CallWatchdog.shared.watch(
                call, deadline: .now() + timeout, cpuSeconds: limits.heavyCallCPU,
                onHeavy: { [self] in
                    thread?.moveToBackground()
                    guard background.demote(for: CallPriority.demotion) else { return }
                    logger.warning(
                        "plugin calls run at low priority for \(CallPriority.demotion.components.seconds / 60) minutes: a call used over \(GoJSONWriter.number(limits.heavyCallCPU)) s of CPU",
                        metadata: ["export": "\(export)"])
                }, onExpire: onExpire)
            let start = ContinuousClock.now
            let result = body()
            let quick = call.blockedNanoseconds == 0 && .now - start < limits.inlineCallLimit
            CallWatchdog.shared.finish(call)
            call.payForCPU(pausing: false)
            quickExports.withLock { $0[export] = quick }
            return call.isPastDeadline ? .failure(timeoutError) : result
        }
    }

    /// Waits for a slot: urgent callers first; queued ones by their stamp (default: now),
    /// earliest first, then by arrival.
    func acquire(_ precedence: CallPrecedence) async {
        if queue.withLock({ $0.take() }) { return }
        let now = ContinuousClock.now
        await withCheckedContinuation { (continuation: Waiter) in
            let took = queue.withLock { queue -> Bool in
                if queue.take() { return true }
                switch precedence {
                case .urgent: queue.waiting.append((continuation, (0, now)))
                case .queued(let since): queue.waiting.append((continuation, (1, min(since ?? now, now))))
                }
                return false
            }
            if took { continuation.resume() }
        }
    }

    /// Gives a slot to the next waiter, or back.
    func release() {
        let next = queue.withLock { queue -> Waiter? in
            guard let first = queue.waiting.indices.min(by: { queue.waiting[$0].place < queue.waiting[$1].place }) else {
                queue.available += 1
                return nil
            }
            return queue.waiting.remove(at: first).waiter
        }
        next?.resume()
    }

    /// Plugin calls running in this process.
    private static let callsInFlight = Atomic<Int>(0)
    /// A blocked call holds its thread; with one core, the Swift concurrency pool has only one.
    private static let canRunInline = ProcessInfo.processInfo.activeProcessorCount >= 2

    /// Whether a call of `export` that is the only plugin call in the process (a blocked
    /// concurrency thread then leaves the others free) runs on its caller's thread: when the
    /// export's last call took under ``PluginLimits/inlineCallLimit`` without blocking, since
    /// handing it to a call thread would cost two thread wake-ups, more than the call itself.
    private func runsInline(_ export: String) -> Bool {
        Self.canRunInline && quickExports.withLock { $0[export] ?? false }
    }

    /// The priority of the load's calls now.
    var priority: CallPriority { background.isActive() ? .background : .normal }
}
