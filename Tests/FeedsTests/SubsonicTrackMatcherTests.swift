import Foundation
import Logging
import Testing
import TestSupport

@testable import Feeds

/// Pushed (ListenBrainz) tracks completed from the music server's songs.
@Suite(.timeLimit(.minutes(3))) struct SubsonicTrackMatcherTests {
    static func song(_ id: String, _ title: String, artist: String, album: String, mbid: String? = nil) -> PlaybackTrack {
        PlaybackTrack(id: id, title: title, album: album, artist: artist, duration: 200, mbzRecordingId: mbid, coverArtId: "al-\(id)")
    }

    @Test func theRecordingIDWinsThenTitleAndArtistPreferringTheAlbum() {
        let songs = [
            Self.song("1", "Intro", artist: "Band", album: "Live"),
            Self.song("2", "Intro", artist: "Band", album: "Studio"),
            Self.song("3", "Intro", artist: "Other", album: "Studio", mbid: "rec-3"),
        ]
        let pushed = PlaybackTrack(id: "", title: "  intro ", album: "studio", artist: "BAND")
        #expect(SubsonicTrackMatcher.best(of: songs, for: pushed)?.id == "2")
        var noAlbum = pushed
        noAlbum.album = "Unknown Album"
        #expect(SubsonicTrackMatcher.best(of: songs, for: noAlbum)?.id == "1")
        var byRecording = pushed
        byRecording.mbzRecordingId = "REC-3"
        #expect(SubsonicTrackMatcher.best(of: songs, for: byRecording)?.id == "3")
        let stranger = PlaybackTrack(id: "", title: "Intro", artist: "Nobody")
        #expect(SubsonicTrackMatcher.best(of: songs, for: stranger) == nil)
    }

    @Test func whatOnlyThePushKnewIsKept() {
        var pushed = PlaybackTrack(id: "", title: "Intro", artist: "Band", duration: 140, mbzReleaseGroupId: "rg-1")
        pushed.mbzAlbumId = "rel-1"
        let merged = SubsonicTrackMatcher.merged(feed: pushed, server: Self.song("2", "Intro", artist: "Band", album: "Studio"))
        #expect(merged.id == "2" && merged.coverArtId == "al-2" && merged.album == "Studio")
        #expect(merged.duration == 200)
        #expect(merged.mbzAlbumId == "rel-1" && merged.mbzReleaseGroupId == "rg-1")
    }

    /// Against the fake OpenSubsonic server: one search per track, answers cached (misses too),
    /// a failing server leaves the track as pushed.
    @Test func answersAreCachedAndFailuresLeaveTheTrack() async throws {
        let server = try await FakeOpenSubsonicServer.start()
        defer { Task { await server.stop() } }
        server.setSong(["id": "s-1", "title": "Port Zero", "artist": "The Loopback Band", "album": "Loopback Sessions",
                        "duration": 187, "coverArt": "al-7", "musicBrainzId": "rec-1"])
        let client = try SubsonicClient(serverURL: server.url, logger: Logger(label: "t"))
        let matcher = SubsonicTrackMatcher(
            client: client, credentials: SubsonicCredentials(username: server.username, password: server.password),
            logger: Logger(label: "t"))
        let pushed = PlaybackTrack(id: "", title: "Port Zero", album: "Loopback Sessions", artist: "The Loopback Band", duration: 0.187)
        for _ in 0..<3 {
            let matched = await matcher.match(pushed)
            #expect(matched.id == "s-1" && matched.coverArtId == "al-7" && matched.duration == 187)
        }
        let missing = PlaybackTrack(id: "", title: "Not There", artist: "Nobody")
        #expect(await matcher.match(missing) == missing)
        #expect(await matcher.match(missing) == missing)
        #expect(server.requests.filter { $0 == "search3" }.count == 2)

        server.breakWith(status: 502)
        let other = PlaybackTrack(id: "", title: "Port Zero", artist: "Someone Else")
        #expect(await matcher.match(other) == other)
        // A track that already has a server id is never looked up.
        let polled = Self.song("x", "Port Zero", artist: "Band", album: "A")
        #expect(await matcher.match(polled) == polled)
    }

    /// Against a real Supysonic: the pushed track becomes the server's song, with its cover.
    @Test func aSupysonicSongIsFound() async throws {
        let server = try await SharedSupysonic.get().info
        let client = try SubsonicClient(serverURL: server.url, allowsHexPassword: true, logger: Logger(label: "t"))
        let matcher = SubsonicTrackMatcher(
            client: client, credentials: SubsonicCredentials(username: "bob", password: "bob-pass"), logger: Logger(label: "t"))
        let expected = server.track(titled: "Port Zero")
        let matched = await matcher.match(
            PlaybackTrack(id: "", title: "port zero", album: expected.album, artist: expected.artist, duration: 0))
        #expect(matched.id == expected.id)
        #expect(matched.coverArtId?.isEmpty == false)
        #expect(Int(matched.duration) == expected.duration)
        #expect(matched.title == "Port Zero")
    }
}
