import Foundation
import Logging
import Synchronization
import Testing

@testable import PluginRuntime

@Suite(.timeLimit(.minutes(2))) struct CallExecutorQueueTests {
    @Test func urgentWaitersGoFirstThenArrivalOrder() async throws {
        let slots = CallExecutor(capacity: 1, limits: PluginLimits(), logger: Logger(label: "test"))
        await slots.acquire(.queued(since: nil))
        let order = Order()
        func waiter(_ name: String, urgent: Bool) -> Task<Void, Never> {
            Task {
                await slots.acquire(urgent ? .urgent : .queued(since: nil))
                order.names.withLock { $0.append(name) }
                slots.release()
            }
        }
        let first = waiter("event 1", urgent: false)
        try await Task.sleep(for: .milliseconds(50))
        let second = waiter("event 2", urgent: false)
        try await Task.sleep(for: .milliseconds(50))
        let callback = waiter("callback", urgent: true)
        try await Task.sleep(for: .milliseconds(50))
        #expect(order.names.withLock { $0 }.isEmpty)
        slots.release()
        _ = await (first.value, second.value, callback.value)
        #expect(order.names.withLock { $0 } == ["callback", "event 1", "event 2"])
    }

    /// The playback dispatcher stamps a user's calls with the start of the user's previous
    /// delivery: a user who reported long ago goes ahead of one whose calls arrived first.
    @Test func otherWaitersGoByWhenTheyQueuedThenArrivalOrder() async throws {
        let slots = CallExecutor(capacity: 1, limits: PluginLimits(), logger: Logger(label: "test"))
        await slots.acquire(.queued(since: nil))
        let order = Order()
        let now = ContinuousClock.now
        func waiter(_ name: String, queuedSince: ContinuousClock.Instant?) -> Task<Void, Never> {
            Task {
                await slots.acquire(.queued(since: queuedSince))
                order.names.withLock { $0.append(name) }
                slots.release()
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
        slots.release()
        for waiter in waiters { await waiter.value }
        // "unstamped" queued on arrival (after `now`); a stamp in the future counts as its arrival.
        #expect(order.names.withLock { $0 } == ["rare", "frequent 1", "frequent 2", "unstamped", "future"])
    }
}

private final class Order: Sendable {
    let names = Mutex<[String]>([])
}
