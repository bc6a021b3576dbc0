import Foundation
import Synchronization

/// A plugin's stay in the background (see ``CallPriority``) and the time its calls may work
/// meanwhile (CPU time, or host work other than network waits; see
/// ``RunningCall/payForCPU(pausing:)``): ``cores`` of a core on average, with up to
/// ``burstSeconds`` at once.
///
/// A nice value alone still lets a plugin that loops on host functions keep every core busy
/// whenever nothing else is runnable, and every wake-up of the host's own threads and of the
/// other plugins' calls then waits for a time slice. So a background call that overdrew the
/// budget pauses at its next host function, and a background call waits before it starts, until
/// the budget is paid back (never past the call's deadline).
final class BackgroundBudget: Sendable {
    /// Time per second a plugin in the background may work, in cores.
    static let cores = 0.25
    /// Time a plugin in the background may work at once, seconds (its balance on demotion).
    static let burstSeconds = 1.0

    private struct Account {
        /// Seconds the plugin may still work; negative once overdrawn.
        var balance = BackgroundBudget.burstSeconds
        /// When the balance last grew, `DispatchTime` uptime nanoseconds.
        var refilledAt: UInt64 = 0
    }

    /// Until when (`DispatchTime` uptime, nanoseconds) the plugin is in the background; 0 if
    /// it never was.
    private let until = Atomic<UInt64>(0)
    private let account = Mutex(Account())

    /// Whether the plugin is in the background at `now`.
    func isActive(at now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Bool { now < until.load(ordering: .relaxed) }

    /// Keeps the plugin in the background for `duration` from `now`; returns whether it was in
    /// the foreground (its balance then starts full).
    func demote(for duration: Duration, at now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Bool {
        let seconds = UInt64(max(0, duration.components.seconds))
        let previous = until.exchange(now + seconds * 1_000_000_000, ordering: .relaxed)
        guard previous <= now else { return false }
        account.withLock { $0 = Account(balance: Self.burstSeconds, refilledAt: now) }
        return true
    }

    /// Takes `seconds` of work from the balance (which grows by ``cores`` per second since
    /// the last charge, up to ``burstSeconds``); returns how long the caller should pause to pay
    /// the balance back, seconds (0 while it is not overdrawn).
    func charge(_ seconds: Double, at now: UInt64 = DispatchTime.now().uptimeNanoseconds) -> Double {
        account.withLock { account in
            if now > account.refilledAt {
                let grown = Double(now - account.refilledAt) / 1e9 * Self.cores
                account.balance = min(Self.burstSeconds, account.balance + grown)
                account.refilledAt = now
            }
            account.balance -= max(0, seconds)
            return account.balance < 0 ? -account.balance / Self.cores : 0
        }
    }
}
