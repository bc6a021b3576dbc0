import TonearmJSON

/// Who closed a gateway connection, and how.
public struct CloseRecord: Sendable, Equatable {
    public enum Initiator: String, Sendable {
        /// The simulator sent a close frame.
        case server
        /// The client sent a close frame.
        case client
        /// The socket ended without a close frame (client gone, or a scripted drop).
        case dropped
    }

    public var code: UInt16?
    public var reason: String
    public var initiator: Initiator
    public var connectionID: Int
    public var atMicros: Int64

    var json: JSONValue {
        .object([
            "code": code.map { .integer(Int64($0)) } ?? .null,
            "reason": .string(reason),
            "initiator": .string(initiator.rawValue),
            "connection": .integer(Int64(connectionID)),
            "at_us": .integer(atMicros),
        ])
    }
}

/// A rate limit the client went over.
public struct RateLimitBreach: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// More than the allowed Presence Updates; the update was dropped.
        case presence
        /// More than the allowed gateway events; the socket was closed with 4008.
        case frames
    }

    public var kind: Kind
    public var user: String?
    public var connectionID: Int?
    public var atMicros: Int64

    var json: JSONValue {
        .object([
            "kind": .string(kind.rawValue),
            "user": user.map { .string($0) } ?? .null,
            "connection": connectionID.map { .integer(Int64($0)) } ?? .null,
            "at_us": .integer(atMicros),
        ])
    }
}

/// Per-user counters since start (or the last reset).
public struct UserCounters: Sendable, Equatable {
    public var connections = 0
    public var identifies = 0
    public var resumes = 0
    /// Resumes sent to the main gateway URL instead of `resume_gateway_url`.
    public var resumesOffResumeURL = 0
    public var heartbeats = 0
    public var heartbeatACKs = 0
    /// Presence Updates accepted (applied, or held until READY).
    public var presenceUpdates = 0
    /// Presence Updates dropped for going over the presence rate limit.
    public var presenceUpdatesDropped = 0
    /// Presence Updates whose activity broke Discord's rules (dropped silently, like Discord does).
    public var presenceUpdatesRejected = 0
    /// Why the last Presence Update was rejected.
    public var lastRejection: String?
    /// Breaches of either gateway rate limit.
    public var rateLimitBreaches = 0
    public var externalAssetRequests = 0
    public var closes: [CloseRecord] = []

    var json: JSONValue {
        .object([
            "connections": .integer(Int64(connections)),
            "identifies": .integer(Int64(identifies)),
            "resumes": .integer(Int64(resumes)),
            "resumes_off_resume_url": .integer(Int64(resumesOffResumeURL)),
            "heartbeats": .integer(Int64(heartbeats)),
            "heartbeat_acks": .integer(Int64(heartbeatACKs)),
            "presence_updates": .integer(Int64(presenceUpdates)),
            "presence_updates_dropped": .integer(Int64(presenceUpdatesDropped)),
            "presence_updates_rejected": .integer(Int64(presenceUpdatesRejected)),
            "last_rejection": lastRejection.map { .string($0) } ?? .null,
            "rate_limit_breaches": .integer(Int64(rateLimitBreaches)),
            "external_asset_requests": .integer(Int64(externalAssetRequests)),
            "closes": .array(closes.map(\.json)),
        ])
    }
}

/// A gateway session as the simulator holds it.
public struct SessionReport: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Identify or Resume accepted, READY not yet sent.
        case awaitingReady = "awaiting_ready"
        /// A socket is attached and READY/RESUMED was sent.
        case connected
        /// No socket; a Resume within the window brings it back.
        case resumable
    }

    public var sessionID: String
    public var state: State
    public var sequence: Int
    public var connectionID: Int?
    public var presence: Presence?

    var json: JSONValue {
        .object([
            "session_id": .string(sessionID),
            "state": .string(state.rawValue),
            "seq": .integer(Int64(sequence)),
            "connection": connectionID.map { .integer(Int64($0)) } ?? .null,
            "presence": presence?.json ?? .null,
        ])
    }
}

/// Everything the simulator knows about one user.
public struct UserReport: Sendable, Equatable {
    public var name: String
    public var id: String
    /// The presence others see: from the most recently updated live or resumable session; nil when offline.
    public var presence: Presence?
    /// Status of the user's own Discord client (set with `setClientStatus(_:user:)`); nil while disconnected.
    public var clientStatus: String?
    public var sessions: [SessionReport]
    public var counters: UserCounters

    var json: JSONValue {
        .object([
            "name": .string(name),
            "id": .string(id),
            "presence": presence?.json ?? .null,
            "client_status": clientStatus.map { .string($0) } ?? .null,
            "sessions": .array(sessions.map(\.json)),
            "counters": counters.json,
        ])
    }
}
