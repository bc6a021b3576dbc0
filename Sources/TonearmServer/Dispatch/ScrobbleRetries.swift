import Feeds
import Foundation
import Logging
import NavidromeABI
import PluginRuntime
import Synchronization

/// Delivers scrobbles to `nd_scrobbler_scrobble`, in order per plugin and user, retrying with
/// back-off only when the plugin answers `scrobbler(retry_later)` — as Navidrome's buffered
/// scrobbler does. Other errors (including `not_authorized`) drop the scrobble with a log line.
///
/// Every scrobble is written to the ``ScrobbleRetryStore`` journal when it is accepted (see
/// ``prepare(_:plugins:)`` and ``journal(_:)``) and marked finished once delivered or dropped,
/// so a restart — or a crash — loses none: what the journal still holds is retried at the next
/// start, after the plugin confirms with `nd_scrobbler_is_authorized`.
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

    /// A scrobble in a retry queue.
    private struct Waiting: Sendable {
        var scrobble: PendingScrobble
        /// Whether the plugin confirmed (`nd_scrobbler_is_authorized`) that it acts for the user.
        var authorized: Bool
    }

    private struct Queue: Sendable {
        var waiting: [Waiting]
        var task: Task<Void, Never>?
    }

    private struct State: Sendable {
        var queues: [Key: Queue] = [:]
        var nextID: UInt64 = 1
    }

    private let host: any ScrobblerPluginHost
    private let logger: Logger
    private let backoff: Backoff
    private let store: ScrobbleRetryStore?
    private let state = Mutex(State())

    /// Opens `store` and starts retrying what it kept from an earlier run.
    init(host: any ScrobblerPluginHost, logger: Logger, backoff: Backoff, store: ScrobbleRetryStore?) {
        self.host = host
        self.logger = logger
        self.backoff = backoff
        self.store = store
        let kept = store?.open(logger: logger) ?? ScrobbleRetryStore.Contents()
        state.withLock { $0.nextID = kept.largestID + 1 }
        guard !kept.pending.isEmpty else { return }
        logger.info("retrying scrobbles kept from the last run", metadata: ["count": "\(kept.pending.count)"])
        state.withLock { state in
            for scrobble in kept.pending {
                state.queues[Key(scrobble), default: Queue(waiting: [], task: nil)].waiting
                    .append(Waiting(scrobble: scrobble, authorized: false))
            }
            for key in state.queues.keys {
                state.queues[key]!.task = Task { [self] in await drain(key) }
            }
        }
    }

    /// The scrobbles of `event`, one for each of `plugins`, numbered; nothing is written yet.
    func prepare(_ event: PlaybackEvent, plugins: [String]) -> [PendingScrobble] {
        guard !plugins.isEmpty else { return [] }
        let payload = ScrobbleRequest(
            username: event.username, track: TrackInfo(event.track), timestamp: OutsideNumbers.unixSeconds(event.timestamp))
        let input = String(decoding: payload.goJSONBytes(), as: UTF8.self)
        let first = state.withLock { state in
            defer { state.nextID += UInt64(plugins.count) }
            return state.nextID
        }
        return plugins.enumerated().map { index, plugin in
            PendingScrobble(id: first + UInt64(index), plugin: plugin, username: event.username, input: input)
        }
    }

    /// Writes `scrobbles` to the journal and fsyncs it (one write for all): once this returns,
    /// they survive a crash. Without a store there is nothing to write.
    func journal(_ scrobbles: [PendingScrobble]) throws(DurableFile.Failure) {
        try store?.append(scrobbles)
    }

    /// Sends one journaled scrobble now (after `nd_scrobbler_is_authorized`), or queues it
    /// behind earlier ones still waiting to be retried.
    func deliver(_ scrobble: PendingScrobble) async {
        let key = Key(scrobble)
        var waiting = Waiting(scrobble: scrobble, authorized: false)
        let queued = state.withLock { state in
            guard state.queues[key] != nil else { return false }
            state.queues[key]!.waiting.append(waiting)
            return true
        }
        guard !queued else { return }
        switch await attempt(&waiting) {
        case .done:
            finish(scrobble)
        case .retryLater:
            state.withLock { state in
                let task = Task { [self] in await drain(key) }
                state.queues[key] = Queue(waiting: [waiting], task: task)
            }
        }
    }

    /// Stops retrying (at shutdown). What is still waiting stays in the journal for the next start.
    func cancelAll() {
        let (tasks, waiting) = state.withLock { state in
            let tasks = state.queues.values.compactMap(\.task)
            let waiting = state.queues.values.reduce(0) { $0 + $1.waiting.count }
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

    private func attempt(_ waiting: inout Waiting) async -> Outcome {
        let scrobble = waiting.scrobble
        let metadata: Logger.Metadata = ["plugin": "\(scrobble.plugin)", "user": "\(scrobble.username)"]
        if !waiting.authorized {
            switch await ScrobblerAuthorization.check(
                plugin: scrobble.plugin, username: scrobble.username, host: host, logger: logger)
            {
            case .authorized: waiting.authorized = true
            case .refused: return .done
            case .unavailable:
                logger.info("scrobble waits for its plugin to load", metadata: metadata)
                return .retryLater
            }
        }
        do {
            _ = try await host.call(
                plugin: scrobble.plugin, export: ScrobblerCapability.scrobble, input: Array(scrobble.input.utf8), queuedSince: nil)
            return .done
        } catch {
            if let message = error.pluginMessage, message.contains("scrobbler(retry_later)") {
                logger.info("scrobble will be retried", metadata: metadata)
                return .retryLater
            }
            if error.reason == .pluginNotLoaded || error.reason == .pluginUnloaded {
                // The plugin is being reloaded: wait for it.
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
            while var next = state.withLock({ $0.queues[key]?.waiting.first }) {
                guard !Task.isCancelled else { return }
                if await attempt(&next) == .retryLater {
                    let authorized = next.authorized
                    state.withLock { state in
                        if state.queues[key]?.waiting.isEmpty == false { state.queues[key]!.waiting[0].authorized = authorized }
                    }
                    failures += 1
                    break
                }
                failures = 1
                finish(next.scrobble)
                let empty = state.withLock { state -> Bool in
                    guard state.queues[key] != nil else { return true }
                    state.queues[key]!.waiting.removeFirst()
                    let empty = state.queues[key]!.waiting.isEmpty
                    if empty { state.queues.removeValue(forKey: key) }
                    return empty
                }
                if empty { return }
            }
        }
    }

    /// Marks `scrobble` finished in the journal.
    private func finish(_ scrobble: PendingScrobble) {
        guard let store else { return }
        do {
            try store.finish([scrobble.id])
        } catch {
            // It stays in the journal: it will be sent again after a restart.
            logger.error("could not record a delivered scrobble in the journal",
                         metadata: ["file": "\(store.file.path)", "error": "\(error)"])
        }
    }
}
