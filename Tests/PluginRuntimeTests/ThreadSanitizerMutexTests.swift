import Foundation
import Testing
import ThreadSanitizerLocks

/// The lock `scripts/sanitize thread` puts in place of `Synchronization.Mutex`: it must guard
/// and hand back values as that one does.
@Suite(.timeLimit(.minutes(1))) struct ThreadSanitizerMutexTests {
    struct Refused: Error, Equatable {}

    @Test func guardsConcurrentUpdates() {
        let counts = ThreadSanitizerMutex([Int: Int]())
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<1_000 { counts.withLock { $0[index % 10, default: 0] += thread } }
        }
        #expect(counts.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, 100 * 28) }))
    }

    @Test func returnsAndThrowsWhatTheBodyDoes() {
        let value = ThreadSanitizerMutex(1)
        #expect(value.withLock { value -> String in
            value += 1
            return "now \(value)"
        } == "now 2")
        #expect(throws: Refused()) { try value.withLock { _ throws(Refused) in throw Refused() } }
        #expect(value.withLock { $0 } == 2)
    }
}
