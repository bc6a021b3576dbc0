import Feeds
import Foundation
import Logging
import PluginRuntime
import Synchronization
import TestSupport
import Testing

@testable import TonearmServer

/// A plugin host that records every call and answers through `respond`.
private final class RecordingHost: ScrobblerPluginHost {
    struct Call: Sendable, Equatable {
        let plugin: String
        let export: String
        let input: String
        var queuedSince: ContinuousClock.Instant? = nil
    }

    private let state = Mutex<[Call]>([])
    private let respond: @Sendable (Call, Int) -> Result<[UInt8], PluginCallError>

    /// `respond` gets the call and how many calls of that export came before it.
    init(respond: @escaping @Sendable (Call, Int) -> Result<[UInt8], PluginCallError> = RecordingHost.authorizeAll) {
        self.respond = respond
    }

    static let authorizeAll: @Sendable (Call, Int) -> Result<[UInt8], PluginCallError> = { call, _ in
        .success(call.export == "nd_scrobbler_is_authorized" ? Array("true".utf8) : [])
    }

    var calls: [Call] { state.withLock { $0 } }

    func exports(_ export: String) -> [Call] { calls.filter { $0.export == export } }

    func scrobblerPlugins(for username: String) -> [String] { ["scrobbler"] }

    func call(
        plugin: String, export: String, input: [UInt8], queuedSince: ContinuousClock.Instant?
    ) async throws(PluginCallError) -> [UInt8] {
        let call = Call(plugin: plugin, export: export, input: String(decoding: input, as: UTF8.self), queuedSince: queuedSince)
        let earlier = state.withLock { calls in
            defer { calls.append(call) }
            return calls.filter { $0.export == export }.count
        }
        return try respond(call, earlier).get()
    }
}

private func event(_ kind: PlaybackEvent.Kind, title: String = "Teardrop") -> PlaybackEvent {
    PlaybackEvent(
        kind: kind, source: .listenBrainz, username: "alice", playerId: "web", playerName: "Web",
        track: PlaybackTrack(id: "t1", title: title, album: "Mezzanine", artist: "Massive Attack", duration: 330),
        positionMs: 0, playbackRate: 1, timestamp: Date(timeIntervalSince1970: 1_764_000_000))
}

private func retryLater(_ call: RecordingHost.Call) -> PluginCallError {
    PluginCallError(pluginID: call.plugin, export: call.export, reason: .pluginError("scrobbler(retry_later): service down"))
}

/// Polls `condition` every 10 ms for up to `seconds`.
/// Waits up to `seconds` (times `TONEARM_TEST_TIME_SCALE`) for `condition`.
private func eventually(_ seconds: Double = 10, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds * testTimeScale)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

private let quickBackoff = ScrobbleRetries.Backoff(first: .milliseconds(20), maximum: .milliseconds(80))

private func temporaryFolder() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-dispatch-\(UUID().uuidString)").path
}

