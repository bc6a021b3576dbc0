/// Track metadata sent with every Scrobbler call (Navidrome `capabilities.TrackInfo`).
public struct TrackInfo: JSONDecodable, JSONEncodable {
    /// Navidrome's track id.
    public var id: String
    public var title: String
    public var album: String
    /// Display artist, e.g. "Artist1 • Artist2".
    public var artist: String
    public var albumArtist: String
    public var artists: [ArtistRef]
    public var albumArtists: [ArtistRef]
    /// Duration in seconds.
    public var duration: Double
    public var trackNumber: Int32
    public var discNumber: Int32
    public var mbzRecordingId: String
    public var mbzAlbumId: String
    public var mbzReleaseGroupId: String
    public var mbzReleaseTrackId: String
    /// Only sent with the `library.filesystem` permission.
    public var libraryId: Int32
    /// Path relative to the library root; only sent with the `library.filesystem` permission.
    public var path: String

    public init(id: String = "", title: String = "", album: String = "", artist: String = "", albumArtist: String = "",
                artists: [ArtistRef] = [], albumArtists: [ArtistRef] = [], duration: Double = 0,
                trackNumber: Int32 = 0, discNumber: Int32 = 0, mbzRecordingId: String = "", mbzAlbumId: String = "",
                mbzReleaseGroupId: String = "", mbzReleaseTrackId: String = "", libraryId: Int32 = 0, path: String = "") {
        self.id = id
        self.title = title
        self.album = album
        self.artist = artist
        self.albumArtist = albumArtist
        self.artists = artists
        self.albumArtists = albumArtists
        self.duration = duration
        self.trackNumber = trackNumber
        self.discNumber = discNumber
        self.mbzRecordingId = mbzRecordingId
        self.mbzAlbumId = mbzAlbumId
        self.mbzReleaseGroupId = mbzReleaseGroupId
        self.mbzReleaseTrackId = mbzReleaseTrackId
        self.libraryId = libraryId
        self.path = path
    }

    public init(json: JSONObjectReader) throws(JSONError) {
        // One memberwise call: fields are read in order straight into the new value.
        try self.init(
            id: json.string("id"), title: json.string("title"), album: json.string("album"),
            artist: json.string("artist"), albumArtist: json.string("albumArtist"),
            artists: json.array("artists"), albumArtists: json.array("albumArtists"),
            duration: json.double("duration"), trackNumber: json.int32("trackNumber"),
            discNumber: json.int32("discNumber"), mbzRecordingId: json.string("mbzRecordingId"),
            mbzAlbumId: json.string("mbzAlbumId"), mbzReleaseGroupId: json.string("mbzReleaseGroupId"),
            mbzReleaseTrackId: json.string("mbzReleaseTrackId"), libraryId: json.int32("libraryId"),
            path: json.string("path"))
    }

    public func encode(to json: inout JSONObjectWriter) {
        json.set("id", id)
        json.set("title", title)
        json.set("album", album)
        json.set("artist", artist)
        json.set("albumArtist", albumArtist)
        json.set("artists", artists)
        json.set("albumArtists", albumArtists)
        json.set("duration", duration)
        json.set("trackNumber", trackNumber)
        json.set("discNumber", discNumber)
        json.set("mbzRecordingId", mbzRecordingId, omitEmpty: true)
        json.set("mbzAlbumId", mbzAlbumId, omitEmpty: true)
        json.set("mbzReleaseGroupId", mbzReleaseGroupId, omitEmpty: true)
        json.set("mbzReleaseTrackId", mbzReleaseTrackId, omitEmpty: true)
        json.set("libraryId", libraryId, omitEmpty: true)
        json.set("path", path, omitEmpty: true)
    }
}
