import Foundation
import Synchronization

/// Watches running calls from one background thread: once a call's deadline passes, its expiry
/// handler runs, once; once the call used its CPU allowance, the handler for that runs, once.
/// Handlers must be quick, must not call back into the watchdog and must not touch the call's
/// WasmKit store (which belongs to the thread running the call): they resume waiters or lower
/// priorities. The call itself stops at its next host function (see ``RunningCall``).
final class CallWatchdog: Sendable {
    static let shared = CallWatchdog()

    /// A CPU-time allowance: `onExceeded` runs once the calling thread used `seconds` more CPU
    /// time than when the watchdog first looked at the call, within a ``tick`` of its start
    /// (reading the clock as each call starts would cost a system call per call, and most calls
    /// end before the first look).
    struct CPUAllowance: Sendable {
        let clock: clockid_t
        let seconds: Double
        let onExceeded: @Sendable () -> Void

        /// `seconds` more CPU time of the calling thread; nil where its clock cannot be read.
        init?(seconds: Double, onExceeded: @escaping @Sendable () -> Void) {
            guard let clock = currentThreadCPUClock() else { return nil }
            self.clock = clock
            self.seconds = seconds
            self.onExceeded = onExceeded
        }
    }

    private struct Watch {
        let deadline: DispatchTime
        var onExpire: (@Sendable () -> Void)?
        var allowance: CPUAllowance?
        /// The CPU time at which the allowance is used up, set at the first look.
        var cpuLimit: Double?
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
            // Handlers run under the lock, so none runs after `finish` returned.
            state.withLock { state in
                for (token, watch) in state.watches {
                    if let onExpire = watch.onExpire, watch.deadline <= now {
                        onExpire()
                        state.watches[token]?.onExpire = nil
                    }
                    if let allowance = watch.allowance {
                        let used = cpuSeconds(of: allowance.clock)
                        if let limit = watch.cpuLimit {
                            guard used >= limit else { continue }
                            allowance.onExceeded()
                            state.watches[token]?.allowance = nil
                        } else {
                            state.watches[token]?.cpuLimit = used + allowance.seconds
                        }
                    }
                }
            }
        }
    }
}
