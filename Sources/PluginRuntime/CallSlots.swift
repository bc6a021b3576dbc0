import Foundation
import Synchronization

/// A counting semaphore: ``acquire(_:)`` waits while every slot is taken; a freed slot goes to
/// the longest-waiting urgent caller, else to the queued caller stamped earliest (see
/// ``CallPrecedence``). A call keeps its
/// slot while a host function blocks it, and gives it back once its thread is idle again, so a
/// plugin's calls hold at most `capacity` threads (nested calls, which take no slot, aside).
final class CallSlots: Sendable {
    let capacity: Int
    private typealias Waiter = CheckedContinuation<Void, Never>
    private struct State {
        var available: Int
        var urgent: [Waiter] = []
        var queued: [(waiter: Waiter, since: ContinuousClock.Instant)] = []
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

    /// Waits for a slot: urgent callers first; queued ones by their stamp (default: now),
    /// earliest first, then by arrival.
    func acquire(_ precedence: CallPrecedence) async {
        if take() { return }
        let now = ContinuousClock.now
        var urgent = false
        var stamp = now
        switch precedence {
        case .urgent: urgent = true
        case .queued(let since): stamp = min(since ?? now, now)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waits = state.withLock { state -> Bool in
                guard state.available > 0 else {
                    if urgent {
                        state.urgent.append(continuation)
                    } else {
                        state.queued.append((continuation, stamp))
                    }
                    return true
                }
                state.available -= 1
                return false
            }
            if !waits { continuation.resume() }
        }
    }

    /// The waiter a freed slot goes to, or nil after counting the slot as available.
    private static func handOver(_ state: inout State) -> Waiter? {
        if !state.urgent.isEmpty { return state.urgent.removeFirst() }
        if !state.queued.isEmpty {
            var earliest = 0
            for index in state.queued.indices.dropFirst() where state.queued[index].since < state.queued[earliest].since {
                earliest = index
            }
            return state.queued.remove(at: earliest).waiter
        }
        state.available += 1
        return nil
    }

    func release() {
        state.withLock { Self.handOver(&$0) }?.resume()
    }
}
