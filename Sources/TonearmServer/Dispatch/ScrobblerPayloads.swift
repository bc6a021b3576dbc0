import Feeds
import TonearmJSON

/// Navidrome's Scrobbler capability payloads (`plugins/capabilities/scrobbler.go`), written as
/// Go's encoding/json writes them: fields in the Go structs' order, `mbz*` ids omitted when
/// empty, `artists` always arrays, `duration` a float32.
enum ScrobblerPayloads {
    /// A payload as the JSON object Go writes for its struct.
    protocol Payload {
        var json: JSONValue { get }
    }

    struct TrackInfo: Payload {
        var id: String
        var title: String
        var album: String
        var artist: String
        var albumArtist: String
        var duration: Double
        var trackNumber: Int
        var discNumber: Int
        var artists: [Artist]
        var albumArtists: [Artist]
        var mbzRecordingId: String?
        var mbzAlbumId: String?
        var mbzReleaseGroupId: String?
        var mbzReleaseTrackId: String?

        init(_ track: PlaybackTrack) {
            id = track.id
            title = track.title
            album = track.album
            artist = track.artist
            albumArtist = track.albumArtist
            // Go's encoding/json cannot write NaN or infinity.
            duration = OutsideNumbers.finiteNonNegative(track.duration)
            trackNumber = track.trackNumber
            discNumber = track.discNumber
            artists = track.artists.map(Artist.init)
            albumArtists = track.albumArtists.map(Artist.init)
            mbzRecordingId = track.mbzRecordingId.nonEmpty
            mbzAlbumId = track.mbzAlbumId.nonEmpty
            mbzReleaseGroupId = track.mbzReleaseGroupId.nonEmpty
            mbzReleaseTrackId = track.mbzReleaseTrackId.nonEmpty
        }

        var json: JSONValue {
            var fields: JSONObject = [
                "id": .string(id), "title": .string(title), "album": .string(album), "artist": .string(artist),
                "albumArtist": .string(albumArtist), "duration": .float32(Float(duration)),
                "trackNumber": .integer(Int64(trackNumber)), "discNumber": .integer(Int64(discNumber)),
                "artists": .array(artists.map(\.json)), "albumArtists": .array(albumArtists.map(\.json)),
            ]
            fields["mbzRecordingId"] = mbzRecordingId.map { .string($0) }
            fields["mbzAlbumId"] = mbzAlbumId.map { .string($0) }
            fields["mbzReleaseGroupId"] = mbzReleaseGroupId.map { .string($0) }
            fields["mbzReleaseTrackId"] = mbzReleaseTrackId.map { .string($0) }
            return .object(fields)
        }
    }

    struct Artist: Payload {
        var id: String?
        var name: String
        var mbid: String?

        init(_ ref: ArtistRef) {
            id = ref.id.isEmpty ? nil : ref.id
            name = ref.name
            mbid = ref.mbid.nonEmpty
        }

        var json: JSONValue {
            var fields = JSONObject()
            fields["id"] = id.map { .string($0) }
            fields["name"] = .string(name)
            fields["mbid"] = mbid.map { .string($0) }
            return .object(fields)
        }
    }

    struct IsAuthorized: Payload {
        var username: String

        var json: JSONValue { ["username": .string(username)] }
    }

    struct NowPlaying: Payload {
        var username: String
        var track: TrackInfo
        /// Whole seconds, as Navidrome sends it.
        var position: Int32

        var json: JSONValue { ["username": .string(username), "track": track.json, "position": .integer(Int64(position))] }
    }

    struct Scrobble: Payload {
        var username: String
        var track: TrackInfo
        /// Unix seconds.
        var timestamp: Int64

        var json: JSONValue { ["username": .string(username), "track": track.json, "timestamp": .integer(timestamp)] }
    }

    struct PlaybackReport: Payload {
        var username: String
        var track: TrackInfo
        var state: String
        var positionMs: Int64
        var playbackRate: Double
        var playerId: String
        var playerName: String
        var timestamp: Int64

        var json: JSONValue {
            [
                "username": .string(username), "track": track.json, "state": .string(state),
                "positionMs": .integer(positionMs), "playbackRate": .number(playbackRate),
                "playerId": .string(playerId), "playerName": .string(playerName), "timestamp": .integer(timestamp),
            ]
        }
    }

    static func encode(_ payload: some Payload) -> [UInt8] { payload.json.goJSONBytes() }
}

extension Optional where Wrapped == String {
    /// `nil` for a missing or empty string.
    var nonEmpty: String? {
        switch self {
        case .some(let value) where !value.isEmpty: value
        default: nil
        }
    }
}
