import Foundation
import Synchronization
import TestSupport

/// `kill -9` of `tonearm serve` during KVStore writes and retried scrobbles, `kills` times in
/// one data folder, then one clean run that delivers every kept scrobble.
///
/// Serve runs the `ledger` benchmark plugin for `userCount` users. In each round, two loopback
/// clients send ListenBrainz requests until serve is killed after a random 0.2–1.5 s:
/// `playing_now` (the plugin writes `np/<title>` to its KVStore and reports the key to a
/// loopback recorder once the write returned: an acknowledged write) and `single` listens (the
/// plugin answers `retry_later`, so serve keeps them in its retry journal; a 200 means the
/// listen is safe). After each kill, before the next start: the KVStore database passes
/// `PRAGMA integrity_check` and holds every acknowledged key, every line of the retry journal
/// is readable (a last line cut short by the kill is allowed) and it holds every acknowledged
/// listen, and `plugins.json` (if written) is readable. At the end serve starts with the
/// plugin accepting scrobbles and must deliver every acknowledged listen.
struct DurabilityRun {
    static let userCount = 4
    static let requestInterval = Duration.milliseconds(40)
    static let deliveryTimeout = Duration.seconds(300)

    struct Result {
        var kills = 0
        var seconds = 0.0
        var writesAcknowledged = 0
        var writesLost = 0
        var listensAcknowledged = 0
        var listensLost = 0
        var listensDelivered = 0
        var unreadableFiles = 0
        var tornJournalLines = 0
        var startMillis: [Int] = []
        var problems: [String] = []

        var summary: String {
            let starts = startMillis.sorted()
            let median = starts.isEmpty ? 0 : starts[starts.count / 2]
            return "durability: \(kills) kill -9 in \(Int(seconds)) s; \(writesAcknowledged) acknowledged KV writes, \(writesLost) lost; "
                + "\(listensAcknowledged) acknowledged listens, \(listensLost) lost, \(listensDelivered) delivered at the end; "
                + "\(unreadableFiles) unreadable files, \(tornJournalLines) torn last journal lines; serve start median \(median) ms"
                + (problems.isEmpty ? "" : "; first problems: " + problems.prefix(3).joined(separator: " | "))
        }

        var problem: String? {
            if writesLost + listensLost + unreadableFiles > 0 || listensDelivered < listensAcknowledged {
                return "\(writesLost) writes and \(listensLost) listens lost, \(unreadableFiles) unreadable files, "
                    + "\(listensAcknowledged - listensDelivered) listens not delivered"
            }
            return nil
        }
    }

    let kills: Int

    func run() async throws -> Result {
        let binary = try BenchPaths.executable("tonearm")
        let plugin = try BenchPaths.plugin("ledger", folder: "Benchmarks/Plugins/ledger")
        let folder = try BenchPaths.temporaryFolder("serve-durability")
        let recorder = try LoopbackRecorder()
        defer { recorder.stop() }
        let port = try freeLoopbackPort()
        let pluginsFolder = folder.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: pluginsFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: plugin, to: pluginsFolder.appendingPathComponent("ledger.ndp"))
        let configFile = folder.appendingPathComponent("tonearm.toml")
        let logFile = folder.appendingPathComponent("tonearm.log")
        let data = folder.appendingPathComponent("data")
        let users = (1...Self.userCount).map(BenchUser.init)

        var result = Result()
        var listens: [String] = []
        let started = ContinuousClock.now
        try writePrivately(configuration(port: port, recorder: recorder.port, users: users, accept: false), to: configFile)
        for round in 0..<kills {
            let launched = ContinuousClock.now
            let serve = try await ServeStack.launchServe(binary: binary, configFile: configFile, logFile: logFile)
            result.startMillis.append(Int((ContinuousClock.now - launched) / .milliseconds(1)))
            let stop = Atomic<Bool>(false)
            let acknowledged = Mutex<[String]>([])
            let running = Atomic<Int>(2)
            for kind in ["playing_now", "single"] {
                Thread.detachNewThread {
                    defer { running.subtract(1, ordering: .releasing) }
                    let connection = HTTPConnection(port: port)
                    var count = 0
                    while !stop.load(ordering: .acquiring) {
                        let user = users[count % users.count]
                        let title = "\(kind == "single" ? "listen" : "np")-\(round)-\(count)"
                        count += 1
                        let status = connection.send(
                            path: "/1/submit-listens", headers: [("Authorization", "Token \(user.listenBrainzToken)")],
                            body: Self.submission(kind, title: title))
                        if status == 200, kind == "single" { acknowledged.withLock { $0.append(title) } }
                        usleep(UInt32(Self.requestInterval / .microseconds(1)))
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 200...1_500)))
            kill(serve.pid, SIGKILL)
            serve.process.waitUntilExit()
            stop.store(true, ordering: .releasing)
            while running.load(ordering: .acquiring) > 0 { try await Task.sleep(for: .milliseconds(5)) }
            listens += acknowledged.withLock { $0 }
            result.kills += 1
            check(data: data, recorder: recorder, listens: listens, afterRound: round, into: &result)
        }

