import Foundation
import Synchronization

/// A counting semaphore: ``acquire(urgent:queuedSince:)`` waits while every slot is taken; a
/// freed slot goes to the longest-waiting urgent caller, else to the other caller queued
/// earliest. An other caller may say it queued before it arrived (the playback dispatcher stamps
/// a user's calls with the start of the user's previous delivery), so a user whose player
/// reports a few times a second cannot make the others wait behind its calls. A call keeps its
/// slot while a host function blocks it, and gives it back once its thread is idle again, so a
/// plugin's calls hold at most `capacity` threads (nested calls, which take no slot, aside).
final class CallSlots: Sendable {
    let capacity: Int
    private typealias Waiter = CheckedContinuation<Void, Never>
    private struct State {
        var available: Int
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
                        state.urgent.append(continuation)
                    } else {
                        state.other.append((continuation, stamp))
                    }
                    return true
                }
                state.available -= 1
                return false
            }
            if !queued { continuation.resume() }
        }
    }

    /// The waiter a freed slot goes to, or nil after counting the slot as available.
    private static func handOver(_ state: inout State) -> Waiter? {
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
