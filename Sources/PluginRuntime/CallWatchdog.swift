import Foundation
import Synchronization

/// Enforces call deadlines from one background thread: once a call's deadline passes, its
/// expiry handler runs, and runs again every tick until the call finishes. Handlers must be
/// quick, must not call back into the watchdog and must not touch the call's WasmKit store
/// (which belongs to the thread running the call): they raise a ``StopSignal`` and resume
/// waiters.
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
            // Handlers run under the lock, so none runs after `finish` returned (the instance
            // may already serve another call by then).
            state.withLock { state in
                for watch in state.watches.values where watch.deadline <= now { watch.onExpire() }
            }
        }
    }
}
