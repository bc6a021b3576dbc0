import Foundation
import Testing

@testable import Feeds

@Suite(.timeLimit(.minutes(3))) struct NowPlayingTrackerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func track(_ id: String, duration: Double = 200) -> PlaybackTrack {
        PlaybackTrack(id: id, title: "Title \(id)", album: "Album", artist: "Artist", duration: duration)
    }

    func nowPlaying(
        _ id: String, user: String = "alice", minutesAgo: Double = 0, player: String = "0", playerName: String? = nil,
        duration: Double = 200, state: String? = nil, positionMs: Int64? = nil, rate: Double? = nil
    ) -> NowPlayingEntry {
        NowPlayingEntry(
            track: track(id, duration: duration), username: user, minutesAgo: minutesAgo, playerId: player,
            playerName: playerName, state: state, positionMs: positionMs, playbackRate: rate)
    }

    func kinds(_ events: [PlaybackEvent]) -> [PlaybackEvent.Kind] { events.map(\.kind) }

    @Test func startChangeAndStopWithoutPlaybackReport() {
        var tracker = NowPlayingTracker()
        let started = tracker.update([nowPlaying("1")], at: t0)
        #expect(kinds(started) == [.started])
        #expect(started[0].username == "alice" && started[0].track.id == "1" && started[0].positionMs == 0)
        #expect(started[0].source == .subsonic && started[0].playbackRate == 1)

        #expect(tracker.update([nowPlaying("1")], at: t0 + 5).isEmpty)

        // 130 s into track 1 (200 s long: 65 % played), track 2 starts: change + scrobble of 1.
        let changed = tracker.update([nowPlaying("2")], at: t0 + 130)
        #expect(kinds(changed) == [.scrobble, .trackChanged])
        #expect(changed[0].track.id == "1" && changed[0].positionMs == 130_000)
        #expect(changed[1].track.id == "2" && changed[1].positionMs == 0)

        // Only 10 s of track 2: stopped, no scrobble.
        let stopped = tracker.update([], at: t0 + 140)
        #expect(kinds(stopped) == [.stopped])
        #expect(stopped[0].track.id == "2" && stopped[0].positionMs == 10_000)
        #expect(tracker.trackedPlayers == 0)
    }

    @Test func positionIsExtrapolatedFromMinutesAgo() {
        var tracker = NowPlayingTracker()
        let events = tracker.update([nowPlaying("1", minutesAgo: 1.5)], at: t0)
        #expect(events.first?.positionMs == 90_000)
    }

    @Test func wholeMinutesKeepTheEarliestStartEstimate() {
        var tracker = NowPlayingTracker()
        _ = tracker.update([nowPlaying("1", minutesAgo: 1)], at: t0)  // start ≈ t0 - 60
        // 50 s later the server still says 1 minute: the estimate t0 - 10 is later, ignored.
        #expect(tracker.update([nowPlaying("1", minutesAgo: 1)], at: t0 + 50).isEmpty)
        let stopped = tracker.update([], at: t0 + 60)
        #expect(stopped.first(where: { $0.kind == .stopped })?.positionMs == 120_000)
    }

    @Test func trackThatRunsOutIsStoppedAndScrobbledOnce() {
        var tracker = NowPlayingTracker()
        _ = tracker.update([nowPlaying("1", duration: 30)], at: t0)
        #expect(tracker.update([nowPlaying("1", duration: 30)], at: t0 + 30).isEmpty)  // within the grace
        let ended = tracker.update([nowPlaying("1", minutesAgo: 36.0 / 60, duration: 30)], at: t0 + 36)
        #expect(kinds(ended) == [.stopped, .scrobble])
        #expect(ended[0].positionMs == 30_000)
        // The server keeps listing it (Supysonic does for 3 minutes): nothing more.
        #expect(tracker.update([nowPlaying("1", minutesAgo: 1, duration: 30)], at: t0 + 60).isEmpty)
        #expect(tracker.update([], at: t0 + 180).isEmpty)
    }

    @Test func sameTrackPlayedAgainStartsAgain() {
        var tracker = NowPlayingTracker()
        _ = tracker.update([nowPlaying("1", duration: 30)], at: t0)
        _ = tracker.update([nowPlaying("1", minutesAgo: 0.7, duration: 30)], at: t0 + 42)  // ran out
        let again = tracker.update([nowPlaying("1", minutesAgo: 0, duration: 30)], at: t0 + 50)
        #expect(kinds(again) == [.started])
        #expect(again[0].positionMs == 0)
    }

    @Test func entriesAlreadyOverWhenFirstSeenAreIgnored() {
        var tracker = NowPlayingTracker()
        #expect(tracker.update([nowPlaying("1", minutesAgo: 2, duration: 30)], at: t0).isEmpty)
        #expect(tracker.update([], at: t0 + 5).isEmpty)
    }

    @Test func playersAreToldApartByUserAndPlayerName() {
        var tracker = NowPlayingTracker()
        let events = tracker.update(
            [
                nowPlaying("1", user: "alice", player: "1", playerName: "web"),
                nowPlaying("2", user: "alice", player: "2", playerName: "phone"),
                nowPlaying("3", user: "bob", player: "3", playerName: "web"),
            ], at: t0)
        #expect(kinds(events) == [.started, .started, .started])
        #expect(Set(events.map { "\($0.username)/\($0.playerId)" }) == ["alice/web", "alice/phone", "bob/web"])
        // Navidrome renumbers playerId per response: same names, new numbers, no events.
        let reordered = tracker.update(
            [
                nowPlaying("3", user: "bob", player: "1", playerName: "web"),
                nowPlaying("2", user: "alice", player: "2", playerName: "phone"),
                nowPlaying("1", user: "alice", player: "3", playerName: "web"),
            ], at: t0 + 5)
        #expect(reordered.isEmpty)
    }

    @Test func playbackReportDrivesPauseResumeAndSeek() {
        var tracker = NowPlayingTracker()
        let start = tracker.update([nowPlaying("1", state: "playing", positionMs: 12_000, rate: 1)], at: t0)
        #expect(kinds(start) == [.started])
        #expect(start[0].positionMs == 12_000)

        // The server extrapolates the position while playing: no event.
        #expect(tracker.update([nowPlaying("1", state: "playing", positionMs: 17_000, rate: 1)], at: t0 + 5).isEmpty)

        let paused = tracker.update([nowPlaying("1", state: "paused", positionMs: 19_000, rate: 1)], at: t0 + 10)
        #expect(kinds(paused) == [.paused])
        #expect(paused[0].positionMs == 19_000)
        #expect(tracker.update([nowPlaying("1", state: "paused", positionMs: 19_000, rate: 1)], at: t0 + 60).isEmpty)

        let resumed = tracker.update([nowPlaying("1", state: "playing", positionMs: 19_500, rate: 1)], at: t0 + 65)
        #expect(kinds(resumed) == [.resumed])

        let seeked = tracker.update([nowPlaying("1", state: "playing", positionMs: 120_000, rate: 1)], at: t0 + 70)
        #expect(kinds(seeked) == [.seeked])
        #expect(seeked[0].positionMs == 120_000)

        let faster = tracker.update([nowPlaying("1", state: "playing", positionMs: 125_000, rate: 1.5)], at: t0 + 75)
        #expect(kinds(faster) == [.seeked])
        #expect(faster[0].playbackRate == 1.5)

        let stopped = tracker.update([], at: t0 + 80)
        #expect(kinds(stopped) == [.stopped, .scrobble])
        #expect(stopped[0].positionMs == 132_500)
    }

    @Test func playbackReportStartingPausedGivesStartedThenPaused() {
        var tracker = NowPlayingTracker()
        let events = tracker.update([nowPlaying("1", state: "paused", positionMs: 5000)], at: t0)
        #expect(kinds(events) == [.started, .paused])
        #expect(events.allSatisfy { $0.positionMs == 5000 })
    }
}
