import Crypto
import Foundation
import Logging
import Synchronization

/// The ListenBrainz feed: the part of the ListenBrainz API that players and servers use to
/// report listening (`POST /1/submit-listens`, `GET /1/validate-token`), independent of any
/// HTTP server: the daemon passes the `Authorization` header and body in and sends the
/// reply's status and JSON body back.
///
/// - Tokens map to usernames (given at init). An unknown or missing token on
///   `submit-listens` is a 401 with a ListenBrainz-style error body.
/// - `playing_now` becomes a `started` event (position 0, rate 1, timestamp now);
///   `single` and `import` become `scrobble` events at their `listened_at`.
/// - The player is `additional_info.media_player`, else `submission_client` (Navidrome
///   sends `submission_client: "Navidrome"`), else `music_service_name`, else "ListenBrainz".
/// - Payloads are checked as ListenBrainz does; a bad one is a 400
///   `{"code":400,"error":"…"}` naming the problem, and produces no events.
/// - ListenBrainz has no "stop": a `playing_now` is never followed by a `stopped` from this
///   feed. The daemon expires it after the track's duration (or its own default when the
///   duration is unknown), or when a newer `playing_now` replaces it.
/// - Problems are logged once per kind and token (the token is never logged, only a
///   short fingerprint of it).
public final class ListenBrainzReceiver: Sendable {
    /// An HTTP answer plus the events it carried (empty unless the status is 200).
    public struct Reply: Sendable {
        public var status: Int
        /// JSON.
        public var body: Data
        public var events: [PlaybackEvent]
        public let contentType = "application/json"
    }

    /// ListenBrainz's limits: characters per listen and listens per request.
    public static let maxListenSize = 10_240
    public static let maxListensPerRequest = 1000
    /// `listened_at` values before 2002-10-01 are refused, as ListenBrainz does.
    public static let minimumListenedAt = 1_033_430_400

    private let usernames: [String: String]
    private let logger: Logger
    private let logged = Mutex<Set<String>>([])

    /// - Parameter tokens: ListenBrainz user token → username.
    public init(tokens: [String: String], logger: Logger) {
        self.usernames = tokens
        self.logger = logger
    }

    /// `POST /1/submit-listens`.
    public func submitListens(authorization: String?, body: Data, now: Date = Date()) -> Reply {
        let username: String
        switch authenticate(authorization) {
        case .user(let name): username = name
        case .rejected(let reply): return reply
        }
        do {
            let events = try parse(body, username: username, now: now)
            return Reply(status: 200, body: Self.json(["status": "ok"]), events: events)
        } catch {
            logOnce(
                "submit:\(username):\(error.message)", "Rejected a ListenBrainz submission",
                ["user": "\(username)", "error": "\(error.message)"])
            return Self.error(400, error.message)
        }
    }

    /// `GET /1/validate-token`, with the token from the `token` query parameter or the
    /// `Authorization: Token …` header. As ListenBrainz: 200 with `valid` true or false,
    /// 400 when no token was given.
    public func validateToken(authorization: String?, token: String? = nil) -> Reply {
        guard let token = token.flatMap({ $0.isEmpty ? nil : $0 }) ?? Self.token(from: authorization) else {
            return Self.error(400, "You need to provide an Authorization token.")
        }
        guard let username = usernames[token] else {
            logOnce("validate:\(Self.fingerprint(token))", "ListenBrainz token validation failed: unknown token",
                ["token": "\(Self.fingerprint(token))"])
            return Reply(
                status: 200, body: Self.json(["code": 200, "message": "Token invalid.", "valid": false]), events: [])
        }
        return Reply(
            status: 200,
            body: Self.json(["code": 200, "message": "Token valid.", "valid": true, "user_name": username]),
            events: [])
    }

    // MARK: Authentication

    private enum Authentication {
        case user(String)
        case rejected(Reply)
    }

    private func authenticate(_ header: String?) -> Authentication {
        guard let header, !header.trimmingCharacters(in: .whitespaces).isEmpty else {
            logOnce("auth:missing", "ListenBrainz submission without Authorization header", [:])
            return .rejected(Self.error(401, "You need to provide an Authorization header."))
        }
        guard let token = Self.token(from: header) else {
            logOnce("auth:malformed", "ListenBrainz submission with a malformed Authorization header", [:])
            return .rejected(Self.error(401, "Provided Authorization header is invalid."))
        }
        guard let username = usernames[token] else {
            logOnce(
                "auth:\(Self.fingerprint(token))", "ListenBrainz submission with an unknown token",
                ["token": "\(Self.fingerprint(token))"])
            return .rejected(Self.error(401, "Invalid authorization token."))
        }
        return .user(username)
    }

    /// The token of `Token <token>` (ListenBrainz takes the second word whatever the scheme).
    static func token(from header: String?) -> String? {
        guard let parts = header?.split(separator: " ", omittingEmptySubsequences: true), parts.count == 2 else {
            return nil
        }
        return String(parts[1])
    }

