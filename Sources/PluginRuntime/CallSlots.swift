import Foundation
import Synchronization

/// A counting semaphore: ``acquire(urgent:queuedSince:limit:)`` waits while every slot is taken; a
/// freed slot goes to the longest-waiting urgent caller, else to the other caller queued
/// earliest. An other caller may say it queued before it arrived (the playback dispatcher stamps
/// a user's calls with the start of the user's previous delivery), so a user whose player
/// reports a few times a second cannot make the others wait behind its calls. A call keeps its
/// slot while a host function blocks it, and gives it back once its thread is idle again, so a
/// plugin's calls hold at most `capacity` threads (nested calls, which take no slot, aside).
/// Each acquire and release names the plugin's limit at that moment (fewer slots while its calls
/// run in the background, see ``CallPriority``): a call starts only while fewer than that many
/// run.
final class CallSlots: Sendable {
    let capacity: Int
    private typealias Waiter = CheckedContinuation<Void, Never>
    private struct State {
        var inUse = 0
        var urgent: [Waiter] = []
        var other: [(waiter: Waiter, queuedSince: ContinuousClock.Instant)] = []
    }
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Waits for a slot while `limit` (at most `capacity`) or more calls run. `urgent` callers
    /// go first; the others by `queuedSince` (default: now), earliest first, then by arrival.
    func acquire(urgent: Bool, queuedSince: ContinuousClock.Instant? = nil, limit: Int) async {
        let limit = min(limit, capacity)
        let taken = state.withLock { state -> Bool in
            guard state.inUse < limit else { return false }
            state.inUse += 1
            return true
        }
        if taken { return }
        let now = ContinuousClock.now
        let stamp = min(queuedSince ?? now, now)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queued = state.withLock { state -> Bool in
                guard state.inUse < limit else {
                    if urgent {
                        state.urgent.append(continuation)
                    } else {
                        state.other.append((continuation, stamp))
                    }
                    return true
                }
                state.inUse += 1
                return false
            }
            if !queued { continuation.resume() }
        }
    }

    /// Frees a slot and starts queued calls while fewer than `limit` run.
    func release(limit: Int) {
        let limit = min(limit, capacity)
        let next = state.withLock { state -> [Waiter] in
            state.inUse -= 1
            var next: [Waiter] = []
            while state.inUse < limit, let waiter = Self.nextWaiter(&state) {
                state.inUse += 1
                next.append(waiter)
            }
            return next
        }
        for waiter in next { waiter.resume() }
    }

    /// The queued call that goes next, removed from the queue.
    private static func nextWaiter(_ state: inout State) -> Waiter? {
        if !state.urgent.isEmpty { return state.urgent.removeFirst() }
        guard !state.other.isEmpty else { return nil }
        var earliest = 0
        for index in state.other.indices.dropFirst() where state.other[index].queuedSince < state.other[earliest].queuedSince {
            earliest = index
        }
        return state.other.remove(at: earliest).waiter
    }
}
