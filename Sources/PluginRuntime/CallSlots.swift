import Foundation
import Synchronization

/// A counting semaphore: ``acquire(urgent:)`` waits while every slot is taken; a freed slot goes
/// to the longest-waiting urgent caller, else the longest-waiting other. A call gives its slot
/// back while a host function blocks it (``HostCallBridge``) and takes one again afterwards, so
/// the slots count calls that can run, and a call never waits on a call that waits for its slot.
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

    func release() {
        let next = state.withLock { state -> Waiter? in
            if !state.urgent.isEmpty { return state.urgent.removeFirst() }
            if !state.other.isEmpty { return state.other.removeFirst() }
            state.available += 1
            return nil
        }
        next?.resume()
    }
}
