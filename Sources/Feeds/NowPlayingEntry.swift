import Foundation
import TonearmJSON

/// One entry of a Subsonic `getNowPlaying` response: a song plus who plays it where.
public struct NowPlayingEntry: Sendable, Hashable {
    public var track: PlaybackTrack
    public var username: String
    /// Minutes since the play started (Navidrome, Gonic: whole minutes; Supysonic: fractional).
    public var minutesAgo: Double
    /// The server's `playerId` (Navidrome numbers the entries of each response 1, 2, …).
    public var playerId: String
    public var playerName: String?
    /// OpenSubsonic `playbackReport`: `starting`, `playing`, `paused` or `stopped`; nil without the extension.
    public var state: String?
    /// OpenSubsonic `playbackReport`: the position, which Navidrome extrapolates while playing.
    public var positionMs: Int64?
    /// OpenSubsonic `playbackReport`: the playback rate.
    public var playbackRate: Double?

    public init(
        track: PlaybackTrack, username: String, minutesAgo: Double, playerId: String, playerName: String? = nil,
        state: String? = nil, positionMs: Int64? = nil, playbackRate: Double? = nil
    ) {
        self.track = track
        self.username = username
        self.minutesAgo = minutesAgo
        self.playerId = playerId
        self.playerName = playerName
        self.state = state
        self.positionMs = positionMs
        self.playbackRate = playbackRate
    }

    /// Whether the entry carries the OpenSubsonic `playbackReport` fields.
    public var hasPlaybackReport: Bool { state != nil }

    /// Parses one `nowPlaying.entry` element; nil when it has no song id or username.
    init?(json: JSONObject) {
        guard let track = PlaybackTrack(subsonicChild: json),
            let username = LenientJSON.text(json["username"])
        else { return nil }
        self.track = track
        self.username = username
        // Subsonic servers are read leniently: a number that cannot be right is clamped
        // (minutesAgo: "a long time ago") or treated as absent (position, rate), never converted
        // unchecked.
        let maxMinutes = PlaybackTrack.maxDuration / 60
        self.minutesAgo = LenientJSON.double(json["minutesAgo"]).map { min(max(0, $0), maxMinutes) } ?? 0
        self.playerId = LenientJSON.string(json["playerId"]) ?? ""
        self.playerName = LenientJSON.text(json["playerName"])
        self.state = LenientJSON.text(json["state"])?.lowercased()
        self.positionMs = LenientJSON.double(json["positionMs"], in: 0...(PlaybackTrack.maxDuration * 1000))
            .map { Int64($0.rounded()) }
        self.playbackRate = LenientJSON.double(json["playbackRate"], in: 0...Self.maxPlaybackRate).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The fastest playback rate believed from a server; a faster (or non-positive) one counts as absent.
    public static let maxPlaybackRate: Double = 16
}

extension PlaybackTrack {
    /// Reads a Subsonic `Child` (song) object, OpenSubsonic fields included when present.
    /// Nil when it has no id.
    init?(subsonicChild json: JSONObject) {
        guard let id = LenientJSON.text(json["id"]) else { return nil }
        let artist = LenientJSON.text(json["artist"]) ?? LenientJSON.text(json["displayArtist"]) ?? ""
        var artists = Self.artistRefs(json["artists"])
        if artists.isEmpty, !artist.isEmpty {
            artists = [ArtistRef(id: LenientJSON.text(json["artistId"]) ?? "", name: artist)]
        }
        let albumArtists = Self.artistRefs(json["albumArtists"])
        let albumArtist =
            LenientJSON.text(json["displayAlbumArtist"]) ?? LenientJSON.text(json["albumArtist"])
            ?? albumArtists.map(\.name).joined(separator: ", ")
        self.init(
            id: id,
            title: LenientJSON.text(json["title"]) ?? LenientJSON.text(json["name"]) ?? "",
            album: LenientJSON.text(json["album"]) ?? "",
            artist: artist,
            albumArtist: albumArtist,
            duration: LenientJSON.double(json["duration"], in: 0...PlaybackTrack.maxDuration) ?? 0,
            trackNumber: LenientJSON.int(json["track"], in: 0...PlaybackTrack.maxTrackNumber) ?? 0,
            discNumber: LenientJSON.int(json["discNumber"], in: 0...PlaybackTrack.maxTrackNumber) ?? 0,
            artists: artists,
            albumArtists: albumArtists.isEmpty && !albumArtist.isEmpty ? [ArtistRef(name: albumArtist)] : albumArtists,
            mbzRecordingId: LenientJSON.text(json["musicBrainzId"]),
            coverArtId: LenientJSON.text(json["coverArt"])
        )
    }

    private static func artistRefs(_ value: JSONValue?) -> [ArtistRef] {
        LenientJSON.array(value).compactMap { item in
            guard let ref = item.objectValue, let name = LenientJSON.text(ref["name"]) else { return nil }
            return ArtistRef(
                id: LenientJSON.text(ref["id"]) ?? "", name: name, mbid: LenientJSON.text(ref["musicBrainzId"]))
        }
    }

    /// Whether a `getSong` could add something the poller needs: title, artist, album,
    /// duration or the MusicBrainz recording id.
    var isIncomplete: Bool {
        title.isEmpty || artist.isEmpty || album.isEmpty || duration <= 0 || mbzRecordingId == nil
    }

    /// This track with its empty fields filled from `other` (the same song, e.g. from `getSong`).
    func completed(with other: PlaybackTrack) -> PlaybackTrack {
        var t = self
        if t.title.isEmpty { t.title = other.title }
        if t.album.isEmpty { t.album = other.album }
        if t.artist.isEmpty { t.artist = other.artist }
        if t.albumArtist.isEmpty { t.albumArtist = other.albumArtist }
        if t.duration <= 0 { t.duration = other.duration }
        if t.trackNumber == 0 { t.trackNumber = other.trackNumber }
        if t.discNumber == 0 { t.discNumber = other.discNumber }
        if t.artists.isEmpty { t.artists = other.artists }
        if t.albumArtists.isEmpty { t.albumArtists = other.albumArtists }
        t.mbzRecordingId = t.mbzRecordingId ?? other.mbzRecordingId
        t.mbzAlbumId = t.mbzAlbumId ?? other.mbzAlbumId
        t.mbzReleaseGroupId = t.mbzReleaseGroupId ?? other.mbzReleaseGroupId
        t.mbzReleaseTrackId = t.mbzReleaseTrackId ?? other.mbzReleaseTrackId
        t.coverArtId = t.coverArtId ?? other.coverArtId
        return t
    }
}
