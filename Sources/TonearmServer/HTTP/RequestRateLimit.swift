import Foundation
import Synchronization

/// At most `limit` requests per client address in each fixed window (Navidrome's
/// `Plugins.EndpointRequestLimit` per `EndpointRequestWindow`, by IP). Memory is bounded:
/// windows that ended are dropped once `maxTrackedClients` addresses are tracked, and beyond
/// that the newest addresses share one budget.
final class RequestRateLimit: Sendable {
    static let maxTrackedClients = 10_000
    private static let overflowKey = "(too many clients)"

    let limit: Int
    let window: Double

    private struct Window {
        var end: Date
        var count: Int
    }

    private let windows = Mutex<[String: Window]>([:])

    init(limit: Int, window: Double) {
        self.limit = limit
        self.window = window
    }

    /// Counts a request from `address`; nil when it may go on, else the seconds until the
    /// client's window ends (at least 1).
    func admit(_ address: String?, now: Date = Date()) -> Int? {
        guard limit > 0 else { return nil }
        return windows.withLock { windows in
            var key = address ?? "unknown"
            if windows[key] == nil, windows.count >= Self.maxTrackedClients {
                windows = windows.filter { $0.value.end > now }
                if windows.count >= Self.maxTrackedClients { key = Self.overflowKey }
            }
            var current = windows[key] ?? Window(end: now.addingTimeInterval(window), count: 0)
            if current.end <= now { current = Window(end: now.addingTimeInterval(window), count: 0) }
            guard current.count < limit else {
                return max(1, Int(current.end.timeIntervalSince(now).rounded(.up)))
            }
            current.count += 1
            windows[key] = current
            return nil
        }
    }
}
