import Foundation
import Synchronization

/// Watches running calls from one thread: runs a call's expiry handler once its deadline passed,
/// its heavy handler once its thread used its CPU allowance, each once. Handlers must be quick,
/// must not call the watchdog and must not touch the call's WasmKit store (the call's thread
/// owns it); the call itself stops at its next host function.
final class CallWatchdog: Sendable {
    static let shared = CallWatchdog()

    private struct Watch {
        let deadline: DispatchTime
        var onExpire: (@Sendable () -> Void)?
        /// The thread's CPU-time clock (nil where it cannot be read) and its allowance, seconds.
        let cpuClock: clockid_t?
        let cpuSeconds: Double
        var onHeavy: (@Sendable () -> Void)?
        /// The CPU time at which the allowance is used up, set at the first look (within a
        /// ``tick``): a clock read as each call starts costs a system call, and most end sooner.
        var cpuLimit: Double?
    }

    private let watches = Mutex<[ObjectIdentifier: Watch]>([:])
    private let tick: TimeInterval = 0.02

    private init() {
        Thread { [self] in
            CurrentThread.setName("call-watchdog")
            loop()
        }.start()
    }

    /// Starts watching `call`, which runs on the calling thread, until ``finish(_:)``.
    /// `onHeavy` runs once the thread used `cpuSeconds` of CPU time.
    func watch(
        _ call: RunningCall, deadline: DispatchTime, cpuSeconds: Double,
        onHeavy: @escaping @Sendable () -> Void, onExpire: @escaping @Sendable () -> Void
    ) {
        let watch = Watch(
            deadline: deadline, onExpire: onExpire, cpuClock: CurrentThread.cpuClock, cpuSeconds: cpuSeconds, onHeavy: onHeavy)
        watches.withLock { $0[ObjectIdentifier(call)] = watch }
    }

    /// Stops watching `call`.
    func finish(_ call: RunningCall) {
        _ = watches.withLock { $0.removeValue(forKey: ObjectIdentifier(call)) }
    }

    private func loop() {
        while true {
            Thread.sleep(forTimeInterval: tick)
            let now = DispatchTime.now()
            // Handlers run under the lock, so none runs after `finish` returned.
            watches.withLock { watches in
                for (call, watch) in watches {
                    if let onExpire = watch.onExpire, watch.deadline <= now {
                        onExpire()
                        watches[call]?.onExpire = nil
                    }
                    guard let clock = watch.cpuClock, let onHeavy = watch.onHeavy else { continue }
                    let used = cpuSeconds(of: clock)
                    if let limit = watch.cpuLimit, used >= limit {
                        onHeavy()
                        watches[call]?.onHeavy = nil
                    } else if watch.cpuLimit == nil {
                        watches[call]?.cpuLimit = used + watch.cpuSeconds
                    }
                }
            }
        }
    }
}
