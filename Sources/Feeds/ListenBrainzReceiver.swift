import Crypto
import Foundation
import Logging
import NIOCore
import Synchronization
import TonearmJSON

/// The ListenBrainz feed: the part of the ListenBrainz API that players and servers use to
/// report listening (`POST /1/submit-listens`, `GET /1/validate-token`), independent of any
/// HTTP server: the daemon passes the `Authorization` header and a way to read the body in
/// and sends the reply's status, headers and JSON body back.
///
/// - Tokens map to usernames (given at init). An unknown or missing token on
///   `submit-listens` is a 401 with a ListenBrainz-style error body, answered before any of
///   the body is read.
/// - `ListenBrainzLimits` bound what any client can make the daemon do: requests and listens
///   per window, requests and large bodies in progress, players per user (429 beyond them,
///   413 for a body that is too large).
/// - `playing_now` becomes a `started` event (position 0, rate 1, timestamp now);
///   `single` and `import` become `scrobble` events at their `listened_at`.
/// - The player is `additional_info.media_player`, else `submission_client` (Navidrome
///   sends `submission_client: "Navidrome"`), else `music_service_name`, else "ListenBrainz".
/// - Payloads are checked as ListenBrainz does; a bad one is a 400
///   `{"code":400,"error":"…"}` naming the problem, and produces no events. Numbers are
///   range-checked: `listened_at` and the durations are refused out of range (as ListenBrainz
///   does); the free-form `tracknumber` and `discnumber` count as absent when they are not
///   plausible.
/// - ListenBrainz has no "stop": a `playing_now` is never followed by a `stopped` from this
///   feed. The daemon expires it after the track's duration (or its own default when the
///   duration is unknown), or when a newer `playing_now` replaces it.
/// - Problems are logged once per kind and token (the token is never logged, only a
///   short fingerprint of it), and at most ``warningsPerMinute`` of them a minute: a flood of
///   new tokens cannot fill the log. What was held back is counted in one line a minute later.
public final class ListenBrainzReceiver: Sendable {
    /// An HTTP answer plus the events it carried (empty unless the status is 200).
    public struct Reply: Sendable {
        public var status: Int
        /// JSON.
        public var body: Data
        public var events: [PlaybackEvent]
        /// Extra response headers: `Retry-After` and `X-RateLimit-Reset-In` on a 429.
        public var headers: [String: String] = [:]
        public let contentType = "application/json"
    }

    /// ListenBrainz's limits: characters per listen and listens per request.
    public static let maxListenSize = 10_240
    public static let maxListensPerRequest = 1000
    /// `listened_at` values before 2002-10-01 are refused, as ListenBrainz does.
    public static let minimumListenedAt = 1_033_430_400
    /// `listened_at` values more than this many seconds after now are refused: a day covers
    /// any player clock that is merely wrong.
    public static let maximumListenedAtAhead: Double = 86_400

    /// What this receiver enforces.
    public var limits: ListenBrainzLimits { admission.limits }

    private let usernames: [String: String]
    private let logger: Logger
    private let logged = Mutex(WarningLog())

    /// Most problem warnings logged in a minute; further ones go to the debug level.
    public static let warningsPerMinute = 20

    /// Which problems were logged, and the budget of the current minute.
    private struct WarningLog {
        var seen: Set<String> = []
        var minuteStart = ContinuousClock.now
        var loggedThisMinute = 0
        var heldBack = 0
    }
    private let admission: ListenBrainzAdmission

    /// - Parameters:
    ///   - tokens: ListenBrainz user token → username.
    ///   - limits: rate, concurrency, size and player limits.
    public init(tokens: [String: String], limits: ListenBrainzLimits = .default, logger: Logger) {
        self.usernames = tokens
        self.logger = logger
        self.admission = ListenBrainzAdmission(limits: limits)
    }

