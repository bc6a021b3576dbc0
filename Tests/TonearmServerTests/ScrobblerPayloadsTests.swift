import Feeds
import NavidromeABI
import Testing

@testable import TonearmServer

/// Scrobbler capability payloads are written as Navidrome's Go structs marshal: fields in order,
/// `omitempty` ids left out, `duration` a float32, strings with Go's escapes.
@Suite struct ScrobblerPayloadsTests {
    @Test func nowPlayingAsGoWritesIt() {
        let track = PlaybackTrack(
            id: "t1", title: "Tom & Jerry <live>", album: "A", artist: "B", albumArtist: "B", duration: 245.3,
            trackNumber: 3, discNumber: 1, artists: [Feeds.ArtistRef(id: "a1", name: "B")],
            albumArtists: [Feeds.ArtistRef(name: "B", mbid: "m")], mbzRecordingId: "rec")
        let payload = NowPlayingRequest(username: "alice", track: TrackInfo(track), position: 12)
        let expected = #"{"username":"alice","track":{"id":"t1","title":"Tom \u0026 Jerry \u003clive\u003e","album":"A","#
            + #""artist":"B","albumArtist":"B","artists":[{"id":"a1","name":"B"}],"albumArtists":[{"name":"B","mbid":"m"}],"#
            + #""duration":245.3,"trackNumber":3,"discNumber":1,"mbzRecordingId":"rec"},"position":12}"#
        #expect(String(decoding: payload.goJSONBytes(), as: UTF8.self) == expected)
    }

    @Test func playbackReportNumbers() {
        let payload = PlaybackReportRequest(
            username: "u", track: TrackInfo(PlaybackTrack(id: "t", title: "T", duration: .infinity)),
            state: "playing", positionMs: 1500, playbackRate: 1.25, playerId: "p", playerName: "n", timestamp: 1_700_000_000)
        let text = String(decoding: payload.goJSONBytes(), as: UTF8.self)
        #expect(text.contains(#""duration":0,"#))
        #expect(text.hasSuffix(#""positionMs":1500,"playbackRate":1.25,"playerId":"p","playerName":"n","timestamp":1700000000}"#))
    }
}
