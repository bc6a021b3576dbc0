import Foundation

/// Something a user's player did, as seen by one of Tonearm's feeds: the one event type
/// the Subsonic poller and the ListenBrainz receiver produce and the daemon dispatches to
/// plugins with the Scrobbler capability.
///
/// Suggested mapping to Navidrome's Scrobbler exports (the daemon owns it):
///
/// | kind | `nd_scrobbler_playback_report` state | `nd_scrobbler_now_playing` |
/// |---|---|---|
/// | `started`, `trackChanged` | `starting` | yes |
/// | `resumed`, `seeked` | `playing` | yes |
/// | `paused` | `paused` | no |
/// | `stopped` | `stopped` | no |
/// | `scrobble` | none: `nd_scrobbler_scrobble` with `timestamp` | no |
///
/// `expired` is the daemon's: feeds never emit it (a ListenBrainz `playing_now` has no end;
/// the daemon expires it after the track's remaining duration).
public struct PlaybackEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Playback began on a player that was idle (or unknown to the feed).
        case started
        /// The player moved on to another track (or restarted the same one).
        case trackChanged
        /// Playback paused (exact only with OpenSubsonic `playbackReport`).
        case paused
        /// Playback resumed after a pause.
        case resumed
        /// The position or playback rate jumped: it no longer follows from the last event.
        case seeked
        /// The player stopped: its entry disappeared or the track ran out.
        case stopped
        /// The track counts as listened (ListenBrainz `single`/`import`, or a Subsonic track
        /// that played at least half its length or 4 minutes); `timestamp` is when.
        case scrobble
    }

    /// Which feed saw it.
    public enum Source: String, Sendable, Hashable {
        case subsonic
        case listenBrainz = "listenbrainz"
    }

    public var kind: Kind
    public var source: Source
    /// The user's name on the music server (Subsonic) or the one mapped from the token (ListenBrainz).
    public var username: String
    /// Identifies the player within the user: the Subsonic `playerName` (falling back to
    /// `playerId`), or the ListenBrainz `media_player`/`submission_client`.
    public var playerId: String
    /// The player's display name (Subsonic `playerName`, ListenBrainz `media_player`).
    public var playerName: String
    public var track: PlaybackTrack
    /// Where playback is, in milliseconds from the start of the track.
    public var positionMs: Int64
    /// 1 is normal speed; 0 is never used (a pause is a `paused` event).
    public var playbackRate: Double
    /// When it happened (for `scrobble`, when the track was listened).
    public var timestamp: Date

    public init(
        kind: Kind, source: Source, username: String, playerId: String, playerName: String,
        track: PlaybackTrack, positionMs: Int64, playbackRate: Double, timestamp: Date
    ) {
        self.kind = kind
        self.source = source
        self.username = username
        self.playerId = playerId
        self.playerName = playerName
        self.track = track
        self.positionMs = positionMs
        self.playbackRate = playbackRate
        self.timestamp = timestamp
    }
}

/// A track as Navidrome's Scrobbler payloads describe it (`TrackInfo`), plus the artwork id.
public struct PlaybackTrack: Sendable, Hashable {
    /// The music server's song id; empty when the feed has none (ListenBrainz).
    public var id: String
    public var title: String
    public var album: String
    public var artist: String
    public var albumArtist: String
    /// Length in seconds; 0 when unknown.
    public var duration: Double
    /// 0 when unknown.
    public var trackNumber: Int
    /// 0 when unknown.
    public var discNumber: Int
    public var artists: [ArtistRef]
    public var albumArtists: [ArtistRef]
    public var mbzRecordingId: String?
    public var mbzAlbumId: String?
    public var mbzReleaseGroupId: String?
    public var mbzReleaseTrackId: String?
    /// The Subsonic `coverArt` id for `getCoverArt`, when the server gave one.
    public var coverArtId: String?

    /// The longest duration a feed accepts, in seconds: 24 days, ListenBrainz's own limit. A
    /// ListenBrainz submission with a longer one is refused; a Subsonic server's counts as unknown.
    public static let maxDuration: Double = 2_073_600
    /// The largest track or disc number a feed keeps (Navidrome's are 32-bit); larger ones,
    /// like negative ones, count as unknown.
    public static let maxTrackNumber = Int(Int32.max)

    public init(
        id: String, title: String, album: String = "", artist: String = "", albumArtist: String = "",
        duration: Double = 0, trackNumber: Int = 0, discNumber: Int = 0,
        artists: [ArtistRef] = [], albumArtists: [ArtistRef] = [],
        mbzRecordingId: String? = nil, mbzAlbumId: String? = nil, mbzReleaseGroupId: String? = nil,
        mbzReleaseTrackId: String? = nil, coverArtId: String? = nil
    ) {
        self.id = id
        self.title = title
        self.album = album
        self.artist = artist
        self.albumArtist = albumArtist
        self.duration = duration
        self.trackNumber = trackNumber
        self.discNumber = discNumber
        self.artists = artists
        self.albumArtists = albumArtists
        self.mbzRecordingId = mbzRecordingId
        self.mbzAlbumId = mbzAlbumId
        self.mbzReleaseGroupId = mbzReleaseGroupId
        self.mbzReleaseTrackId = mbzReleaseTrackId
        self.coverArtId = coverArtId
    }
}

/// An artist credited on a track (Navidrome's `ArtistRef`).
public struct ArtistRef: Sendable, Hashable {
    /// The music server's artist id; empty when unknown.
    public var id: String
    public var name: String
    public var mbid: String?

    public init(id: String = "", name: String, mbid: String? = nil) {
        self.id = id
        self.name = name
        self.mbid = mbid
    }
}