        // A clean run that accepts scrobbles: every kept listen must arrive.
        try writePrivately(configuration(port: port, recorder: recorder.port, users: users, accept: true), to: configFile)
        let serve = try await ServeStack.launchServe(binary: binary, configFile: configFile, logFile: logFile)
        let wanted = Set(listens)
        let deadline = ContinuousClock.now + Self.deliveryTimeout
        while ContinuousClock.now < deadline, !wanted.isSubset(of: Set(recorder.bodies("/scrobble"))) {
            try await Task.sleep(for: .seconds(1))
        }
        serve.stop()
        let delivered = Set(try sqlite(data: data, "SELECT key FROM kvstore WHERE key LIKE 'scrobbled/%'").map { String($0.dropFirst("scrobbled/".count)) })
        result.listensDelivered = wanted.intersection(delivered).count
        result.listensAcknowledged = listens.count
        result.seconds = Double((ContinuousClock.now - started) / .milliseconds(1)) / 1000
        if result.problem == nil {
            try? FileManager.default.removeItem(at: folder)
        } else {
            FileHandle.standardError.write(Data("DurabilityRun: data kept in \(folder.path)\n".utf8))
        }
        return result
    }

    /// The checks after a kill (see the type's comment).
    private func check(data: URL, recorder: LoopbackRecorder, listens: [String], afterRound round: Int, into result: inout Result) {
        func problem(_ text: String) { result.problems.append("round \(round): \(text)") }
        // KVStore.
        let acknowledgedKeys = recorder.bodies("/kv")
        result.writesAcknowledged = acknowledgedKeys.count
        if FileManager.default.fileExists(atPath: data.appendingPathComponent("plugins/ledger/kvstore.db").path) {
            do {
                let integrity = try sqlite(data: data, "PRAGMA integrity_check")
                if integrity != ["ok"] {
                    result.unreadableFiles += 1
                    problem("kvstore.db integrity: \(integrity.prefix(3))")
                }
                let stored = Set(try sqlite(data: data, "SELECT key FROM kvstore WHERE key LIKE 'np/%'"))
                let lost = acknowledgedKeys.filter { !stored.contains($0) }
                result.writesLost = lost.count
                if !lost.isEmpty { problem("\(lost.count) acknowledged keys missing, e.g. \(lost[0])") }
            } catch {
                result.unreadableFiles += 1
                problem("kvstore.db unreadable: \(error)")
            }
        } else if !acknowledgedKeys.isEmpty {
            result.writesLost = acknowledgedKeys.count
            problem("kvstore.db missing")
        }
        // Retry journal.
        let journal = data.appendingPathComponent("scrobble-retries.jsonl")
        var live: [UInt64: String] = [:]
        if let text = try? String(contentsOf: journal, encoding: .utf8) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
            for (index, line) in lines.enumerated() {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    if index == lines.count - 1, !text.hasSuffix("\n") {
                        result.tornJournalLines += 1
                    } else {
                        result.unreadableFiles += 1
                        problem("journal line \(index + 1) unreadable")
                    }
                    continue
                }
                if let add = record["add"] as? [String: Any], let id = (add["id"] as? NSNumber)?.uint64Value, let input = add["input"] as? String,
                    let scrobble = try? JSONSerialization.jsonObject(with: Data(input.utf8)) as? [String: Any],
                    let track = scrobble["track"] as? [String: Any], let title = track["title"] as? String
                {
                    live[id] = title
                } else if let done = (record["done"] as? NSNumber)?.uint64Value {
                    live[done] = nil
                }
            }
        }
        let kept = Set(live.values)
        let missing = listens.filter { !kept.contains($0) }
        result.listensLost = missing.count
        if !missing.isEmpty { problem("\(missing.count) acknowledged listens not in the journal, e.g. \(missing[0])") }
        // Plugin states.
        let states = data.appendingPathComponent("plugins.json")
        if let bytes = FileManager.default.contents(atPath: states.path), (try? JSONSerialization.jsonObject(with: bytes)) == nil {
            result.unreadableFiles += 1
            problem("plugins.json unreadable")
        }
    }

    /// Runs `sql` on the ledger's KVStore database with the `sqlite3` shell; one line per row.
    private func sqlite(data: URL, _ sql: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [data.appendingPathComponent("plugins/ledger/kvstore.db").path, sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("sqlite3 failed: \(String(decoding: bytes, as: UTF8.self).prefix(300))")
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private func configuration(port: Int, recorder: Int, users: [BenchUser], accept: Bool) -> String {
        var text = ServeStack.commonConfiguration(port: port) + """
            [Plugins.ledger]
            AllUsers = true
            ExtraHosts = ["127.0.0.1"]

            [PluginSettings.ledger]
            recorder = "http://127.0.0.1:\(recorder)"
            accept = "\(accept)"

            """
        for user in users {
            text += "\n[[Users]]\nName = \"\(user.name)\"\nListenBrainzToken = \"\(user.listenBrainzToken)\"\n"
        }
        return text
    }

    /// A ListenBrainz submission of one listen (`single`, listened now) or `playing_now`.
    static func submission(_ kind: String, title: String) -> [UInt8] {
        let listenedAt = kind == "single" ? "\"listened_at\":\(Int(Date().timeIntervalSince1970))," : ""
        return Array("""
            {"listen_type":"\(kind)","payload":[{\(listenedAt)"track_metadata":{"artist_name":"The Ledger","track_name":"\(title)",\
            "release_name":"Durability","additional_info":{"duration_ms":200000}}}]}
            """.utf8)
    }
}
