import NavidromePDK

/// The parts of a Navidrome `TrackInfo` the presence uses.
struct TrackSummary {
    var id: String
    var title: String
    var artist: String
    var album: String
    var albumArtist: String
    /// Seconds (Navidrome sends a float).
    var durationSeconds: Double
    /// First entry of `artists`, used for lookups (falls back to `artist`).
    var primaryArtist: String
    /// MusicBrainz id of the first of `artists`.
    var artistMBID: String
    var recordingMBID: String
    var releaseMBID: String
    var releaseGroupMBID: String
    /// Navidrome's library id; 0 when unknown.
    var libraryID: Int32
    /// The player's name (PlaybackReport only).
    var playerName = ""
    /// Release year when looked up from the server; 0 when unknown.
    var year = 0

    init(id: String, title: String, artist: String, album: String, durationSeconds: Double,
         albumArtist: String = "", primaryArtist: String = "", artistMBID: String = "", recordingMBID: String = "",
         releaseMBID: String = "", releaseGroupMBID: String = "", libraryID: Int32 = 0) {
        self.id = id
        self.title = title
        self.artist = artist
        self.album = album
        self.albumArtist = albumArtist
        self.durationSeconds = durationSeconds
        self.primaryArtist = primaryArtist.isEmpty ? artist : primaryArtist
        self.artistMBID = artistMBID
        self.recordingMBID = recordingMBID
        self.releaseMBID = releaseMBID
        self.releaseGroupMBID = releaseGroupMBID
        self.libraryID = libraryID
    }

    /// What tells two tracks apart: the Navidrome id, or, for tracks without one (ListenBrainz
    /// submissions), title, artist and album together.
    var identity: String {
        id.utf8.isEmpty ? title + "\u{1F}" + artist + "\u{1F}" + album : id
    }
}
