import Foundation
import Synchronization

/// The threads plugin calls run on, outside the Swift concurrency pool, so host functions may
/// block. A job goes to an idle thread or a new one, never waits for a busy one, so a host
/// function that calls back into a plugin cannot deadlock. A thread that finished a job spins
/// briefly (a playback event is several calls in a row), then sleeps; after an idle minute it
/// ends. Each ``CallPriority`` has threads of its own.
final class CallThreads: Sendable {
    static let shared = CallThreads()

    /// How long a thread that finished a job keeps looking for the next before it sleeps.
    private static let spin: Duration = .microseconds(40)

    /// One call thread.
    final class Worker: @unchecked Sendable {
        fileprivate static let awake = 0, sleeping = 1, handedJob = 2
        fileprivate let state = Atomic<Int>(Worker.awake)
        fileprivate let wakeUp = DispatchSemaphore(value: 0)
        private let isBackground: Atomic<Bool>
        /// The kernel's id of the thread, once it runs (0 where there is none to read).
        fileprivate let threadID = Atomic<Int32>(0)
        // Written by the submitter before it sets `handedJob`, read by the worker after seeing it.
        fileprivate var job: Job?

        fileprivate init(priority: CallPriority) { isBackground = Atomic(priority == .background) }

        /// The idle list the thread goes back to.
        var priority: CallPriority { isBackground.load(ordering: .relaxed) ? .background : .normal }

        /// Lowers the thread's priority for good, from any thread.
        func moveToBackground() {
            guard !isBackground.exchange(true, ordering: .relaxed) else { return }
            let id = threadID.load(ordering: .relaxed)
            if id != 0 { CallPriority.background.apply(toThread: id) }
        }
    }

    private let idle = Mutex<[CallPriority: [Worker]]>([:])

    typealias Job = @Sendable (Worker) -> (@Sendable () -> Void)

    /// Runs `job` on a call thread of `priority`, then the closure it returns, once the thread is
    /// back on the idle list (so a caller that closure wakes finds this hot thread free).
    func run(priority: CallPriority = .normal, _ job: @escaping Job) {
        if let worker = idle.withLock({ $0[priority]?.popLast() }) {
            worker.job = job
            if worker.state.exchange(Worker.handedJob, ordering: .acquiringAndReleasing) == Worker.sleeping {
                worker.wakeUp.signal()
            }
            return
        }
        let worker = Worker(priority: priority)
        worker.job = job
        let thread = Thread { [self] in
            CurrentThread.setName("plugin-call")
            worker.threadID.store(CurrentThread.kernelID ?? 0, ordering: .relaxed)
            // The worker's, not `priority`: it may have been moved to the background meanwhile.
            worker.priority.apply()
            loop(worker)
        }
        thread.stackSize = 8 * 1024 * 1024
        thread.start()
    }

    private func loop(_ worker: Worker) {
        repeat {
            let job = worker.job!
            worker.job = nil
            worker.state.store(Worker.awake, ordering: .releasing)
            let handBack = job(worker)
            idle.withLock { $0[worker.priority, default: []].append(worker) }
            handBack()
        } while waitForJob(worker)
    }

    /// Waits until `worker` is handed a job (true) or has been idle for a minute and left the
    /// idle list (false).
    private func waitForJob(_ worker: Worker) -> Bool {
        let spinUntil = ContinuousClock.now + Self.spin
        while ContinuousClock.now < spinUntil {
            if worker.state.load(ordering: .acquiring) == Worker.handedJob { return true }
        }
        guard worker.state.compareExchange(
            expected: Worker.awake, desired: Worker.sleeping, ordering: .acquiringAndReleasing
        ).exchanged else { return true }
        if worker.wakeUp.wait(timeout: .now() + 60) == .success { return true }
        let retired = idle.withLock { idle -> Bool in
            guard let index = idle[worker.priority]?.firstIndex(where: { $0 === worker }) else { return false }
            idle[worker.priority]?.remove(at: index)
            return true
        }
        if retired { return false }
        // Claimed just as the wait timed out: the job is on its way.
        worker.wakeUp.wait()
        return true
    }
}
