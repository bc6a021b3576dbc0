import Foundation
import Logging
import Synchronization

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A scrobble on its way to one plugin: accepted and not delivered yet, or waiting for a retry
/// after `scrobbler(retry_later)`.
struct PendingScrobble: Codable, Sendable, Equatable {
    /// The journal's id (increasing in order of acceptance).
    let id: UInt64
    let plugin: String
    let username: String
    /// The `nd_scrobbler_scrobble` input, exactly as first sent.
    let input: String
}

/// The journal of scrobbles not delivered yet, `scrobble-retries.jsonl` in the data folder, so
/// that neither a restart nor a crash loses an accepted scrobble (Navidrome keeps its
/// equivalent in its database).
///
/// One JSON record per line, appended and fsync'd before the call returns:
/// `{"add":{"id":…,"plugin":…,"username":…,"input":…}}` when a scrobble is accepted,
/// `{"done":<id>}` once it was delivered or dropped. Appending costs one line, never a rewrite.
/// ``open(logger:)`` replays the journal and compacts it (rewrites it with the live records,
/// durably: temporary file fsync'd, renamed into place, folder fsync'd); while running, it is
/// compacted again when finished records pile up, and emptied when nothing is pending.
///
/// A last line cut short by a crash is ignored with a log line. A file with any other
/// unreadable line is kept aside (never deleted) before it is compacted, with a log line naming
/// both files. `scrobble-retries.json` (a JSON array, the format before the journal) is imported
/// once and removed.
final class ScrobbleRetryStore: Sendable {
    /// The journal, `scrobble-retries.jsonl`.
    let file: URL
    /// The retry file of earlier versions, `scrobble-retries.json`.
    let legacyFile: URL
    /// Compact when the journal holds more than this many lines, most of them finished.
    let compactionThreshold: Int

    private struct State {
        var descriptor: Int32 = -1
        var live: [UInt64: PendingScrobble] = [:]
        /// Lines in the journal file.
        var lines = 0
    }

    private let state = Mutex(State())

    init(dataFolder: String, compactionThreshold: Int = 1024) {
        let folder = URL(fileURLWithPath: dataFolder)
        file = folder.appendingPathComponent("scrobble-retries.jsonl")
        legacyFile = folder.appendingPathComponent("scrobble-retries.json")
        self.compactionThreshold = compactionThreshold
    }

