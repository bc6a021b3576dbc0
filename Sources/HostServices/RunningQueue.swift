import NavidromeABI
import Synchronization

/// One task queue while its plugin is loaded: its configuration, its workers (as many as its
/// concurrency), what wakes them (an enqueue, a retry coming due, the poll interval) and the
/// spacing of dispatches (`delayMs`).
final class RunningQueue: Sendable {
    let name: String
    let config: QueueConfig
    private let state = Mutex(State())

    private struct State {
        var workers: [Task<Void, Never>] = []
        var wakeups: [AsyncStream<Void>.Continuation] = []
        var nextDispatch: ContinuousClock.Instant?
        var lastCleanup: ContinuousClock.Instant?
    }

    init(name: String, config: QueueConfig) {
        self.name = name
        self.config = config
    }

    /// Starts `workers` workers; each runs `drain` at once, then whenever it is woken.
    func start(workers: Int32, poll: Duration, drain: @escaping @Sendable (RunningQueue) async -> Void) {
        var tasks: [Task<Void, Never>] = []
        var continuations: [AsyncStream<Void>.Continuation] = []
        for _ in 0..<max(1, workers) {
            let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            continuations.append(continuation)
            tasks.append(Task { [self] in
                await drain(self)
                for await _ in stream {
                    if Task.isCancelled { return }
                    await drain(self)
                }
            })
        }
        let poller = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: poll)
                wake()
            }
        }
        state.withLock { state in
            state.workers = tasks + [poller]
            state.wakeups = continuations
        }
    }

    /// Wakes every idle worker (a busy one looks again when its task ends).
    func wake() {
        for continuation in state.withLock({ $0.wakeups }) { continuation.yield() }
    }

    /// Wakes the workers once `delay` has passed (a retry coming due).
    func wake(after delay: Duration) {
        Task { [self] in
            try? await Task.sleep(for: delay)
            wake()
        }
    }

    /// Waits until this dispatch's turn: dispatches are at least `delayMs` apart.
    func waitForDelay() async {
        guard config.delayMs > 0 else { return }
        let spacing = Duration.milliseconds(config.delayMs)
        let turn = state.withLock { state -> ContinuousClock.Instant in
            let now = ContinuousClock.now
            let turn = max(now, state.nextDispatch ?? now)
            state.nextDispatch = turn + spacing
            return turn
        }
        try? await Task.sleep(until: turn, clock: .continuous)
    }

    /// Whether expired tasks should be removed now (at most every five minutes).
    func cleanupIsDue() -> Bool {
        state.withLock { state in
            let now = ContinuousClock.now
            if let last = state.lastCleanup, now - last < TaskQueueLimits.cleanupInterval { return false }
            state.lastCleanup = now
            return true
        }
    }

    /// Stops the workers and waits for them.
    func stop() async {
        let (workers, wakeups) = state.withLock { state in
            defer { state.workers = []; state.wakeups = [] }
            return (state.workers, state.wakeups)
        }
        for worker in workers { worker.cancel() }
        for continuation in wakeups { continuation.finish() }
        for worker in workers { await worker.value }
    }
}
