import Foundation
import Synchronization

/// Slows down guessing: after `maxFailures` failed sign-ins from one client address within
/// `window` seconds, that address may not try again until the window ends. Memory is bounded:
/// beyond `maxTrackedClients` addresses, the newest share one budget.
package final class SignInThrottle: Sendable {
    package static let maxTrackedClients = 10_000
    private static let overflowKey = "(too many clients)"

    package let maxFailures: Int
    package let window: Double

    private struct Failures {
        var windowEnd: Date
        var count: Int
    }

    private let failures = Mutex<[String: Failures]>([:])

    package init(maxFailures: Int = 5, window: Double = 300) {
        self.maxFailures = max(1, maxFailures)
        self.window = window
    }

    /// Nil when `address` may try to sign in now, else the seconds until it may (at least 1).
    package func wait(for address: String?, now: Date = Date()) -> Int? {
        failures.withLock { failures in
            guard let entry = failures[key(address, in: failures)], entry.windowEnd > now, entry.count >= maxFailures
            else { return nil }
            return max(1, Int(entry.windowEnd.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// Counts a failed sign-in from `address`.
    package func noteFailure(from address: String?, now: Date = Date()) {
        failures.withLock { failures in
            if failures.count >= Self.maxTrackedClients { failures = failures.filter { $0.value.windowEnd > now } }
            let key = key(address, in: failures)
            var entry = failures[key] ?? Failures(windowEnd: now.addingTimeInterval(window), count: 0)
            if entry.windowEnd <= now { entry = Failures(windowEnd: now.addingTimeInterval(window), count: 0) }
            entry.count += 1
            failures[key] = entry
        }
    }

    /// Forgets the failures of `address` after it signed in.
    package func noteSuccess(from address: String?) {
        failures.withLock { failures in failures[address ?? "unknown"] = nil }
    }

    private func key(_ address: String?, in failures: [String: Failures]) -> String {
        let key = address ?? "unknown"
        return failures[key] == nil && failures.count >= Self.maxTrackedClients ? Self.overflowKey : key
    }
}
