import Feeds
import Foundation
import Logging
import PluginRuntime
import Synchronization
import Testing

@testable import TonearmServer

/// A plugin host whose calls wait until `open()`; counts `is_authorized` calls.
private final class GatedHost: ScrobblerPluginHost {
    private let opened = Mutex(false)
    let authorizations = Atomic<Int>(0)
    let nowPlayingInputs = Mutex<[String]>([])

    func open() { opened.withLock { $0 = true } }

    func scrobblerPlugins(for username: String) -> [String] { ["scrobbler"] }

    func call(
        plugin: String, export: String, input: [UInt8], queuedSince: ContinuousClock.Instant?
    ) async throws(PluginCallError) -> [UInt8] {
        let isAuthorization = export == "nd_scrobbler_is_authorized"
        if isAuthorization { authorizations.add(1, ordering: .relaxed) }
        if export == "nd_scrobbler_now_playing" { nowPlayingInputs.withLock { $0.append(String(decoding: input, as: UTF8.self)) } }
        while !opened.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        return isAuthorization ? Array("true".utf8) : []
    }
}

@Suite(.timeLimit(.minutes(2))) struct DispatcherQueueBoundTests {
    /// alice starting `title` on `player`.
    func trackStart(player: String, trackID: String, title: String) -> PlaybackEvent {
        PlaybackEvent(
            kind: .started, source: .listenBrainz, username: "alice", playerId: player, playerName: "Web",
            track: PlaybackTrack(id: trackID, title: title, album: "A", artist: "B", duration: 300),
            positionMs: 0, playbackRate: 1, timestamp: Date())
    }

    @Test func aUsersWaitingPlaybackEventsAreBounded() async throws {
        let host = GatedHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        let flood = PlaybackDispatcher.maxWaitingEventsPerUser + 200
        for n in 0..<flood {
            dispatcher.submit(trackStart(player: "player \(n)", trackID: "t\(n)", title: "Track \(n)"))
        }
        host.open()
        await dispatcher.shutdown()
        let delivered = host.authorizations.load(ordering: .relaxed)
        // Every accepted event is delivered (plus the stop that shutdown sends); the rest were
        // refused while the user's queue was full.
        #expect(delivered >= PlaybackDispatcher.maxWaitingEventsPerUser)
        #expect(delivered <= PlaybackDispatcher.maxWaitingEventsPerUser + 1)
    }

    @Test func aWaitingEventIsSkippedWhenANewerOneOfThePlayerArrives() async throws {
        let host = GatedHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        for n in 0..<50 {
            dispatcher.submit(trackStart(player: "web", trackID: "", title: "Track \(n)"))
        }
        host.open()
        let deadline = ContinuousClock.now + .seconds(30)
        while host.nowPlayingInputs.withLock({ $0.isEmpty }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(200))
        let inputs = host.nowPlayingInputs.withLock { $0 }
        // The first may already be on its way when the rest arrive; the last is always delivered.
        #expect(inputs.count <= 2)
        #expect(inputs.last?.contains("Track 49") == true)
        #expect(dispatcher.currentPlayback()["alice"]?["web"]?.track.title == "Track 49")
        await dispatcher.shutdown()
    }

    @Test func aStartRefusedOnAFullQueueSupersedesNothing() async throws {
        let host = GatedHost()
        let dispatcher = PlaybackDispatcher(host: host, logger: Logger(label: "test"))
        // One delivery in flight, then alice's start on "web" waiting behind it, then others
        // until the queue is full.
        dispatcher.submit(trackStart(player: "first", trackID: "t0", title: "First"))
        dispatcher.submit(trackStart(player: "web", trackID: "ta", title: "Track A"))
        for n in 2..<PlaybackDispatcher.maxWaitingEventsPerUser {
            dispatcher.submit(trackStart(player: "player \(n)", trackID: "t\(n)", title: "Track \(n)"))
        }
        dispatcher.submit(trackStart(player: "web", trackID: "tb", title: "Track B"))
        host.open()
        await dispatcher.shutdown()
        let inputs = host.nowPlayingInputs.withLock { $0 }
        // Track B was refused, so Track A still plays on "web".
        #expect(inputs.contains { $0.contains("Track A") })
        #expect(!inputs.contains { $0.contains("Track B") })
    }
}
