import NavidromePDK

/// The parts of a Navidrome `TrackInfo` the presence uses.
struct TrackSummary {
    var id: String
    var title: String
    var artist: String
    var album: String
    /// Seconds (Navidrome sends a float).
    var durationSeconds: Double
    /// First entry of `artists`, used for lookups (falls back to `artist`).
    var primaryArtist: String
    var recordingMBID: String
    var releaseMBID: String
    var releaseGroupMBID: String

    init(id: String, title: String, artist: String, album: String, durationSeconds: Double,
                primaryArtist: String = "", recordingMBID: String = "", releaseMBID: String = "",
                releaseGroupMBID: String = "") {
        self.id = id
        self.title = title
        self.artist = artist
        self.album = album
        self.durationSeconds = durationSeconds
        self.primaryArtist = primaryArtist.isEmpty ? artist : primaryArtist
        self.recordingMBID = recordingMBID
        self.releaseMBID = releaseMBID
        self.releaseGroupMBID = releaseGroupMBID
    }

    /// What tells two tracks apart: the Navidrome id, or, for tracks without one (ListenBrainz
    /// submissions), title, artist and album together.
    var identity: String {
        id.utf8.isEmpty ? title + "\u{1F}" + artist + "\u{1F}" + album : id
    }
}
