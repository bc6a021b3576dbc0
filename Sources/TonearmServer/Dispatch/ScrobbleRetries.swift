import Feeds
import Foundation
import Logging
import PluginRuntime
import Synchronization

/// Delivers scrobbles to `nd_scrobbler_scrobble`, in order per plugin and user, retrying with
/// back-off only when the plugin answers `scrobbler(retry_later)` — as Navidrome's buffered
/// scrobbler does. Other errors (including `not_authorized`) drop the scrobble with a log line.
final class ScrobbleRetries: Sendable {
    /// Waits between attempts after `retry_later`.
    struct Backoff: Sendable {
        var first: Duration
        var maximum: Duration

        /// Navidrome's: 5 s, doubling, capped at 240 s.
        static let navidrome = Backoff(first: .seconds(5), maximum: .seconds(240))

        func delay(afterFailures failures: Int) -> Duration {
            var delay = first
            for _ in 1..<max(1, failures) where delay < maximum { delay = delay * 2 }
            return min(delay, maximum)
        }
    }

    private struct Key: Hashable, Sendable {
        let plugin: String
        let username: String
    }

    private let host: any ScrobblerPluginHost
    private let logger: Logger
    private let backoff: Backoff
    /// Scrobbles waiting behind a `retry_later`, with the task draining them.
    private let pending = Mutex<[Key: (queue: [PlaybackEvent], task: Task<Void, Never>)]>([:])

    init(host: any ScrobblerPluginHost, logger: Logger, backoff: Backoff) {
        self.host = host
        self.logger = logger
        self.backoff = backoff
    }

    /// Sends one scrobble now, or queues it behind earlier ones still waiting to be retried.
    func scrobble(_ event: PlaybackEvent, plugin: String) async {
        let key = Key(plugin: plugin, username: event.username.lowercased())
        let queued = pending.withLock { pending in
            guard pending[key] != nil else { return false }
            pending[key]!.queue.append(event)
            return true
        }
        guard !queued else { return }
        if await attempt(event, plugin: plugin) == .retryLater {
            startRetrying(key, first: event)
        }
    }

    /// Cancels every retry (at shutdown).
    func cancelAll() {
        let tasks = pending.withLock { pending in
            let tasks = pending.values.map(\.task)
            pending.removeAll()
            return tasks
        }
        let dropped = tasks.count
        tasks.forEach { $0.cancel() }
        if dropped > 0 { logger.warning("scrobbles still waiting for a retry were dropped", metadata: ["queues": "\(dropped)"]) }
    }

    private enum Outcome { case done, retryLater }

    private func attempt(_ event: PlaybackEvent, plugin: String) async -> Outcome {
        let payload = ScrobblerPayloads.Scrobble(
            username: event.username, track: .init(event.track), timestamp: Int64(event.timestamp.timeIntervalSince1970))
        do {
            _ = try await host.call(plugin: plugin, export: "nd_scrobbler_scrobble", input: ScrobblerPayloads.encode(payload))
            return .done
        } catch {
            if let message = error.pluginMessage, message.contains("scrobbler(retry_later)") {
                logger.info("scrobble will be retried", metadata: ["plugin": "\(plugin)", "user": "\(event.username)"])
                return .retryLater
            }
            logger.warning("scrobble dropped", metadata: ["plugin": "\(plugin)", "user": "\(event.username)", "error": "\(error)"])
            return .done
        }
    }

    private func startRetrying(_ key: Key, first: PlaybackEvent) {
        pending.withLock { pending in
            let task = Task { [self] in await drain(key) }
            pending[key] = (queue: [first], task: task)
        }
    }

    private func drain(_ key: Key) async {
        var failures = 1
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: backoff.delay(afterFailures: failures))) != nil else { return }
            while let next = pending.withLock({ $0[key]?.queue.first }) {
                if await attempt(next, plugin: key.plugin) == .retryLater {
                    failures += 1
                    break
                }
                failures = 1
                let empty = pending.withLock { pending -> Bool in
                    pending[key]?.queue.removeFirst()
                    if pending[key]?.queue.isEmpty == true {
                        pending.removeValue(forKey: key)
                        return true
                    }
                    return false
                }
                if empty { return }
            }
        }
    }
}
