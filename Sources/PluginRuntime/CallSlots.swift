import Foundation
import Synchronization

/// A counting semaphore: ``acquire(urgent:)`` waits while every slot is taken; a freed slot goes
/// to the longest-waiting urgent caller, else the longest-waiting other. A call gives its slot
/// back while a host function blocks it (``HostCallBridge``) and takes one again afterwards, so
/// the slots count calls that can run, and a call never waits on a call that waits for its slot.
/// At most `capacity` calls are parked so at once; a call that blocks beyond that keeps its
/// slot, so a plugin's calls hold at most twice `capacity` threads.
final class CallSlots: Sendable {
    let capacity: Int
    private enum Waiter {
        case task(CheckedContinuation<Void, Never>)
        case thread(DispatchSemaphore)

        func resume() {
            switch self {
            case .task(let continuation): continuation.resume()
            case .thread(let semaphore): semaphore.signal()
            }
        }
    }
    private struct State {
        var available: Int
        /// Calls that gave their slot back while blocked.
        var parked = 0
        var urgent: [Waiter] = []
        var other: [Waiter] = []
    }
    private let state: Mutex<State>

    init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(available: capacity))
    }

    private func take() -> Bool {
        state.withLock { state in
            guard state.available > 0 else { return false }
            state.available -= 1
            return true
        }
    }

    /// Takes a slot, or queues `waiter` for the next one.
    private func takeOrQueue(_ waiter: Waiter, urgent: Bool) -> Bool {
        state.withLock { state in
            guard state.available > 0 else {
                if urgent { state.urgent.append(waiter) } else { state.other.append(waiter) }
                return false
            }
            state.available -= 1
            return true
        }
    }

    func acquire(urgent: Bool) async {
        if take() { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if takeOrQueue(.task(continuation), urgent: urgent) { continuation.resume() }
        }
    }

    /// Takes a slot, blocking this (call) thread until one is free; ahead of queued calls.
    func acquireBlocking() {
        if take() { return }
        let semaphore = DispatchSemaphore(value: 0)
        if takeOrQueue(.thread(semaphore), urgent: true) { return }
        semaphore.wait()
    }

    /// Gives the slot back while the call blocks in a host function, unless `capacity` calls are
    /// parked already; returns whether it did (then ``reacquireAfterBlocking()`` takes one again).
    func releaseForBlocking() -> Bool {
        let (released, next) = state.withLock { state -> (Bool, Waiter?) in
            guard state.parked < capacity else { return (false, nil) }
            state.parked += 1
            return (true, Self.handOver(&state))
        }
        next?.resume()
        return released
    }

    /// Takes a slot again after ``releaseForBlocking()`` gave one back.
    func reacquireAfterBlocking() {
        state.withLock { $0.parked -= 1 }
        acquireBlocking()
    }

    /// Calls parked in host functions (for tests and status).
    var parkedCount: Int { state.withLock { $0.parked } }

    /// The waiter a freed slot goes to, or nil after counting the slot as available.
    private static func handOver(_ state: inout State) -> Waiter? {
        if !state.urgent.isEmpty { return state.urgent.removeFirst() }
        if !state.other.isEmpty { return state.other.removeFirst() }
        state.available += 1
        return nil
    }

    func release() {
        state.withLock { Self.handOver(&$0) }?.resume()
    }
}
