import Foundation
import Synchronization

/// Enforces call deadlines from one background thread: once a call's deadline passes, its
/// expiry handler runs, and runs again every tick until the call finishes (so an interruption
/// that raced with the plugin is repeated).
final class CallWatchdog: Sendable {
    static let shared = CallWatchdog()

    private struct Watch {
        let deadline: DispatchTime
        let onExpire: @Sendable () -> Void
    }

    private struct State {
        var watches: [UInt64: Watch] = [:]
        var nextToken: UInt64 = 1
        var running = false
    }

    private let state = Mutex(State())
    private let tick: TimeInterval = 0.02

    /// Starts watching; returns a token for ``finish(_:)``.
    func watch(deadline: DispatchTime, onExpire: @escaping @Sendable () -> Void) -> UInt64 {
        let (token, start) = state.withLock { state -> (UInt64, Bool) in
            let token = state.nextToken
            state.nextToken += 1
            state.watches[token] = Watch(deadline: deadline, onExpire: onExpire)
            let start = !state.running
            state.running = true
            return (token, start)
        }
        if start {
            let thread = Thread { [self] in loop() }
            thread.name = "tonearm-call-watchdog"
            thread.start()
        }
        return token
    }

    /// Stops watching a call.
    func finish(_ token: UInt64) {
        _ = state.withLock { $0.watches.removeValue(forKey: token) }
    }

    private func loop() {
        while true {
            Thread.sleep(forTimeInterval: tick)
            let now = DispatchTime.now()
            let expired = state.withLock { state in
                state.watches.values.filter { $0.deadline <= now }.map(\.onExpire)
            }
            for handler in expired { handler() }
        }
    }
}
