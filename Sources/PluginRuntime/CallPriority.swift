import Foundation

/// How eagerly the scheduler runs a call thread.
///
/// A plugin whose call burns CPU (uses more than ``heavyCallCPUSeconds`` of CPU time, as a loop
/// that runs into its deadline does) has its calls run in the background for ``demotion`` after
/// that call: on threads with a nice value of ``backgroundNice``, so on a busy machine the
/// other plugins' calls and the host's own threads get about ten times its share of a core.
enum CallPriority: Sendable {
    case normal
    case background

    /// CPU time above which a single call counts as heavy, seconds. The Discord plugin's calls
    /// take milliseconds.
    static let heavyCallCPUSeconds = 0.5

    /// How long a plugin's calls stay in the background after its last heavy call.
    static let demotion: Duration = .seconds(600)

    /// The nice value of background call threads (weight 110 against 1024 at nice 0).
    static let backgroundNice: Int32 = 10

    /// Gives the calling thread this priority. Linux keeps a nice value per thread; an
    /// unprivileged thread cannot lower it again, so a thread keeps the priority it started with.
    func applyToCurrentThread() {
        guard self == .background else { return }
        #if os(Linux)
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.backgroundNice)
        #else
            _ = setpriority(PRIO_PROCESS, 0, Self.backgroundNice)
        #endif
    }
}

/// CPU time the current thread has used, seconds.
func currentThreadCPUTime() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
