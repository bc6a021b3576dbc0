import Foundation
import Synchronization

/// The threads plugin calls run on, outside the Swift concurrency pool, so host functions may
/// block. A job never waits for a busy thread: it goes to an idle thread or a new one, so a host
/// function that calls back into a plugin (and waits for it) cannot deadlock. Threads idle for
/// a minute end.
final class CallThreads: Sendable {
    static let shared = CallThreads()

    private final class Worker: @unchecked Sendable {
        let wakeUp = DispatchSemaphore(value: 0)
        // Written by the submitter before `wakeUp.signal()`, read by the worker after its wait.
        var job: (@Sendable () -> Void)?
    }

    private let idle = Mutex<[Worker]>([])

    /// Runs `job` on a call thread.
    func run(_ job: @escaping @Sendable () -> Void) {
        if let worker = idle.withLock({ $0.popLast() }) {
            worker.job = job
            worker.wakeUp.signal()
            return
        }
        let worker = Worker()
        worker.job = job
        let thread = Thread { [self] in loop(worker) }
        thread.name = "tonearm-plugin-call"
        thread.stackSize = 8 * 1024 * 1024
        thread.start()
    }

    private func loop(_ worker: Worker) {
        while true {
            let job = worker.job!
            worker.job = nil
            job()
            idle.withLock { $0.append(worker) }
            if worker.wakeUp.wait(timeout: .now() + 60) == .timedOut {
                let retired = idle.withLock { workers -> Bool in
                    guard let index = workers.firstIndex(where: { $0 === worker }) else { return false }
                    workers.remove(at: index)
                    return true
                }
                if retired { return }
                // Claimed just as the wait timed out: the job is on its way.
                worker.wakeUp.wait()
            }
        }
    }
}
