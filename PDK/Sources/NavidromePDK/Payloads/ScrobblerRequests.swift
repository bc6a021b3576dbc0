/// Input of `nd_scrobbler_is_authorized`.
public struct IsAuthorizedRequest: JSONDecodable, JSONEncodable {
    public var username: String

    public init(username: String) { self.username = username }

    public init(json: JSONObjectReader) throws(JSONError) {
        username = try json.string("username")
    }

    public func encode(to json: inout JSONObjectWriter) {
        json.set("username", username)
    }
}

/// Input of `nd_scrobbler_now_playing`. Navidrome sends no timestamp here.
public struct NowPlayingRequest: JSONDecodable, JSONEncodable {
    public var username: String
    public var track: TrackInfo
    /// Playback position in whole seconds.
    public var position: Int32

    public init(username: String, track: TrackInfo, position: Int32) {
        self.username = username
        self.track = track
        self.position = position
    }

    public init(json: JSONObjectReader) throws(JSONError) {
        try self.init(username: json.string("username"), track: json.decode("track"), position: json.int32("position"))
    }

    public func encode(to json: inout JSONObjectWriter) {
        json.set("username", username)
        json.set("track", track)
        json.set("position", position)
    }
}

/// Input of `nd_scrobbler_scrobble`.
public struct ScrobbleRequest: JSONDecodable, JSONEncodable {
    public var username: String
    public var track: TrackInfo
    /// Unix seconds (Navidrome sends the time playback stopped).
    public var timestamp: Int64

    public init(username: String, track: TrackInfo, timestamp: Int64) {
        self.username = username
        self.track = track
        self.timestamp = timestamp
    }

    public init(json: JSONObjectReader) throws(JSONError) {
        try self.init(username: json.string("username"), track: json.decode("track"), timestamp: json.int64("timestamp"))
    }

    public func encode(to json: inout JSONObjectWriter) {
        json.set("username", username)
        json.set("track", track)
        json.set("timestamp", timestamp)
    }
}

/// Playback states of ``PlaybackReportRequest/state``.
public enum PlaybackState: String {
    case starting, playing, paused, stopped, expired
}

/// Input of `nd_scrobbler_playback_report` (Navidrome 0.62+).
public struct PlaybackReportRequest: JSONDecodable, JSONEncodable {
    public var username: String
    public var track: TrackInfo
    /// "starting", "playing", "paused", "stopped" or "expired" (see ``playbackState``).
    public var state: String
    /// Position in milliseconds, as reported by the client.
    public var positionMs: Int64
    /// Playback speed (1.0 = normal).
    public var playbackRate: Double
    public var playerId: String
    public var playerName: String
    /// Unix seconds of the report (or of the expiry).
    public var timestamp: Int64

    public init(username: String, track: TrackInfo, state: String, positionMs: Int64, playbackRate: Double = 1,
                playerId: String = "", playerName: String = "", timestamp: Int64 = 0) {
        self.username = username
        self.track = track
        self.state = state
        self.positionMs = positionMs
        self.playbackRate = playbackRate
        self.playerId = playerId
        self.playerName = playerName
        self.timestamp = timestamp
    }

    /// The state as an enum (`nil` for a state this PDK does not know).
    public var playbackState: PlaybackState? {
        for s in [PlaybackState.starting, .playing, .paused, .stopped, .expired] where s.rawValue.hasSameUTF8(as: state) {
            return s
        }
        return nil
    }

    public init(json: JSONObjectReader) throws(JSONError) {
        try self.init(username: json.string("username"), track: json.decode("track"), state: json.string("state"),
                      positionMs: json.int64("positionMs"), playbackRate: json.double("playbackRate"),
                      playerId: json.string("playerId"), playerName: json.string("playerName"),
                      timestamp: json.int64("timestamp"))
    }

    public func encode(to json: inout JSONObjectWriter) {
        json.set("username", username)
        json.set("track", track)
        json.set("state", state)
        json.set("positionMs", positionMs)
        json.set("playbackRate", playbackRate)
        json.set("playerId", playerId)
        json.set("playerName", playerName)
        json.set("timestamp", timestamp)
    }
}
