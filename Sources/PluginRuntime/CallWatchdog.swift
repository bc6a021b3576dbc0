import Foundation
import Synchronization

/// Enforces call deadlines from one background thread: once a call's deadline passes, its
/// expiry handler runs, and runs again every tick until the call finishes. It also watches the
/// CPU time of the thread running a call: once the call used its CPU allowance, the call's
/// handler for that runs, once. Handlers must be quick, must not call back into the watchdog and
/// must not touch the call's WasmKit store (which belongs to the thread running the call): they
/// raise a ``StopSignal``, resume waiters or lower priorities.
final class CallWatchdog: Sendable {
    static let shared = CallWatchdog()

    /// A CPU-time allowance: `onExceeded` runs once `clock` reads `limit` seconds or more.
    struct CPUAllowance: Sendable {
        let clock: clockid_t
        let limit: Double
        let onExceeded: @Sendable () -> Void

        /// `seconds` more CPU time of the calling thread; nil where its clock cannot be read.
        init?(seconds: Double, onExceeded: @escaping @Sendable () -> Void) {
            guard let clock = currentThreadCPUClock() else { return nil }
            self.clock = clock
            limit = cpuSeconds(of: clock) + seconds
            self.onExceeded = onExceeded
        }
    }

    private struct Watch {
        let deadline: DispatchTime
        let onExpire: @Sendable () -> Void
        var allowance: CPUAllowance?
    }

    private struct State {
        var watches: [UInt64: Watch] = [:]
        var nextToken: UInt64 = 1
        var running = false
    }

    private let state = Mutex(State())
    private let tick: TimeInterval = 0.02

    /// Starts watching; returns a token for ``finish(_:)``.
    func watch(
        deadline: DispatchTime, allowance: CPUAllowance? = nil, onExpire: @escaping @Sendable () -> Void
    ) -> UInt64 {
        let (token, start) = state.withLock { state -> (UInt64, Bool) in
            let token = state.nextToken
            state.nextToken += 1
            state.watches[token] = Watch(deadline: deadline, onExpire: onExpire, allowance: allowance)
            let start = !state.running
            state.running = true
            return (token, start)
        }
        if start {
            let thread = Thread { [self] in
                CallThreads.nameCurrentThread("call-watchdog")
                loop()
            }
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
                var spent: [UInt64] = []
                for (token, watch) in state.watches {
                    if watch.deadline <= now { watch.onExpire() }
                    if let allowance = watch.allowance, cpuSeconds(of: allowance.clock) >= allowance.limit {
                        allowance.onExceeded()
                        spent.append(token)
                    }
                }
                for token in spent { state.watches[token]?.allowance = nil }
            }
        }
    }
}