    deinit {
        let descriptor = state.withLock { $0.descriptor }
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// One line of the journal.
    private struct Record: Codable {
        var add: PendingScrobble?
        var done: UInt64?
    }

    /// What a replay of the journal found.
    struct Contents {
        /// Live scrobbles, oldest first.
        var pending: [PendingScrobble] = []
        /// The largest id in the journal (0 when empty); new ids must be above it.
        var largestID: UInt64 = 0
        /// Lines that could not be read, other than a torn last one.
        var unreadableLines = 0
        var tornLastLine = false
    }

    /// Replays the journal without changing anything (for looking, e.g. in tests).
    func read() -> Contents {
        guard let data = try? Data(contentsOf: file) else { return Contents() }
        return Self.replay(data)
    }

    /// Replays the journal (importing the legacy file), compacts it durably and opens it for
    /// appending. Returns what is pending, oldest first, and the largest id used.
    func open(logger: Logger) -> Contents {
        var contents = read()
        let metadata: Logger.Metadata = ["file": "\(file.path)"]
        if contents.tornLastLine {
            logger.warning(
                "ignored the last scrobble journal record: it was cut short (the daemon stopped while writing it)",
                metadata: metadata)
        }
        if contents.unreadableLines > 0 {
            let aside = keepAside(file)
            logger.error(
                "\(contents.unreadableLines) scrobble journal line(s) could not be read; the file was kept aside",
                metadata: metadata.merging(["keptAs": "\(aside?.path ?? "(could not move it)")"]) { $1 })
        }
        let imported = importLegacy(after: contents.largestID, logger: logger)
        contents.pending += imported
        contents.largestID = max(contents.largestID, imported.last?.id ?? 0)
        state.withLock { state in
            state.live = Dictionary(uniqueKeysWithValues: contents.pending.map { ($0.id, $0) })
            do {
                try compact(&state)
            } catch {
                logger.error("could not compact the scrobble journal", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            }
        }
        if !imported.isEmpty {
            do {
                try DurableFile.remove(legacyFile)
            } catch {
                logger.error("could not remove the imported retry file", metadata: ["file": "\(legacyFile.path)", "error": "\(error)"])
            }
        }
        return contents
    }

    /// Appends `scrobbles` and fsyncs: once this returns, they survive a crash.
    func append(_ scrobbles: [PendingScrobble]) throws(DurableFile.Failure) {
        guard !scrobbles.isEmpty else { return }
        try state.withLock { state throws(DurableFile.Failure) in
            try write(scrobbles.map { Record(add: $0) }, to: &state)
            for scrobble in scrobbles { state.live[scrobble.id] = scrobble }
        }
    }

    /// Records that the scrobbles with these ids are finished (delivered or dropped).
    func finish(_ ids: [UInt64]) throws(DurableFile.Failure) {
        try state.withLock { state throws(DurableFile.Failure) in
            let known = ids.filter { state.live[$0] != nil }
            guard !known.isEmpty else { return }
            for id in known { state.live.removeValue(forKey: id) }
            if state.live.isEmpty || (state.lines >= compactionThreshold && state.lines > 2 * state.live.count) {
                try compact(&state)
            } else {
                try write(known.map { Record(done: $0) }, to: &state)
            }
        }
    }

    // MARK: Internals

    private static func replay(_ data: Data) -> Contents {
        var contents = Contents()
        var live: [UInt64: PendingScrobble] = [:]
        var order: [UInt64] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let decoder = JSONDecoder()
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard let record = try? decoder.decode(Record.self, from: Data(line)),
                (record.add == nil) != (record.done == nil)
            else {
                // The last line has no newline after it only when its write was cut short.
                if index == lines.count - 1 { contents.tornLastLine = true } else { contents.unreadableLines += 1 }
                continue
            }
            if let add = record.add {
                if live.updateValue(add, forKey: add.id) == nil { order.append(add.id) }
                contents.largestID = max(contents.largestID, add.id)
            } else if let done = record.done {
                live.removeValue(forKey: done)
                contents.largestID = max(contents.largestID, done)
            }
        }
        contents.pending = order.compactMap { live[$0] }
        return contents
    }

    /// Imports the JSON array of earlier versions, numbering its scrobbles after `largestID`.
    private func importLegacy(after largestID: UInt64, logger: Logger) -> [PendingScrobble] {
        struct Legacy: Decodable {
            let plugin: String
            let username: String
            let input: String
        }
        guard let data = try? Data(contentsOf: legacyFile) else { return [] }
        do {
            let legacy = try JSONDecoder().decode([Legacy].self, from: data)
            logger.info("importing scrobbles waiting for a retry", metadata: ["file": "\(legacyFile.path)", "count": "\(legacy.count)"])
            return legacy.enumerated().map { index, old in
                PendingScrobble(id: largestID + UInt64(index) + 1, plugin: old.plugin, username: old.username, input: old.input)
            }
        } catch {
            let aside = keepAside(legacyFile)
            logger.error(
                "scrobbles waiting for a retry could not be read; the file was kept aside",
                metadata: ["file": "\(legacyFile.path)", "keptAs": "\(aside?.path ?? "(could not move it)")", "error": "\(error)"])
            return []
        }
    }

    /// Renames `url` to `<name>.unreadable-<unix time>`; nil when that failed.
    private func keepAside(_ url: URL) -> URL? {
        let aside = url.appendingPathExtension("unreadable-\(OutsideNumbers.unixSeconds(Date()))")
        guard rename(url.path, aside.path) == 0 else { return nil }
        try? DurableFile.syncFolder(of: url)
        return aside
    }

    /// Rewrites the journal with the live records only (durably), then reopens it for appending.
    private func compact(_ state: inout State) throws(DurableFile.Failure) {
        if state.descriptor >= 0 {
            _ = close(state.descriptor)
            state.descriptor = -1
        }
        let live = state.live.values.sorted { $0.id < $1.id }
        if live.isEmpty {
            try DurableFile.remove(file)
        } else {
            try DurableFile.createFolder(for: file)
            try DurableFile.replace(file, contents: Self.encode(live.map { Record(add: $0) }))
        }
        state.lines = live.count
    }

    private func write(_ records: [Record], to state: inout State) throws(DurableFile.Failure) {
        if state.descriptor < 0 {
            try DurableFile.createFolder(for: file)
            state.descriptor = try DurableFile.open(file.path, flags: O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC)
            // The file may be new: make its name durable too.
            try DurableFile.syncFolder(of: file)
        }
        var bytes = Self.encode(records)
        // After a torn last line that could not be compacted away, start on a line of our own.
        if try !DurableFile.endsWithNewline(state.descriptor, path: file.path) { bytes.insert(UInt8(ascii: "\n"), at: 0) }
        try DurableFile.writeAll(state.descriptor, bytes, path: file.path)
        try DurableFile.sync(state.descriptor, path: file.path)
        state.lines += records.count
    }

    private static func encode(_ records: [Record]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for record in records {
            // Plain strings and integers: encoding cannot fail, and JSON escapes every newline.
            bytes += (try? encoder.encode(record)) ?? Data()
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }
}
