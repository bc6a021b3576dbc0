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
}
