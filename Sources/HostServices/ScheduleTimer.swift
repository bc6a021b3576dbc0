import Foundation

/// Runs actions after a delay, from one thread, for the one-time schedules of every plugin. A
/// pending action is an entry in a heap ordered by due time, not a sleeping task: adding one
/// wakes the thread only when it is due before all the others, cancelling one wakes nothing,
/// and the thread wakes for due actions only (a task per schedule cost several thread wake-ups
/// to add and as many to cancel, and the Discord plugin adds and cancels four per playback event).
final class ScheduleTimer: @unchecked Sendable {
    /// Names a pending action, for ``cancel(_:)``.
    struct Token: Sendable {
        fileprivate let serial: UInt64
    }

    /// The longest the thread sleeps without being woken: due times are on the continuous
    /// clock, the wait on the wall clock, so a wall clock set back delays an action at most this.
    private static let longestWait: Duration = .seconds(60)

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    /// Due time and serial of every pending action, and of cancelled ones not yet dropped.
    private var heap: [(due: ContinuousClock.Instant, serial: UInt64)] = []
    /// The pending actions by serial.
    private var actions: [UInt64: @Sendable () -> Void] = [:]
    private var lastSerial: UInt64 = 0
    private var started = false
    /// When the thread wakes by itself; nil while it waits for an action to be added (or ends).
    private var wakesAt: ContinuousClock.Instant?

    /// Runs `action` on the timer's thread once `delay` has passed (at once when it is not
    /// positive). An action should hand its work elsewhere: the next waits until it returns.
    func add(after delay: Duration, _ action: @escaping @Sendable () -> Void) -> Token {
        let due = ContinuousClock.now + max(delay, .zero)
        condition.lock()
        defer { condition.unlock() }
        lastSerial += 1
        actions[lastSerial] = action
        push((due, lastSerial))
        if !started {
            started = true
            let thread = Thread { [self] in run() }
            thread.stackSize = 1 << 20
            thread.start()
        } else if wakesAt.map({ due < $0 }) ?? true {
            condition.signal()
        }
        // Cancelled entries stay in the heap until they reach its top: drop them all once
        // they outnumber the pending ones.
        if heap.count > 2 * actions.count + 1024 {
            heap = heap.filter { actions[$0.serial] != nil }.sorted { Self.precedes($0, $1) }
        }
        return Token(serial: lastSerial)
    }

    /// Cancels the action of `token`; false when it already ran or was cancelled.
    @discardableResult
    func cancel(_ token: Token) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return actions.removeValue(forKey: token.serial) != nil
    }

    /// How many actions are pending.
    var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return actions.count
    }

    private func run() {
        condition.lock()
        while true {
            while let top = heap.first, actions[top.serial] == nil { pop() }
            guard let top = heap.first else {
                wakesAt = nil
                // A minute without actions ends the thread; the next ``add(after:_:)`` starts one.
                if !condition.wait(until: Date(timeIntervalSinceNow: 60)) && heap.isEmpty {
                    started = false
                    condition.unlock()
                    return
                }
                continue
            }
            let now = ContinuousClock.now
            if top.due > now {
                wakesAt = top.due
                let wait = min(top.due - now, Self.longestWait)
                let (seconds, attoseconds) = wait.components
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18))
                continue
            }
            pop()
            guard let action = actions.removeValue(forKey: top.serial) else { continue }
            condition.unlock()
            action()
            condition.lock()
        }
    }

    // MARK: Heap (earliest due first, then the earliest added)

    private static func precedes(
        _ a: (due: ContinuousClock.Instant, serial: UInt64), _ b: (due: ContinuousClock.Instant, serial: UInt64)
    ) -> Bool {
        a.due < b.due || (a.due == b.due && a.serial < b.serial)
    }

    private func push(_ entry: (due: ContinuousClock.Instant, serial: UInt64)) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let child = right < heap.count && Self.precedes(heap[right], heap[left]) ? right : left
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            parent = child
        }
    }
}
