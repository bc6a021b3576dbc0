import Foundation

/// How eagerly the scheduler runs a call thread.
///
/// A plugin call that uses more than ``PluginLimits/heavyCallCPU`` of CPU time (a loop running
/// into its deadline does) moves its plugin's calls to the background for ``demotion``, those
/// running on call threads at once: background call threads have a nice value of
/// ``backgroundNice``, so on a busy machine the other plugins' calls and the host's own threads
/// get about ten times their share of a core, and the plugin's calls share a
/// ``BackgroundBudget``.
enum CallPriority: Sendable {
    case normal
    case background

    /// How long a plugin's calls stay in the background after its last heavy call.
    static let demotion: Duration = .seconds(600)

    /// The nice value of background call threads (weight 110 against 1024 at nice 0).
    static let backgroundNice: Int32 = 10

    /// Gives the thread with kernel id `threadID` (0: the calling thread) this priority. Linux
    /// keeps a nice value per thread; an unprivileged process cannot lower it again, so a
    /// background thread stays one.
    func apply(toThread threadID: Int32 = 0) {
        guard self == .background else { return }
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(threadID), Self.backgroundNice)
        #endif
    }

    /// The kernel's id of the calling thread (Glibc's `gettid` is not imported into Swift);
    /// nil where there is none to read.
    static func currentThreadID() -> Int32? {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            // "<pid>/task/<tid>"
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return link.split(separator: "/").last.flatMap { Int32($0) }
        #else
            return nil
        #endif
    }
}

/// CPU time a thread has used, read from its CPU-time clock (`CLOCK_THREAD_CPUTIME_ID` for the
/// calling thread, or another thread's from `pthread_getcpuclockid`), seconds.
func cpuSeconds(of clock: clockid_t = CLOCK_THREAD_CPUTIME_ID) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// The CPU-time clock of the calling thread, readable from other threads.
func currentThreadCPUClock() -> clockid_t? {
    var clock = clockid_t()
    return pthread_getcpuclockid(pthread_self(), &clock) == 0 ? clock : nil
}
