@testable import MinimalPlugin
import NavidromePDK
import NavidromePDKTesting
import Testing

@Suite struct MinimalScrobblerTests {
    let track = TrackInfo(id: "t1", title: "Song", album: "Album", artist: "Artist", duration: 215.5)

    @Test func authorizesEveryone() {
        let host = TestHost()
        let result = host.call(MinimalScrobbler.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "alice"))
        #expect(result.succeeded)
        #expect(result.outputText == "true")
    }

    @Test func nowPlayingLogsWithTheConfiguredPrefix() {
        let host = TestHost()
        host.config["prefix"] = "listening"
        let result = host.call(MinimalScrobbler.ndScrobblerNowPlaying, NowPlayingRequest(username: "alice", track: track, position: 42))
        #expect(result.succeeded)
        #expect(host.logs.map(\.message) == ["listening: alice → Artist – Song at 42s"])
        #expect(host.logs.first?.level == .info)
    }

    @Test func nowPlayingWithoutPrefixSaysNowPlaying() {
        let host = TestHost()
        host.call(MinimalScrobbler.ndScrobblerNowPlaying, NowPlayingRequest(username: "bob", track: track))
        #expect(host.logs.map(\.message) == ["now playing: bob → Artist – Song at 0s"])
    }

    @Test func scrobbleLogsThePlay() {
        let host = TestHost()
        let result = host.call(MinimalScrobbler.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: track, timestamp: 1_700_000_000))
        #expect(result.succeeded)
        #expect(host.logs.map(\.message) == ["scrobbled: alice → Song at 1700000000"])
    }

    @Test func scrobbleWithoutTitleIsUnrecoverable() {
        let host = TestHost()
        var untitled = track
        untitled.title = ""
        let result = host.call(MinimalScrobbler.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: untitled, timestamp: 1))
        #expect(result.code == 1)
        #expect(result.error == "scrobbler(unrecoverable): track without a title")
        #expect(host.logs.isEmpty)
    }

    @Test func playbackReportIsNotImplemented() {
        let host = TestHost()
        #expect(host.call(MinimalScrobbler.ndScrobblerPlaybackReport, input: "{}").notImplemented)
    }
}