    /// A short, non-reversible name for a token, for logs.
    static func fingerprint(_ token: String) -> String {
        "sha256:" + SHA256.hash(data: Data(token.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Payload

    private struct Invalid: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private func parse(_ body: Data, username: String, now: Date) throws(Invalid) -> [PlaybackEvent] {
        guard let root = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            throw Invalid("Cannot parse JSON document: the body is not valid JSON.")
        }
        guard let document = root as? [String: Any], let payload = document["payload"], let type = document["listen_type"]
        else {
            throw Invalid("Invalid JSON document submitted.")
        }
        guard let listens = payload as? [Any] else {
            throw Invalid("Invalid JSON document submitted: payload must be a list of listens.")
        }
        if listens.isEmpty { throw Invalid("JSON document does not contain any listens") }
        guard let type = type as? String, ["playing_now", "single", "import"].contains(type) else {
            throw Invalid("JSON document requires a valid listen_type key.")
        }
        if body.count > listens.count * Self.maxListenSize {
            throw Invalid(
                "JSON document is too large. In aggregate, listens may not be larger than \(Self.maxListenSize) characters.")
        }
        if type != "import", listens.count > 1 {
            throw Invalid("JSON document contains more than listen for a single/playing_now. It should contain only one.")
        }
        if listens.count > Self.maxListensPerRequest {
            throw Invalid(
                "Too many listens. You have submitted \(listens.count) listens, the limit is \(Self.maxListensPerRequest).")
        }
        var events: [PlaybackEvent] = []
        for listen in listens {
            events.append(try event(from: listen, type: type, username: username, now: now))
        }
        return events
    }

    private func event(from value: Any, type: String, username: String, now: Date) throws(Invalid) -> PlaybackEvent {
        guard let listen = value as? [String: Any] else { throw Invalid("Each listen must be a JSON object.") }
        var timestamp = now
        if type == "playing_now" {
            if listen["listened_at"] != nil, !(listen["listened_at"] is NSNull) {
                throw Invalid("JSON document should not contain listened_at while submitting playing_now.")
            }
        } else {
            guard listen["listened_at"] != nil else {
                throw Invalid("JSON document must contain the key listened_at at the top level.")
            }
            guard let seconds = listen["listened_at"] as? NSNumber, seconds.doubleValue == seconds.doubleValue.rounded(),
                !(listen["listened_at"] is Bool)
            else {
                throw Invalid("JSON document must contain an int value for listened_at.")
            }
            guard seconds.intValue >= Self.minimumListenedAt else {
                throw Invalid(
                    "Value for key listened_at is too low. listened_at timestamp should be greater than \(Self.minimumListenedAt).")
            }
            timestamp = Date(timeIntervalSince1970: seconds.doubleValue)
        }
        guard let metadata = listen["track_metadata"] as? [String: Any] else {
            throw Invalid("JSON document must contain the key track_metadata at the top level.")
        }
        guard let artist = metadata["artist_name"] as? String, !artist.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Invalid("JSON document does not contain required track_metadata.artist_name.")
        }
        guard let title = metadata["track_name"] as? String, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Invalid("JSON document does not contain required track_metadata.track_name.")
        }
        if let release = metadata["release_name"], !(release is String), !(release is NSNull) {
            throw Invalid("track_metadata.release_name must be a string.")
        }
        let info: [String: Any]
        switch metadata["additional_info"] {
        case nil, is NSNull: info = [:]
        case let object as [String: Any]: info = object
        default: throw Invalid("track_metadata.additional_info must be a JSON object.")
        }

        let player =
            LenientJSON.text(info["media_player"]) ?? LenientJSON.text(info["submission_client"])
            ?? LenientJSON.text(info["music_service_name"]) ?? "ListenBrainz"
        let duration =
            LenientJSON.double(info["duration_ms"]).map { $0 / 1000 } ?? LenientJSON.double(info["duration"]) ?? 0
        let names = LenientJSON.array(info["artist_names"]).compactMap { LenientJSON.text($0) }
        let mbids = LenientJSON.array(info["artist_mbids"]).compactMap { LenientJSON.text($0) }
        var artists: [ArtistRef]
        if names.isEmpty {
            artists = [ArtistRef(name: artist, mbid: mbids.count == 1 ? mbids[0] : nil)]
        } else {
            artists = names.enumerated().map { i, name in
                ArtistRef(name: name, mbid: names.count == mbids.count ? mbids[i] : nil)
            }
        }
        let albumArtist = LenientJSON.text(info["release_artist_name"]) ?? LenientJSON.text(info["albumartist"]) ?? ""
        let track = PlaybackTrack(
            id: "",
            title: title,
            album: LenientJSON.text(metadata["release_name"]) ?? "",
            artist: artist,
            albumArtist: albumArtist,
            duration: max(0, duration),
            trackNumber: max(0, LenientJSON.int(info["tracknumber"]) ?? 0),
            discNumber: max(0, LenientJSON.int(info["discnumber"]) ?? 0),
            artists: artists,
            albumArtists: albumArtist.isEmpty ? [] : [ArtistRef(name: albumArtist)],
            mbzRecordingId: LenientJSON.text(info["recording_mbid"]),
            mbzAlbumId: LenientJSON.text(info["release_mbid"]),
            mbzReleaseGroupId: LenientJSON.text(info["release_group_mbid"]),
            mbzReleaseTrackId: LenientJSON.text(info["track_mbid"])
        )
        let playing = type == "playing_now"
        return PlaybackEvent(
            kind: playing ? .started : .scrobble, source: .listenBrainz, username: username, playerId: player,
            playerName: LenientJSON.text(info["media_player"]) ?? player, track: track,
            positionMs: playing ? 0 : Int64(track.duration * 1000), playbackRate: 1, timestamp: timestamp)
    }

    // MARK: Replies and logs

    private static func error(_ code: Int, _ message: String) -> Reply {
        Reply(status: code, body: json(["code": code, "error": message]), events: [])
    }

    private static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    private func logOnce(_ key: String, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        let first = logged.withLock { seen in
            if seen.count > 10_000 { seen.removeAll() }
            return seen.insert(key).inserted
        }
        if first {
            logger.warning(message, metadata: metadata)
        } else {
            logger.debug(message, metadata: metadata)
        }
    }
}
