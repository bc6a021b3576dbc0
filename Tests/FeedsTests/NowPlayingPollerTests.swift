import TestSupport
import Foundation
import Logging
import Testing

@testable import Feeds

/// Runs a poller in the background for the duration of `body`.
func withPoller<T>(
    _ poller: NowPlayingPoller, recorder: EventRecorder, _ body: () async throws -> T
) async rethrows -> T {
    let task = Task { await poller.run { recorder.record($0) } }
    defer { task.cancel() }
    return try await body()
}

@Suite(.timeLimit(.minutes(2))) struct NowPlayingPollerUnitTests {
    @Test func backoffDoublesUpToTheCap() throws {
        let client = try SubsonicClient(serverURL: "http://127.0.0.1:1", logger: Logger(label: "t"))
        let poller = NowPlayingPoller(
            client: client, credentials: SubsonicCredentials(username: "a", password: "b"), interval: .seconds(5),
            maxBackoff: .seconds(60), logger: Logger(label: "t"))
        #expect((1...6).map { poller.backoff(afterFailures: $0) } == [5, 10, 20, 40, 60, 60].map { .seconds($0) })
        #expect(poller.backoff(afterFailures: 1000) == .seconds(60))
    }
}

@Suite(.timeLimit(.minutes(3))) struct NowPlayingPollerSupysonicTests {
    @Test func streamsBecomeStartedChangedStopped() async throws {
        let server = try await SharedSupysonic.get().info
        let client = try SubsonicClient(serverURL: server.url, allowsHexPassword: true, logger: Logger(label: "t"))
        let poller = NowPlayingPoller(
            client: client, credentials: SubsonicCredentials(username: "admin", password: server.users["admin"]!),
            interval: .milliseconds(300), logger: Logger(label: "t"))
        let recorder = EventRecorder()
        let first = server.track(titled: "Port Zero")
        let second = server.track(titled: "Note G (feat. Babbage)")

        try await withPoller(poller, recorder: recorder) {
            try await server.stream(first.id, as: "carol")
            let started = try #require(await recorder.first { $0.username == "carol" && $0.kind == .started })
            #expect(started.track.id == first.id && started.source == .subsonic)
            #expect(started.track.title == "Port Zero" && started.track.artist == "The Loopback Band")
            #expect(started.track.album == "Loopback Sessions" && started.track.albumArtist == "")
            #expect(started.track.duration == 30 && started.track.trackNumber == 1)
            #expect(started.track.coverArtId != nil)
            #expect(started.playerId == "0" && started.positionMs < 10_000)

            try await server.stream(second.id, as: "carol")
            let changed = try #require(await recorder.first { $0.username == "carol" && $0.kind == .trackChanged })
            #expect(changed.track.id == second.id && changed.track.title == "Note G (feat. Babbage)")
            #expect(changed.track.artist == "Ada & The Lovelaces feat. Babbage")

            // Supysonic drops the entry 10 s after the stream: stopped.
            let stopped = try #require(await recorder.first { $0.username == "carol" && $0.kind == .stopped })
            #expect(stopped.track.id == second.id)
        }
        let carol = recorder.events.filter { $0.username == "carol" }.map(\.kind)
        #expect(carol == [.started, .trackChanged, .stopped])
    }

    @Test func recoversWhenTheServerGoesDownAndComesBack() async throws {
        let server = try await SupysonicServer.start(["--now-playing-seconds", "60", "--track-seconds", "120"])
        let info = server.info
        let logs = LogCapture()
        let client = try SubsonicClient(serverURL: info.url, timeout: .seconds(10), allowsHexPassword: true, logger: logs.logger)
        let poller = NowPlayingPoller(
            client: client, credentials: SubsonicCredentials(username: "admin", password: info.users["admin"]!),
            interval: .milliseconds(200), maxBackoff: .milliseconds(800), logger: logs.logger)
        let recorder = EventRecorder()

        try await withPoller(poller, recorder: recorder) {
            try await info.stream(info.track(titled: "Port Zero").id, as: "alice")
            #expect(await recorder.first { $0.kind == .started } != nil)

            server.stop()
            #expect(await eventually { !logs.lines(containing: "Subsonic server unavailable").isEmpty })
            try await Task.sleep(for: .seconds(3))  // several failed polls, backing off
            #expect(logs.lines(containing: "Subsonic server unavailable").count == 1)

            let again = try await SupysonicServer.start(["--data", info.data, "--port", "\(info.port)"])
            defer { again.stop() }
            #expect(await eventually { !logs.lines(containing: "reachable again").isEmpty })
            try await info.stream(info.track(titled: "127 Reasons").id, as: "alice")
            let next = try #require(await recorder.first { $0.track.title == "127 Reasons" })
            #expect(next.kind == .trackChanged)
            #expect(logs.lines(containing: "reachable again").count == 1)
            #expect(logs.lines(containing: "Subsonic server unavailable").count == 1)
        }
        #expect(!logs.lines.joined().contains(info.users["admin"]!))
    }
}

