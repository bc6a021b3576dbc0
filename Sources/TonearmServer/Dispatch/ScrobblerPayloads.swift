import Feeds
import NavidromeABI

/// A feed's track as Navidrome's `TrackInfo` (generated from `ABI/`): numbers from outside made
/// finite and non-negative first, since Go's encoding/json cannot write NaN or infinity.
extension TrackInfo {
    init(_ track: PlaybackTrack) {
        self.init(
            id: track.id, title: track.title, album: track.album, artist: track.artist, albumArtist: track.albumArtist,
            artists: track.artists.map(NavidromeABI.ArtistRef.init), albumArtists: track.albumArtists.map(NavidromeABI.ArtistRef.init),
            duration: Float(OutsideNumbers.finiteNonNegative(track.duration)),
            trackNumber: Int32(clamping: track.trackNumber), discNumber: Int32(clamping: track.discNumber),
            mbzRecordingId: track.mbzRecordingId ?? "", mbzAlbumId: track.mbzAlbumId ?? "",
            mbzReleaseGroupId: track.mbzReleaseGroupId ?? "", mbzReleaseTrackId: track.mbzReleaseTrackId ?? "")
    }
}

extension NavidromeABI.ArtistRef {
    init(_ ref: Feeds.ArtistRef) {
        self.init(id: ref.id, name: ref.name, mbid: ref.mbid ?? "")
    }
}
