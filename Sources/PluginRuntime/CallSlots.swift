import Foundation
import Synchronization

/// A counting semaphore: ``acquire(urgent:queuedSince:)`` waits while every slot is taken; a
/// freed slot goes to a call coming back from a blocked host function first, then to the
/// longest-waiting urgent caller, else to the other caller queued earliest. An other caller may
/// say it queued before it arrived (the playback dispatcher stamps a user's calls with the start
/// of the user's previous delivery), so a user whose player reports a few times a second cannot
/// make the others wait behind its calls. A call gives its slot back while a host function
/// blocks it (``HostCallBridge``) and takes one again afterwards, so the slots count calls that
/// can run, and a call never waits on a call that waits for its slot. At most `capacity` calls
/// are parked so at once; a call that blocks beyond that keeps its slot. Because a returning
/// call goes ahead of every new one, a new call starts only when no started call waits, so a
/// plugin's calls hold at most twice `capacity` threads (nested calls aside).
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
        /// Calls back from a blocked host function, waiting for a slot on their thread.
        var returning: [DispatchSemaphore] = []
        var urgent: [Waiter] = []
        var other: [(waiter: Waiter, queuedSince: ContinuousClock.Instant)] = []
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

    /// Waits for a slot. `urgent` callers go first; the others by `queuedSince` (default: now),
    /// earliest first, then by arrival.
    func acquire(urgent: Bool, queuedSince: ContinuousClock.Instant? = nil) async {
        if take() { return }
        let now = ContinuousClock.now
        let stamp = min(queuedSince ?? now, now)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queued = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    if urgent {
                        state.urgent.append(.task(continuation))
                    } else {
                        state.other.append((.task(continuation), stamp))
                    }
                    return true
                }
                state.available -= 1
                return false
            }
            if !queued { continuation.resume() }
        }
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

    /// Takes a slot again after ``releaseForBlocking()`` gave one back, blocking this (call)
    /// thread until one is free; ahead of every queued call.
    func reacquireAfterBlocking() {
        let semaphore = DispatchSemaphore(value: 0)
        let queued = state.withLock { state -> Bool in
            state.parked -= 1
            guard state.available > 0 else {
                state.returning.append(semaphore)
                return true
            }
            state.available -= 1
            return false
        }
        if queued { semaphore.wait() }
    }

    /// Calls parked in host functions (for tests and status).
    var parkedCount: Int { state.withLock { $0.parked } }

    /// The waiter a freed slot goes to, or nil after counting the slot as available.
    private static func handOver(_ state: inout State) -> Waiter? {
        if !state.returning.isEmpty { return .thread(state.returning.removeFirst()) }
        if !state.urgent.isEmpty { return state.urgent.removeFirst() }
        if !state.other.isEmpty {
            var earliest = 0
            for index in state.other.indices.dropFirst() where state.other[index].queuedSince < state.other[earliest].queuedSince {
                earliest = index
            }
            return state.other.remove(at: earliest).waiter
        }
        state.available += 1
        return nil
    }

    func release() {
        state.withLock { Self.handOver(&$0) }?.resume()
    }
}