@Suite(.timeLimit(.minutes(2))) struct NowPlayingPollerPlaybackReportTests {
    static let song: [String: any Sendable] = [
        "id": "mf-1", "title": "Windowlicker", "album": "Windowlicker", "artist": "Aphex Twin", "track": 1,
        "discNumber": 1, "duration": 366, "coverArt": "mf-1_0", "musicBrainzId": "rec-1",
        "displayAlbumArtist": "Aphex Twin", "artists": [["id": "ar-1", "name": "Aphex Twin"]],
        "albumArtists": [["id": "ar-1", "name": "Aphex Twin"]],
    ]

    @Test func stateAndPositionDrivePauseResumeSeek() async throws {
        let fake = try await FakeOpenSubsonicServer.start()
        let client = try SubsonicClient(serverURL: fake.url, logger: Logger(label: "t"))
        let poller = NowPlayingPoller(
            client: client, credentials: SubsonicCredentials(username: fake.username, apiKey: fake.apiKey),
            interval: .milliseconds(200), logger: Logger(label: "t"))
        let recorder = EventRecorder()
        fake.setPlays([.init(username: "alice", playerName: "Feishin", song: Self.song, state: "playing", positionMs: 10_000)])

        await withPoller(poller, recorder: recorder) {
            let started = await recorder.first { $0.kind == .started }
            #expect(started?.positionMs ?? 0 >= 10_000)
            #expect(started?.playerId == "Feishin" && started?.playerName == "Feishin")
            #expect(started?.track.albumArtists == [ArtistRef(id: "ar-1", name: "Aphex Twin")])
            #expect(started?.track.albumArtist == "Aphex Twin" && started?.track.mbzRecordingId == "rec-1")

            fake.updatePlay(username: "alice") { $0.state = "paused" }
            #expect(await recorder.first { $0.kind == .paused } != nil)
            fake.updatePlay(username: "alice") { $0.state = "playing" }
            #expect(await recorder.first { $0.kind == .resumed } != nil)
            fake.updatePlay(username: "alice") { $0.positionMs = 200_000 }
            let seeked = await recorder.first { $0.kind == .seeked }
            #expect((200_000..<230_000).contains(seeked?.positionMs ?? 0))
            fake.setPlays([])
            let stopped = await recorder.first { $0.kind == .stopped }
            #expect(stopped?.positionMs ?? 0 >= 200_000)
            #expect(await recorder.first { $0.kind == .scrobble } != nil)
        }
        // Navidrome extrapolates while playing: no spurious seeks between the changes.
        #expect(recorder.events.map(\.kind) == [.started, .paused, .resumed, .seeked, .stopped, .scrobble])
        await fake.stop()
    }

    @Test func garbageFromUpstreamIsAnOutageLoggedOnceAndRecovered() async throws {
        let fake = try await FakeOpenSubsonicServer.start()
        let logs = LogCapture()
        let client = try SubsonicClient(serverURL: fake.url, logger: logs.logger)
        let poller = NowPlayingPoller(
            client: client, credentials: SubsonicCredentials(username: fake.username, apiKey: fake.apiKey),
            interval: .milliseconds(100), maxBackoff: .milliseconds(400), logger: logs.logger)
        let recorder = EventRecorder()
        fake.setPlays([.init(username: "alice", playerName: "web", song: Self.song, state: "playing", positionMs: 0)])

        await withPoller(poller, recorder: recorder) {
            #expect(await recorder.first { $0.kind == .started } != nil)
            fake.breakWith(status: 502)
            #expect(await eventually { !logs.lines(containing: "Subsonic server unavailable").isEmpty })
            #expect(await eventually { fake.requests.count > 12 })  // several failed polls
            let outage = logs.lines(containing: "Subsonic server unavailable")
            #expect(outage.count == 1)
            #expect(outage.first?.contains("HTTP 502") == true)
            fake.breakWith(status: nil)
            #expect(await eventually { logs.lines(containing: "reachable again").count == 1 })
        }
        // The player kept playing through the outage: no stop, no second start (a loaded
        // machine may see a position jump as a seek).
        #expect(recorder.events.map(\.kind).filter { $0 != .seeked } == [.started])
        #expect(!logs.lines.joined().contains(fake.apiKey))
        await fake.stop()
    }

    @Test func incompleteEntriesAreCompletedWithGetSongOnce() async throws {
        let fake = try await FakeOpenSubsonicServer.start()
        let client = try SubsonicClient(serverURL: fake.url, logger: Logger(label: "t"))
        let poller = NowPlayingPoller(
            client: client, credentials: SubsonicCredentials(username: fake.username, password: fake.password),
            interval: .milliseconds(100), logger: Logger(label: "t"))
        let recorder = EventRecorder()
        fake.setSong(Self.song)
        let bare: [String: any Sendable] = ["id": "mf-1", "title": "Windowlicker"]
        fake.setPlays([.init(username: "bob", playerName: "web", song: bare, state: "playing", positionMs: 0)])

        await withPoller(poller, recorder: recorder) {
            let started = await recorder.first { $0.kind == .started }
            #expect(started?.track.duration == 366 && started?.track.artist == "Aphex Twin")
            #expect(started?.track.album == "Windowlicker" && started?.track.coverArtId == "mf-1_0")
            #expect(started?.track.mbzRecordingId == "rec-1")
            #expect(await eventually { fake.requests.filter { $0 == "getNowPlaying" }.count >= 5 })
        }
        #expect(fake.getSongCalls == 1)
        await fake.stop()
    }
}
