import Feeds
import Foundation
import Synchronization

/// Collects events from a feed and waits for the ones a test expects.
final class EventRecorder: Sendable {
    private let storage = Mutex<[PlaybackEvent]>([])

    var events: [PlaybackEvent] { storage.withLock { $0 } }

    func record(_ event: PlaybackEvent) {
        storage.withLock { $0.append(event) }
    }

    /// Waits until an event matching `predicate` arrives (generous default for a loaded
    /// machine) and returns it; nil on timeout.
    func first(
        timeout: Duration = .seconds(60), where predicate: @Sendable (PlaybackEvent) -> Bool
    ) async -> PlaybackEvent? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let match = events.first(where: predicate) { return match }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return events.first(where: predicate)
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(60), _ condition: @Sendable () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
