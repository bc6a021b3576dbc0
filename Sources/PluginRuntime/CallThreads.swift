import Foundation
import Synchronization

/// The threads plugin calls run on, outside the Swift concurrency pool, so host functions may
/// block. A job never waits for a busy thread: it goes to an idle thread or a new one, so a host
/// function that calls back into a plugin (and waits for it) cannot deadlock. A thread that
/// finished a job stays awake for a few microseconds (calls tend to come in bursts: a playback
/// event is several calls in a row), then sleeps; threads idle for a minute end. Each
/// ``CallPriority`` has threads of its own; a normal thread running a heavy call becomes a
/// background one.
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

    /// A job (given the thread running it) returns what it hands back to its caller, run once
    /// its thread is free again.
    typealias Job = @Sendable (Worker) -> (@Sendable () -> Void)

    /// Runs `job` on a call thread of `priority`, then the closure it returns. That closure runs
    /// after the thread went back to the idle list, so a caller it wakes finds this (still hot)
    /// thread free for its next job.
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
            Self.nameCurrentThread("plugin-call")
            worker.threadID.store(CallPriority.currentThreadID() ?? 0, ordering: .relaxed)
            priority.apply()
            loop(worker)
        }
        thread.stackSize = 8 * 1024 * 1024
        thread.start()
    }

    /// Names the current thread for `ps`, `top` and debuggers (Foundation's `Thread.name` does
    /// not reach the kernel on Linux, and Swift does not see `pthread_setname_np`; the kernel
    /// keeps 15 bytes).
    static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let file = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard file >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        close(file)
        #endif
    }

    private func loop(_ worker: Worker) {
        while true {
            let job = worker.job!
            worker.job = nil
            worker.state.store(Worker.awake, ordering: .releasing)
            let handBack = job(worker)
            idle.withLock { $0[worker.priority, default: []].append(worker) }
            handBack()
            guard waitForJob(worker) else { return }
        }
    }

    /// Waits until `worker` is handed a job (true) or has been idle for a minute and left the
    /// idle list (false).
    private func waitForJob(_ worker: Worker) -> Bool {
        let clock = ContinuousClock()
        let spinUntil = clock.now + Self.spin
        while clock.now < spinUntil {
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
