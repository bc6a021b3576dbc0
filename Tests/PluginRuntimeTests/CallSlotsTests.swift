import Foundation
import Synchronization
import Testing

@testable import PluginRuntime

@Suite(.timeLimit(.minutes(2))) struct CallSlotsTests {
    @Test func urgentWaitersGoFirstThenArrivalOrder() async throws {
        let slots = CallSlots(capacity: 1)
        await slots.acquire(urgent: false, limit: 1)
        let order = Order()
        func waiter(_ name: String, urgent: Bool) -> Task<Void, Never> {
            Task {
                await slots.acquire(urgent: urgent, limit: 1)
                order.names.withLock { $0.append(name) }
                slots.release(limit: 1)
            }
        }
        let first = waiter("event 1", urgent: false)
        try await Task.sleep(for: .milliseconds(50))
        let second = waiter("event 2", urgent: false)
        try await Task.sleep(for: .milliseconds(50))
        let callback = waiter("callback", urgent: true)
        try await Task.sleep(for: .milliseconds(50))
        #expect(order.names.withLock { $0 }.isEmpty)
        slots.release(limit: 1)
        _ = await (first.value, second.value, callback.value)
        #expect(order.names.withLock { $0 } == ["callback", "event 1", "event 2"])
    }

    /// The playback dispatcher stamps a user's calls with the start of the user's previous
    /// delivery: a user who reported long ago goes ahead of one whose calls arrived first.
    @Test func otherWaitersGoByWhenTheyQueuedThenArrivalOrder() async throws {
        let slots = CallSlots(capacity: 1)
        await slots.acquire(urgent: false, limit: 1)
        let order = Order()
        let now = ContinuousClock.now
        func waiter(_ name: String, queuedSince: ContinuousClock.Instant?) -> Task<Void, Never> {
            Task {
                await slots.acquire(urgent: false, queuedSince: queuedSince, limit: 1)
                order.names.withLock { $0.append(name) }
                slots.release(limit: 1)
            }
        }
        var waiters: [Task<Void, Never>] = []
        for (name, queuedSince) in [
            ("frequent 1", now), ("unstamped", nil), ("frequent 2", now), ("rare", now - .seconds(5)),
            ("future", now + .seconds(60)),
        ] as [(String, ContinuousClock.Instant?)] {
            waiters.append(waiter(name, queuedSince: queuedSince))
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(order.names.withLock { $0 }.isEmpty)
        slots.release(limit: 1)
        for waiter in waiters { await waiter.value }
        // "unstamped" queued on arrival (after `now`); a stamp in the future counts as its arrival.
        #expect(order.names.withLock { $0 } == ["rare", "frequent 1", "frequent 2", "unstamped", "future"])
    }

    /// A plugin in the background runs fewer calls at once; when it comes back, queued calls
    /// start up to the full count.
    @Test func callsStartOnlyBelowTheLimitOfTheMoment() async throws {
        let slots = CallSlots(capacity: 3)
        await slots.acquire(urgent: false, limit: 3)
        await slots.acquire(urgent: false, limit: 3)
        let started = Order()
        var waiters: [Task<Void, Never>] = []
        for name in ["a", "b", "c"] {
            waiters.append(Task {
                await slots.acquire(urgent: false, limit: 1)
                started.names.withLock { $0.append(name) }
            })
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(started.names.withLock { $0 }.isEmpty, "two calls run, the limit is one")
        slots.release(limit: 1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(started.names.withLock { $0 }.isEmpty, "one call runs, the limit is one")
        slots.release(limit: 3)
        try await Task.sleep(for: .milliseconds(50))
        #expect(started.names.withLock { $0 } == ["a", "b", "c"], "the limit rose to three")
        for waiter in waiters { await waiter.value }
    }
}

private final class Order: Sendable {
    let names = Mutex<[String]>([])
}
