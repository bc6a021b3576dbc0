import Feeds
import Foundation
import Logging
import PluginRuntime
import Synchronization

/// Delivers scrobbles to `nd_scrobbler_scrobble`, in order per plugin and user, retrying with
/// back-off only when the plugin answers `scrobbler(retry_later)` — as Navidrome's buffered
/// scrobbler does. Other errors (including `not_authorized`) drop the scrobble with a log line.
/// Scrobbles waiting for a retry are kept in a ``ScrobbleRetryStore`` and retried after a
/// restart.
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

        init(_ scrobble: PendingScrobble) {
            plugin = scrobble.plugin
            username = scrobble.username.lowercased()
        }
    }

    private struct Queue: Sendable {
        var scrobbles: [PendingScrobble]
        var task: Task<Void, Never>?
        /// Order of arrival, so the store lists queues as they came.
        let order: Int
    }

    private struct State: Sendable {
        var queues: [Key: Queue] = [:]
        var nextOrder = 0
    }

    private let host: any ScrobblerPluginHost
    private let logger: Logger
    private let backoff: Backoff
    private let store: ScrobbleRetryStore?
    private let state = Mutex(State())

    /// Starts retrying what `store` kept from an earlier run.
    init(host: any ScrobblerPluginHost, logger: Logger, backoff: Backoff, store: ScrobbleRetryStore?) {
        self.host = host
        self.logger = logger
        self.backoff = backoff
        self.store = store
        let kept = store?.load(logger: logger) ?? []
        guard !kept.isEmpty else { return }
        logger.info("retrying scrobbles kept from the last run", metadata: ["count": "\(kept.count)"])
        state.withLock { state in
            for scrobble in kept {
                let key = Key(scrobble)
                if state.queues[key] == nil {
                    state.queues[key] = Queue(scrobbles: [], task: nil, order: state.nextOrder)
                    state.nextOrder += 1
                }
                state.queues[key]!.scrobbles.append(scrobble)
            }
            for key in state.queues.keys {
                state.queues[key]!.task = Task { [self] in await drain(key) }
            }
        }
    }

    /// Sends one scrobble now, or queues it behind earlier ones still waiting to be retried.
    func scrobble(_ event: PlaybackEvent, plugin: String) async {
        let payload = ScrobblerPayloads.Scrobble(
            username: event.username, track: .init(event.track), timestamp: Int64(event.timestamp.timeIntervalSince1970))
        let scrobble = PendingScrobble(
            plugin: plugin, username: event.username,
            input: String(decoding: ScrobblerPayloads.encode(payload), as: UTF8.self))
        let key = Key(scrobble)
        let queued = state.withLock { state in
            guard state.queues[key] != nil else { return false }
            state.queues[key]!.scrobbles.append(scrobble)
            persist(state)
            return true
        }
        guard !queued else { return }
        if await attempt(scrobble) == .retryLater {
            state.withLock { state in
                let task = Task { [self] in await drain(key) }
                state.queues[key] = Queue(scrobbles: [scrobble], task: task, order: state.nextOrder)
                state.nextOrder += 1
                persist(state)
            }
        }
    }

    /// Stops retrying (at shutdown). What is still waiting stays in the store for the next start.
    func cancelAll() {
        let (tasks, waiting) = state.withLock { state in
            let tasks = state.queues.values.compactMap(\.task)
            let waiting = state.queues.values.reduce(0) { $0 + $1.scrobbles.count }
            state.queues.removeAll()
            return (tasks, waiting)
        }
        tasks.forEach { $0.cancel() }
        guard waiting > 0 else { return }
        if let store {
            logger.info("scrobbles waiting for a retry are kept for the next start",
                        metadata: ["count": "\(waiting)", "file": "\(store.file.path)"])
        } else {
            logger.warning("scrobbles still waiting for a retry were dropped", metadata: ["count": "\(waiting)"])
        }
    }

    private enum Outcome { case done, retryLater }

    private func attempt(_ scrobble: PendingScrobble) async -> Outcome {
        do {
            _ = try await host.call(plugin: scrobble.plugin, export: "nd_scrobbler_scrobble", input: Array(scrobble.input.utf8))
            return .done
        } catch {
            let metadata: Logger.Metadata = ["plugin": "\(scrobble.plugin)", "user": "\(scrobble.username)"]
            if let message = error.pluginMessage, message.contains("scrobbler(retry_later)") {
                logger.info("scrobble will be retried", metadata: metadata)
                return .retryLater
            }
            if error.reason == .pluginNotLoaded || error.reason == .pluginUnloaded {
                // Kept from an earlier run, or the plugin is being reloaded: wait for it.
                logger.info("scrobble waits for its plugin to load", metadata: metadata)
                return .retryLater
            }
            logger.warning("scrobble dropped", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return .done
        }
    }

    private func drain(_ key: Key) async {
        var failures = 1
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: backoff.delay(afterFailures: failures))) != nil else { return }
            while let next = state.withLock({ $0.queues[key]?.scrobbles.first }) {
                guard !Task.isCancelled else { return }
                if await attempt(next) == .retryLater {
                    failures += 1
                    break
                }
                failures = 1
                let empty = state.withLock { state -> Bool in
                    guard state.queues[key] != nil else { return true }
                    state.queues[key]!.scrobbles.removeFirst()
                    let empty = state.queues[key]!.scrobbles.isEmpty
                    if empty { state.queues.removeValue(forKey: key) }
                    persist(state)
                    return empty
                }
                if empty { return }
            }
        }
    }

    /// Writes every waiting scrobble to the store (under the state lock, so writes keep order).
    private func persist(_ state: State) {
        guard let store else { return }
        let all = state.queues.values.sorted { $0.order < $1.order }.flatMap(\.scrobbles)
        do {
            try store.save(all)
        } catch {
            logger.error("could not save the scrobbles waiting for a retry",
                         metadata: ["file": "\(store.file.path)", "error": "\(error)"])
        }
    }
}