    /// `POST /1/submit-listens`, in the order that keeps a hostile client cheap: the token is
    /// checked first (a bad one is a 401 and the body is never read), then the client's rate
    /// and concurrency limits, the declared length, and only then is the body read.
    ///
    /// - Parameters:
    ///   - remoteAddress: the client's address, which requests without a valid token are
    ///     counted against (nil when unknown: they then share one budget).
    ///   - declaredLength: the `Content-Length`, when the request has one.
    ///   - readBody: reads the whole body, at most `limit` bytes; it throws
    ///     `NIOTooManyBytesError` (as `collect(upTo:)` does) when the body is larger.
    public func submitListens(
        authorization: String?, remoteAddress: String? = nil, declaredLength: Int? = nil, now: Date = Date(),
        readBody: (_ limit: Int) async throws -> Data
    ) async -> Reply {
        let username: String
        switch authenticate(authorization) {
        case .user(let name):
            username = name
        case .rejected(let reply):
            let client = ListenBrainzAdmission.Client.address(remoteAddress)
            if let refusal = admission.countRequest(of: client, now: now) { return tooMany(client, refusal) }
            return reply
        }
        let client = ListenBrainzAdmission.Client.user(username)
        if let refusal = admission.countRequest(of: client, now: now) { return tooMany(client, refusal) }
        let maxBytes = limits.maxBodyBytes
        if let declaredLength, declaredLength > maxBytes { return Self.tooLarge(maxBytes) }
        let large = (declaredLength ?? Int.max) > limits.smallBodyBytes
        if let refusal = admission.start(client, large: large) { return tooMany(client, refusal) }
        defer { admission.finish(client, large: large) }

        let body: Data
        do {
            body = try await readBody(maxBytes)
        } catch is NIOTooManyBytesError {
            return Self.tooLarge(maxBytes)
        } catch {
            return Self.error(400, "Could not read the request body.")
        }
        guard body.count <= maxBytes else { return Self.tooLarge(maxBytes) }

        let events: [PlaybackEvent]
        do {
            events = try parse(body, username: username, now: now)
        } catch {
            logOnce(
                "submit:\(username):\(error.message)", "Rejected a ListenBrainz submission",
                ["user": "\(username)", "error": "\(error.message)"])
            return Self.error(400, error.message)
        }
        if let refusal = admission.countListens(events.count, of: username, now: now) {
            return tooMany(client, refusal)
        }
        for event in events where event.kind == .started {
            let lifetime =
                event.track.duration > 0
                ? event.track.duration + limits.sessionGrace / .seconds(1) : limits.unknownDurationSession / .seconds(1)
            if let refusal = admission.admitPlayer(
                event.playerId, of: username, until: now.addingTimeInterval(lifetime), now: now)
            {
                logOnce(
                    "players:\(username)", "ListenBrainz playing_now refused: the user has too many players playing",
                    ["user": "\(username)", "player": "\(event.playerId)", "limit": "\(limits.maxPlayersPerUser)"])
                return Self.refused(refusal)
            }
        }
        return Reply(status: 200, body: Self.json(["status": "ok"]), events: events)
    }

