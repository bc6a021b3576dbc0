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
    /// end before the first look). `limit`, the CPU time at which it is used up, is set then.
    private struct CPUAllowance {
        let clock: clockid_t
        let seconds: Double
        let onExceeded: @Sendable () -> Void
        var limit: Double?
    }

    private struct Watch {
        let deadline: DispatchTime
        var onExpire: (@Sendable () -> Void)?
        var allowance: CPUAllowance?
    }

    private struct State {
        var watches: [UInt64: Watch] = [:]
        var nextToken: UInt64 = 1
    }

    private let state = Mutex(State())
    private let tick: TimeInterval = 0.02

    private init() {
        Thread { [self] in
            CallThreads.nameCurrentThread("call-watchdog")
            loop()
        }.start()
    }

    /// Starts watching the calling thread's call; returns a token for ``finish(_:)``.
    /// `onHeavy` runs once the thread used `cpuSeconds` of CPU time (never where its clock
    /// cannot be read).
    func watch(
        deadline: DispatchTime, cpuSeconds: Double, onHeavy: @escaping @Sendable () -> Void,
        onExpire: @escaping @Sendable () -> Void
    ) -> UInt64 {
        let allowance = currentThreadCPUClock().map { CPUAllowance(clock: $0, seconds: cpuSeconds, onExceeded: onHeavy) }
        return state.withLock { state in
            let token = state.nextToken
            state.nextToken += 1
            state.watches[token] = Watch(deadline: deadline, onExpire: onExpire, allowance: allowance)
            return token
        }
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
                    guard let allowance = watch.allowance else { continue }
                    let used = cpuSeconds(of: allowance.clock)
                    if let limit = allowance.limit {
                        guard used >= limit else { continue }
                        allowance.onExceeded()
                        state.watches[token]?.allowance = nil
                    } else {
                        state.watches[token]?.allowance?.limit = used + allowance.seconds
                    }
                }
            }
        }
    }
}
