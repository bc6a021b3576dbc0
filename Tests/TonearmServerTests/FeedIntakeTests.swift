import Feeds
import Foundation
import Logging
import PluginRuntime
import Testing

@testable import TonearmServer

/// Both feeds hand their events to the daemon through `receive(_:clientWaits:)`.
@Suite(.timeLimit(.minutes(1))) struct FeedIntakeTests {
    private static func event(_ username: String, title: String) -> PlaybackEvent {
        PlaybackEvent(
            kind: .started, source: .listenBrainz, username: username, playerId: "phone", playerName: "Phone",
            track: PlaybackTrack(id: "", title: title, artist: "Massive Attack", duration: 330),
            positionMs: 0, playbackRate: 1, timestamp: Date())
    }

    @Test(arguments: [true, false]) func eventsReachTheDispatcherAndNewUsersAreNoted(clientWaits: Bool) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-intake-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = TonearmConfiguration()
        configuration.server.users = [.init(name: "alice", listenBrainzToken: "tok-a")]
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
        let daemon = try TonearmDaemon(configuration: configuration, logger: Logger(label: "test"))

        try await daemon.receive([Self.event("alice", title: "Teardrop"), Self.event("bob", title: "Angel")], clientWaits: clientWaits)
        // bob, whom no one configured, is known from now on; alice stays a configured user.
        #expect(daemon.userDirectory.users().map(\.userName).sorted() == ["alice", "bob"])
        let deadline = Date().addingTimeInterval(10)
        while daemon.dispatcher.currentPlayback().count < 2, Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let playing = daemon.dispatcher.currentPlayback()
        #expect(playing["alice"]?["phone"]?.track.title == "Teardrop")
        #expect(playing["bob"]?["phone"]?.track.title == "Angel")
        await daemon.dispatcher.shutdown()
        await daemon.host.shutdown()
    }
}