@Suite(.timeLimit(.minutes(2))) struct PlaybackDispatcherTests {
    @Test func deliversInNavidromeOrder() async throws {
        let host = RecordingHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        dispatcher.submit(event(.started))
        dispatcher.submit(event(.paused))
        #expect(await eventually { host.calls.count == 5 })
        #expect(host.calls.map(\.export) == [
            "nd_scrobbler_is_authorized", "nd_scrobbler_playback_report", "nd_scrobbler_now_playing",
            "nd_scrobbler_is_authorized", "nd_scrobbler_playback_report",
        ])
        let states = host.exports("nd_scrobbler_playback_report").map { call in
            (try? JSONSerialization.jsonObject(with: Data(call.input.utf8)) as? [String: Any])?["state"] as? String
        }
        #expect(states == ["starting", "paused"])
        await dispatcher.shutdown()
    }

    /// So a user whose player reports often waits behind users who report rarely when the
    /// plugin's call slots are all taken.
    @Test func aDeliverysCallsQueueAsOfTheUsersPreviousDelivery() async throws {
        let host = RecordingHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        let beforeFirst = ContinuousClock.now
        dispatcher.submit(event(.started))
        #expect(await eventually { host.calls.count == 3 })
        try await Task.sleep(for: .milliseconds(200))
        let beforeSecond = ContinuousClock.now
        dispatcher.submit(event(.started, title: "Angel"))
        #expect(await eventually { host.calls.count == 6 })
        let stamps = host.calls.map(\.queuedSince)
        #expect(stamps.allSatisfy { $0 != nil })
        #expect(Set(stamps[0..<3]).count == 1, "one stamp for every call of a delivery")
        #expect(Set(stamps[3..<6]).count == 1, "one stamp for every call of a delivery")
        let first = try #require(stamps[0]), second = try #require(stamps[3])
        #expect(first >= beforeFirst && first < beforeSecond, "the first delivery queues as of its arrival")
        #expect(second >= first && second < beforeSecond, "the second queues as of the first one's start")
        await dispatcher.shutdown()
    }

    @Test func unauthorizedUsersGetNothingElse() async throws {
        let host = RecordingHost { call, _ in .success(call.export == "nd_scrobbler_is_authorized" ? Array("false".utf8) : []) }
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        dispatcher.submit(event(.started))
        dispatcher.submit(event(.scrobble))
        #expect(await eventually { host.calls.count == 2 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(host.calls.map(\.export) == ["nd_scrobbler_is_authorized", "nd_scrobbler_is_authorized"])
        await dispatcher.shutdown()
    }

    @Test func scrobblesAreRetriedOnlyOnRetryLater() async throws {
        let host = RecordingHost { call, earlier in
            switch call.export {
            case "nd_scrobbler_is_authorized": return .success(Array("true".utf8))
            case "nd_scrobbler_scrobble":
                if call.input.contains("Unrecoverable") {
                    return .failure(PluginCallError(
                        pluginID: call.plugin, export: call.export, reason: .pluginError("scrobbler(unrecoverable): bad track")))
                }
                return earlier < 2 ? .failure(retryLater(call)) : .success([])
            default: return .success([])
            }
        }
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"), retryBackoff: quickBackoff)
        dispatcher.submit(event(.scrobble, title: "First"))
        dispatcher.submit(event(.scrobble, title: "Second"))
        // First: retry_later twice, then accepted; Second waits behind it and goes through once.
        #expect(await eventually { host.exports("nd_scrobbler_scrobble").count == 4 })
        let titles = host.exports("nd_scrobbler_scrobble").map { $0.input.contains("First") ? "First" : "Second" }
        #expect(titles == ["First", "First", "First", "Second"])

        dispatcher.submit(event(.scrobble, title: "Unrecoverable"))
        #expect(await eventually { host.exports("nd_scrobbler_scrobble").count == 5 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(host.exports("nd_scrobbler_scrobble").count == 5)
        await dispatcher.shutdown()
    }

    @Test func scrobblesWaitingForARetrySurviveARestart() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = ScrobbleRetryStore(dataFolder: folder)
        let failing = RecordingHost { call, _ in
            call.export == "nd_scrobbler_is_authorized" ? .success(Array("true".utf8)) : .failure(retryLater(call))
        }
        let first = PlaybackDispatcher(
            host: failing, logger: Logger(label: "test"), retryBackoff: .navidrome, retryStore: store)
        first.submit(event(.scrobble, title: "Kept"))
        first.submit(event(.scrobble, title: "Kept too"))
        #expect(store.read().pending.count == 2)
        #expect(await eventually { failing.exports("nd_scrobbler_scrobble").count == 1 })
        let sent = try #require(failing.exports("nd_scrobbler_scrobble").first).input
        await first.shutdown()
        #expect(store.read().pending.map(\.input).first == sent)

        let working = RecordingHost()
        let reopened = ScrobbleRetryStore(dataFolder: folder)
        let second = PlaybackDispatcher(
            host: working, logger: Logger(label: "test"), retryBackoff: quickBackoff, retryStore: reopened)
        #expect(await eventually { working.exports("nd_scrobbler_scrobble").count == 2 })
        #expect(working.exports("nd_scrobbler_scrobble").first?.input == sent)
        #expect(working.exports("nd_scrobbler_scrobble").last?.input.contains("Kept too") == true)
        // Kept scrobbles are confirmed with is_authorized after a restart.
        #expect(working.exports("nd_scrobbler_is_authorized").count >= 1)
        #expect(await eventually { reopened.read().pending.isEmpty })
        await second.shutdown()
    }

    /// A ListenBrainz 200 must mean the listen is safe: `accept` returns only once the scrobble
    /// is in the journal on disk, before any plugin has taken it.
    @Test(.timeLimit(.minutes(1))) func acceptedScrobblesAreJournaledBeforeAccept() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gate = Mutex(false)
        let host = RecordingHost { call, _ in
            if call.export == "nd_scrobbler_is_authorized" { return .success(Array("true".utf8)) }
            // While the gate is closed the plugin asks for a retry: the scrobble only exists on disk.
            // (A failing is_authorized would count as a refusal, which drops the scrobble.)
            guard gate.withLock({ $0 }) else { return .failure(retryLater(call)) }
            return .success([])
        }
        let store = ScrobbleRetryStore(dataFolder: folder)
        let dispatcher = PlaybackDispatcher(
            host: host, logger: Logger(label: "test"), retryBackoff: quickBackoff, retryStore: store)
        try dispatcher.accept([event(.scrobble, title: "Safe")])
        // A second reader (as after a crash) finds it at once.
        let onDisk = ScrobbleRetryStore(dataFolder: folder).read().pending
        #expect(onDisk.count == 1)
        #expect(onDisk.first?.input.contains("Safe") == true)
        gate.withLock { $0 = true }
        #expect(await eventually { ScrobbleRetryStore(dataFolder: folder).read().pending.isEmpty })
        #expect(host.exports("nd_scrobbler_scrobble").last?.input.contains("Safe") == true)
        await dispatcher.shutdown()
    }

    /// An unwritable journal refuses the submission (so the client retries) instead of
    /// acknowledging a scrobble that a crash would lose.
    @Test(.timeLimit(.minutes(1))) func anUnwritableJournalRefusesScrobbles() async throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = ScrobbleRetryStore(dataFolder: folder)
        // A folder where the journal should be: it cannot be opened for writing.
        try FileManager.default.createDirectory(at: store.file, withIntermediateDirectories: true)
        let host = RecordingHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"), retryStore: store)
        #expect(throws: DurableFile.Failure.self) { try dispatcher.accept([event(.scrobble)]) }
        try dispatcher.accept([event(.started)])
        #expect(await eventually { host.exports("nd_scrobbler_now_playing").count == 1 })
        #expect(host.exports("nd_scrobbler_scrobble").isEmpty)
        await dispatcher.shutdown()
    }

    /// `duration_ms: 1e300` (and infinite or NaN numbers) once trapped the daemon (SIGILL) while
    /// computing the session's expiry; every such number must be taken without trapping.
    @Test(.timeLimit(.minutes(1)), arguments: [1e300, .infinity, .nan, -1e300, 9.3e18])
    func hugeNumbersFromClientsDoNotTrap(value: Double) async throws {
        let host = RecordingHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        var playing = event(.started)
        playing.track.duration = value
        playing.playbackRate = value == 9.3e18 ? 1e-300 : value
        playing.timestamp = Date(timeIntervalSince1970: value)
        dispatcher.submit(playing)
        var listened = event(.scrobble)
        listened.track.duration = value
        listened.timestamp = Date(timeIntervalSince1970: value)
        dispatcher.submit(listened)
        #expect(await eventually { host.exports("nd_scrobbler_scrobble").count == 1 })
        let report = try #require(host.exports("nd_scrobbler_playback_report").first).input
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        #expect(fields["username"] as? String == "alice", "the payload must not be empty: \(report)")
        #expect(host.exports("nd_scrobbler_scrobble").first?.input.contains("\"username\":\"alice\"") == true)
        await dispatcher.shutdown()
    }
}
