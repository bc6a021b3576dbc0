import NavidromePDK

/// Wall-clock timestamps for a track, honouring the playback rate.
enum PlaybackClock {
    /// Start and end (unix ms) of a playing track: start = reportMs − positionMs/rate,
    /// end = start + duration·1000/rate. `end` is `nil` when the duration is unknown.
    static func playing(reportMs: Int64, positionMs: Int64, rate: Double, durationSeconds: Double) -> (start: Int64, end: Int64?) {
        let r = rate.isFinite && rate > 0 ? rate : 1
        let position = positionMs > 0 ? positionMs : 0
        let start = reportMs - Int64(Double(position) / r)
        guard durationSeconds.isFinite, durationSeconds > 0 else { return (start, nil) }
        return (start, start + Int64(durationSeconds * 1000 / r))
    }
}
