import Foundation
import Logging
import Testing

@testable import TonearmServer

private func temporaryFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-journal-\(UUID().uuidString)").path
}

private func scrobble(_ id: UInt64, _ title: String = "Teardrop") -> PendingScrobble {
    PendingScrobble(id: id, plugin: "scrobbler", username: "alice", input: #"{"track":{"title":"\#(title)"}}"#)
}

private func inode(_ url: URL) throws -> UInt64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
}

@Suite(.timeLimit(.minutes(2))) struct ScrobbleRetryStoreTests {
    /// Appending adds a line; it never rewrites the file (which made appends quadratic).
    @Test func appendsAddALineWithoutRewritingTheFile() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ScrobbleRetryStore(dataFolder: folder)
        _ = store.open(logger: Logger(label: "test"))
        try store.append([scrobble(100)])
        let file = try inode(store.file)
        var sizes: [Int] = []
        for id in 101...150 {
            try store.append([scrobble(UInt64(id))])
            sizes.append(try Data(contentsOf: store.file).count)
        }
        #expect(try inode(store.file) == file, "the journal was replaced instead of appended to")
        let growth = zip(sizes.dropFirst(), sizes).map { $0 - $1 }
        #expect(Set(growth).count == 1, "each append must add one record: \(growth)")
        #expect(store.read().pending.map(\.id) == Array(100...150))
    }

    @Test func finishedScrobblesAreForgottenAndTheJournalIsCompacted() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ScrobbleRetryStore(dataFolder: folder, compactionThreshold: 8)
        _ = store.open(logger: Logger(label: "test"))
        try store.append((1...10).map { scrobble($0) })
        for id in 1...8 { try store.finish([UInt64(id)]) }
        #expect(store.read().pending.map(\.id) == [9, 10])
        let lines = try String(contentsOf: store.file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count < 10, "the journal should have been compacted: \(lines.count) lines")
        try store.finish([9, 10])
        #expect(!FileManager.default.fileExists(atPath: store.file.path))
    }

    /// A crash while a record is written leaves a torn last line: it is ignored (with a log
    /// line), and everything before it is kept.
    @Test func aTornLastLineIsIgnored() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ScrobbleRetryStore(dataFolder: folder)
        _ = store.open(logger: Logger(label: "test"))
        try store.append([scrobble(1), scrobble(2)])
        let handle = try FileHandle(forWritingTo: store.file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"add":{"id":3,"plugin":"scr"#.utf8))
        try handle.close()

        let reopened = ScrobbleRetryStore(dataFolder: folder)
        let contents = reopened.open(logger: Logger(label: "test"))
        #expect(contents.tornLastLine)
        #expect(contents.pending.map(\.id) == [1, 2])
        try reopened.append([scrobble(4)])
        #expect(reopened.read().pending.map(\.id) == [1, 2, 4])
        #expect(reopened.read().unreadableLines == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(!files.contains { $0.contains("unreadable") })
    }

    /// A damaged line in the middle is skipped, the rest kept, and the damaged file kept aside.
    @Test func aDamagedJournalIsKeptAsideAndTheRestRead() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = ScrobbleRetryStore(dataFolder: folder)
        let good = #"{"add":{"id":1,"input":"{}","plugin":"scrobbler","username":"alice"}}"#
        try Data("\(good)\n{not json\n".utf8).write(to: store.file)
        let contents = store.open(logger: Logger(label: "test"))
        #expect(contents.pending.map(\.id) == [1])
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files.contains { $0.hasPrefix("scrobble-retries.jsonl.unreadable-") })
        #expect(store.read().pending.map(\.id) == [1])
    }

    /// The JSON array of earlier versions is imported once, then removed.
    @Test func theLegacyRetryFileIsImported() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = ScrobbleRetryStore(dataFolder: folder)
        try Data(#"[{"plugin":"p","username":"bob","input":"{\"a\":1}"}]"#.utf8).write(to: store.legacyFile)
        let contents = store.open(logger: Logger(label: "test"))
        #expect(contents.pending.map(\.username) == ["bob"])
        #expect(contents.largestID == contents.pending.first?.id)
        #expect(!FileManager.default.fileExists(atPath: store.legacyFile.path))
        #expect(ScrobbleRetryStore(dataFolder: folder).read().pending.map(\.input) == [#"{"a":1}"#])
    }
}
