import Feeds
import Testing

@testable import TonearmServer

/// Scrobbler capability payloads are written as Navidrome's Go structs marshal: fields in order,
/// `omitempty` ids left out, `duration` a float32, strings with Go's escapes.
@Suite struct ScrobblerPayloadsTests {
    @Test func nowPlayingAsGoWritesIt() {
        let track = PlaybackTrack(
            id: "t1", title: "Tom & Jerry <live>", album: "A", artist: "B", albumArtist: "B", duration: 245.3,
            trackNumber: 3, discNumber: 1, artists: [ArtistRef(id: "a1", name: "B")], albumArtists: [ArtistRef(name: "B", mbid: "m")],
            mbzRecordingId: "rec")
        let payload = ScrobblerPayloads.NowPlaying(username: "alice", track: ScrobblerPayloads.TrackInfo(track), position: 12)
        let expected = #"{"username":"alice","track":{"id":"t1","title":"Tom \u0026 Jerry \u003clive\u003e","album":"A","#
            + #""artist":"B","albumArtist":"B","duration":245.3,"trackNumber":3,"discNumber":1,"#
            + #""artists":[{"id":"a1","name":"B"}],"albumArtists":[{"name":"B","mbid":"m"}],"mbzRecordingId":"rec"},"position":12}"#
        #expect(String(decoding: ScrobblerPayloads.encode(payload), as: UTF8.self) == expected)
    }

    @Test func playbackReportNumbers() {
        let payload = ScrobblerPayloads.PlaybackReport(
            username: "u", track: ScrobblerPayloads.TrackInfo(PlaybackTrack(id: "t", title: "T", duration: .infinity)),
            state: "playing", positionMs: 1500, playbackRate: 1.25, playerId: "p", playerName: "n", timestamp: 1_700_000_000)
        let text = String(decoding: ScrobblerPayloads.encode(payload), as: UTF8.self)
        #expect(text.contains(#""duration":0,"#))
        #expect(text.hasSuffix(#""positionMs":1500,"playbackRate":1.25,"playerId":"p","playerName":"n","timestamp":1700000000}"#))
    }
}
