/// The parts of a Navidrome `TrackInfo` the presence uses.
public struct TrackSummary {
    public var id: String
    public var title: String
    public var artist: String
    public var album: String
    /// Seconds (Navidrome sends a float).
    public var durationSeconds: Double
    /// First entry of `artists`, used for lookups (falls back to `artist`).
    public var primaryArtist: String
    public var recordingMBID: String
    public var releaseMBID: String
    public var releaseGroupMBID: String

    public init(id: String, title: String, artist: String, album: String, durationSeconds: Double,
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
}