    /// `GET /1/validate-token`, with the token from the `token` query parameter or the
    /// `Authorization: Token …` header. As ListenBrainz: 200 with `valid` true or false,
    /// 400 when no token was given. Every request counts against the remote address's request
    /// budget, so the endpoint cannot be used to guess tokens quickly.
    public func validateToken(
        authorization: String?, token: String? = nil, remoteAddress: String? = nil, now: Date = Date()
    ) -> Reply {
        let client = ListenBrainzAdmission.Client.address(remoteAddress)
        if let refusal = admission.countRequest(of: client, now: now) { return tooMany(client, refusal) }
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
            body: Self.json(["code": 200, "message": "Token valid.", "valid": true, "user_name": .string(username)]),
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
        guard let root = try? JSONValue.parse(Array(body)) else {
            throw Invalid("Cannot parse JSON document: the body is not valid JSON.")
        }
        guard let document = root.objectValue, let payload = document["payload"], let type = document["listen_type"]
        else {
            throw Invalid("Invalid JSON document submitted.")
        }
        guard let listens = payload.arrayValue else {
            throw Invalid("Invalid JSON document submitted: payload must be a list of listens.")
        }
        if listens.isEmpty { throw Invalid("JSON document does not contain any listens") }
        guard let type = type.stringValue, ["playing_now", "single", "import"].contains(type) else {
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

    private func event(from value: JSONValue, type: String, username: String, now: Date) throws(Invalid) -> PlaybackEvent {
        guard let listen = value.objectValue else { throw Invalid("Each listen must be a JSON object.") }
        var timestamp = now
        if type == "playing_now" {
            if let listenedAt = listen["listened_at"], listenedAt != .null {
                throw Invalid("JSON document should not contain listened_at while submitting playing_now.")
            }
        } else {
            guard listen["listened_at"] != nil else {
                throw Invalid("JSON document must contain the key listened_at at the top level.")
            }
            guard let seconds = listen["listened_at"]?.numberValue, seconds == seconds.rounded()
            else {
                throw Invalid("JSON document must contain an int value for listened_at.")
            }
            guard seconds >= Double(Self.minimumListenedAt) else {
                throw Invalid(
                    "Value for key listened_at is too low. listened_at timestamp should be greater than \(Self.minimumListenedAt).")
            }
            // Compared as a Double, never converted: 1e19 or an infinity is simply too high.
            let latest = (now.timeIntervalSince1970 + Self.maximumListenedAtAhead).rounded(.down)
            guard seconds <= latest else {
                throw Invalid(
                    "Value for key listened_at is too high. listened_at timestamp should be at most a day from now (\(Int64(exactly: latest) ?? 0)).")
            }
            timestamp = Date(timeIntervalSince1970: seconds)
        }
        guard let metadata = listen["track_metadata"]?.objectValue else {
            throw Invalid("JSON document must contain the key track_metadata at the top level.")
        }
        guard let artist = metadata["artist_name"]?.stringValue, !artist.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Invalid("JSON document does not contain required track_metadata.artist_name.")
        }
        guard let title = metadata["track_name"]?.stringValue, !title.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw Invalid("JSON document does not contain required track_metadata.track_name.")
        }
        if let release = metadata["release_name"], release.stringValue == nil, release != .null {
            throw Invalid("track_metadata.release_name must be a string.")
        }
        let info: JSONObject
        switch metadata["additional_info"] {
        case nil, .null?: info = JSONObject()
        case .object(let object)?: info = object
        default: throw Invalid("track_metadata.additional_info must be a JSON object.")
        }

        let player =
            LenientJSON.text(info["media_player"]) ?? LenientJSON.text(info["submission_client"])
            ?? LenientJSON.text(info["music_service_name"]) ?? "ListenBrainz"
        var duration = try Self.duration(info, "duration_ms", unit: 1000)
        if let seconds = duration, seconds > 0, seconds < 1 {
            // No track with a title lasts under a second: this client sends seconds in
            // duration_ms (Supysonic's ListenBrainz forwarding does). A matched server track's
            // duration replaces it later.
            duration = seconds * 1000
            logOnce(
                "duration-seconds:" + player,
                "a ListenBrainz client sends duration_ms in seconds; read as seconds",
                ["client": "\(player)", "duration_ms": "\(seconds * 1000)"])
        }
        if duration == nil { duration = try Self.duration(info, "duration", unit: 1) }
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
            duration: duration ?? 0,
            trackNumber: LenientJSON.int(info["tracknumber"], in: 0...PlaybackTrack.maxTrackNumber) ?? 0,
            discNumber: LenientJSON.int(info["discnumber"], in: 0...PlaybackTrack.maxTrackNumber) ?? 0,
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
            positionMs: playing ? 0 : Int64((track.duration * 1000).rounded()), playbackRate: 1, timestamp: timestamp)
    }

    /// `additional_info.<key>` in seconds (`unit` is how many of the field's units make one).
    /// Nil when absent, null or not a number (other players' fields are read leniently, as
    /// before); a number outside 0 to 24 days (ListenBrainz's own limit), infinite included, is
    /// refused, as ListenBrainz refuses it.
    private static func duration(_ info: JSONObject, _ key: String, unit: Double) throws(Invalid) -> Double? {
        let value: Double
        switch info[key] {
        case .integer(let integer)?: value = Double(integer)
        case .number(let number)?: value = number
        case .string(let text)?:
            guard let parsed = Double(text.trimmingCharacters(in: .whitespaces)) else { return nil }
            value = parsed
        default: return nil
        }
        let limit = PlaybackTrack.maxDuration * unit
        guard value >= 0, value <= limit else {
            throw Invalid(
                "Value for key additional_info.\(key) is invalid: it should be a number from 0 to \(Int64(limit)) (24 days).")
        }
        return value / unit
    }

    // MARK: Replies and logs

    private static func error(_ code: Int, _ message: String) -> Reply {
        Reply(status: code, body: json(["code": .integer(Int64(code)), "error": .string(message)]), events: [])
    }

    private static func tooLarge(_ limit: Int) -> Reply {
        error(413, "Payload too large: at most \(limit) bytes.")
    }

    /// 429, ListenBrainz-shaped, with the wait in `Retry-After` and ListenBrainz's `X-RateLimit-Reset-In`.
    private static func refused(_ refusal: ListenBrainzAdmission.Refusal) -> Reply {
        var reply = error(429, refusal.message)
        reply.headers = ["Retry-After": "\(refusal.retryAfter)", "X-RateLimit-Reset-In": "\(refusal.retryAfter)"]
        return reply
    }

    private func tooMany(_ client: ListenBrainzAdmission.Client, _ refusal: ListenBrainzAdmission.Refusal) -> Reply {
        logOnce(
            "limit:\(client.key)", "ListenBrainz client over its limit; answering 429",
            ["client": "\(client)", "reason": "\(refusal.message)"])
        return Self.refused(refusal)
    }

    /// A reply body, keys sorted.
    private static func json(_ object: JSONValue) -> Data {
        Data(object.sortingKeys().goJSONBytes())
    }

    private func logOnce(_ key: String, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        let now = ContinuousClock.now
        let (warn, heldBackLastMinute) = logged.withLock { log -> (Bool, Int) in
            var heldBack = 0
            if now - log.minuteStart >= .seconds(60) {
                heldBack = log.heldBack
                log.minuteStart = now
                log.loggedThisMinute = 0
                log.heldBack = 0
            }
            if log.seen.count > 10_000 { log.seen.removeAll() }
            guard log.seen.insert(key).inserted else { return (false, heldBack) }
            guard log.loggedThisMinute < Self.warningsPerMinute else {
                log.heldBack += 1
                return (false, heldBack)
            }
            log.loggedThisMinute += 1
            return (true, heldBack)
        }
        if heldBackLastMinute > 0 {
            logger.warning(
                "more ListenBrainz problems in the last minute than the log takes; held back at debug level",
                metadata: ["count": "\(heldBackLastMinute)"])
        }
        if warn {
            logger.warning(message, metadata: metadata)
        } else {
            logger.debug(message, metadata: metadata)
        }
    }
}
