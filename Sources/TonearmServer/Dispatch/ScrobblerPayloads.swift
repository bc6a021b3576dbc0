import Feeds
import Foundation

/// Navidrome's Scrobbler capability payloads (`plugins/capabilities/scrobbler.go`), encoded as
/// Go's encoding/json does: `mbz*` ids omitted when empty, `artists` always arrays.
enum ScrobblerPayloads {
    struct TrackInfo: Encodable {
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
            // Go's encoding/json, like JSONEncoder, cannot write NaN or infinity.
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
    }

    struct Artist: Encodable {
        var id: String?
        var name: String
        var mbid: String?

        init(_ ref: ArtistRef) {
            id = ref.id.isEmpty ? nil : ref.id
            name = ref.name
            mbid = ref.mbid.nonEmpty
        }
    }

    struct IsAuthorized: Encodable {
        var username: String
    }

    struct NowPlaying: Encodable {
        var username: String
        var track: TrackInfo
        /// Whole seconds, as Navidrome sends it.
        var position: Int32
    }

    struct Scrobble: Encodable {
        var username: String
        var track: TrackInfo
        /// Unix seconds.
        var timestamp: Int64
    }

    struct PlaybackReport: Encodable {
        var username: String
        var track: TrackInfo
        var state: String
        var positionMs: Int64
        var playbackRate: Double
        var playerId: String
        var playerName: String
        var timestamp: Int64
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding these plain structs cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
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
