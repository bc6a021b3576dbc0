import Foundation
import Synchronization
import Testing

@testable import HostServices

@Suite(.timeLimit(.minutes(1))) struct ScheduleTimerTests {
    /// Records the order actions ran in.
    final class Record: Sendable {
        let ran = Mutex<[Int]>([])
        func add(_ value: Int) { ran.withLock { $0.append(value) } }
        var values: [Int] { ran.withLock { $0 } }

        func waitFor(count: Int) async throws {
            while values.count < count { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func actionsRunInDueOrderAndCancelledOnesNever() async throws {
        let timer = ScheduleTimer()
        let record = Record()
        _ = timer.add(after: .milliseconds(300)) { record.add(3) }
        let cancelled = timer.add(after: .milliseconds(100)) { record.add(0) }
        _ = timer.add(after: .milliseconds(200)) { record.add(2) }
        // Added last, due first: it wakes the thread waiting for a later action.
        _ = timer.add(after: .milliseconds(50)) { record.add(1) }
        #expect(timer.cancel(cancelled))
        #expect(!timer.cancel(cancelled))
        let start = ContinuousClock.now
        try await record.waitFor(count: 3)
        #expect(record.values == [1, 2, 3])
        #expect(ContinuousClock.now - start >= .milliseconds(250))
        #expect(timer.pendingCount == 0)
    }

    @Test func actionsDueAtOnceRunInTheOrderAdded() async throws {
        let timer = ScheduleTimer()
        let record = Record()
        for value in 0..<50 { _ = timer.add(after: value % 2 == 0 ? .zero : .seconds(-1)) { record.add(value) } }
        try await record.waitFor(count: 50)
        #expect(record.values.sorted() == Array(0..<50))
    }

    /// Cancelled entries stay in the heap until dropped; thousands of them (a lock schedule per
    /// event) neither delay nor lose a pending action.
    @Test func manyCancelledActionsLeaveThePendingOnes() async throws {
        let timer = ScheduleTimer()
        let record = Record()
        _ = timer.add(after: .milliseconds(200)) { record.add(1) }
        for _ in 0..<5_000 {
            let token = timer.add(after: .seconds(60)) { record.add(-1) }
            timer.cancel(token)
        }
        _ = timer.add(after: .milliseconds(100)) { record.add(0) }
        #expect(timer.pendingCount == 2)
        try await record.waitFor(count: 2)
        #expect(record.values == [0, 1])
    }
}
