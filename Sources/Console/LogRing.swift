import Foundation
import Logging
import Synchronization

/// The last log lines in memory, for the console's log page: a ring of at most `capacity`
/// entries, each numbered so that a follower asks only for what is newer. Holds what the log
/// file holds, nothing more (Tonearm never logs secrets).
package final class LogRing: Sendable {
    /// One log line.
    package struct Entry: Sendable, Equatable, Codable {
        /// 1, 2, 3… in the order logged.
        package let sequence: Int
        package let date: Date
        package let level: String
        /// The plugin the line is about (its `plugin` metadata), if any.
        package let plugin: String?
        package let message: String
        /// Other metadata as `key=value`, sorted by key.
        package let metadata: String
    }

    package let capacity: Int
    private struct State {
        var entries: [Entry] = []
        var start = 0
        var nextSequence = 1
    }
    private let state = Mutex(State())

    package init(capacity: Int = 5000) {
        self.capacity = max(1, capacity)
    }

    package func append(date: Date = Date(), level: Logger.Level, message: String, metadata: Logger.Metadata) {
        let plugin = metadata["plugin"].map { "\($0)" }
        let rest = metadata.filter { $0.key != "plugin" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        state.withLock { state in
            let entry = Entry(
                sequence: state.nextSequence, date: date, level: level.rawValue, plugin: plugin, message: message,
                metadata: rest.joined(separator: " "))
            state.nextSequence += 1
            if state.entries.count < capacity {
                state.entries.append(entry)
            } else {
                state.entries[state.start] = entry
                state.start = (state.start + 1) % capacity
            }
        }
    }

    /// Entries newer than `sequence`, oldest first, at least as severe as `level`, of `plugin`
    /// when given; at most the `limit` newest of them.
    package func entries(after sequence: Int = 0, level: Logger.Level = .trace, plugin: String? = nil, limit: Int = 5000) -> [Entry] {
        let all = state.withLock { state in Array(state.entries[state.start...] + state.entries[..<state.start]) }
        let matching = all.filter { entry in
            entry.sequence > sequence && (Logger.Level(rawValue: entry.level) ?? .trace) >= level
                && (plugin == nil || entry.plugin == plugin)
        }
        return Array(matching.suffix(max(0, limit)))
    }
}

/// A log handler that keeps lines in a ``LogRing`` (next to the standard error handler, through
/// swift-log's `MultiplexLogHandler`).
package struct LogRingHandler: LogHandler {
    package let ring: LogRing
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]

    package init(ring: LogRing, logLevel: Logger.Level) {
        self.ring = ring
        self.logLevel = logLevel
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        ring.append(level: event.level, message: "\(event.message)", metadata: merged)
    }
}
