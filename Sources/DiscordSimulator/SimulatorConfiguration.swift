/// A Discord account the simulator knows: who connects with `token` is `name`.
public struct SimulatedUser: Sendable, Equatable {
    /// Name used in reports and the control API (e.g. the Navidrome username).
    public var name: String
    /// The raw user token accepted in Identify, Resume and `Authorization`.
    public var token: String
    /// The snowflake sent as `user.id` in READY.
    public var id: String

    /// A user; without `id` a stable snowflake is derived from `name`.
    public init(name: String, token: String, id: String? = nil) {
        self.name = name
        self.token = token
        self.id = id ?? SimulatedUser.snowflake(for: name)
    }

    /// A 18-digit id derived from the name, stable across runs.
    static func snowflake(for name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(100_000_000_000_000_000 + hash % 800_000_000_000_000_000)
    }
}

/// "At most `count` events per `windowMilliseconds`", counted per connection.
public struct RateLimit: Sendable, Equatable {
    public var count: Int
    public var windowMilliseconds: Int

    public init(count: Int, windowMilliseconds: Int) {
        self.count = count
        self.windowMilliseconds = windowMilliseconds
    }
}

/// How the simulator listens and how strict it is. Defaults follow the real gateway.
public struct SimulatorConfiguration: Sendable {
    /// Address to bind; loopback unless `allowNonLoopback`.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one (read it back from `DiscordSimulator.endpoints`).
    public var port = 0
    /// Binding anything but a loopback address must be asked for explicitly.
    public var allowNonLoopback = false
    /// `heartbeat_interval` sent in Hello.
    public var heartbeatIntervalMilliseconds = 41_250
    /// A connection without a heartbeat for this long is closed; nil means 1.5 × the interval.
    public var heartbeatTimeoutMilliseconds: Int?
    /// Close code used when heartbeats stop (the real code is undocumented). The session stays resumable.
    public var heartbeatTimeoutCloseCode: UInt16 = 4000
    /// How long a session whose socket went away without 1000/1001 stays resumable.
    public var sessionResumeWindowMilliseconds = 180_000
    /// Delay between Identify and READY; a Presence Update in between is applied when READY is sent.
    public var readyDelayMilliseconds = 0
    /// After a scripted op 7, the server closes the socket (code 4000) if the client has not within this time.
    public var reconnectCloseDelayMilliseconds = 5_000
    /// Largest frame a client may send; larger ones close the socket with 4002.
    public var maxClientFrameBytes = 4_096
    /// Gateway events per connection; exceeding closes with 4008.
    public var frameRateLimit = RateLimit(count: 120, windowMilliseconds: 60_000)
    /// Presence updates per connection; an update beyond it is dropped and recorded as a breach.
    public var presenceRateLimit = RateLimit(count: 5, windowMilliseconds: 20_000)
    /// Frames kept in the frame log (oldest dropped first).
    public var frameLogCapacity = 100_000
    /// Dispatches kept per session for replay on Resume.
    public var replayCapacity = 1_000
    /// Known accounts; more can be added at run time.
    public var users: [SimulatedUser] = []

    public init() {}

    /// The effective heartbeat timeout.
    public var effectiveHeartbeatTimeoutMilliseconds: Int {
        heartbeatTimeoutMilliseconds ?? heartbeatIntervalMilliseconds * 3 / 2
    }

    /// Checks values that would make the simulator misbehave; returns the first problem found.
    public func validate() throws(SimulatorError) {
        guard (0...65_535).contains(port) else { throw .invalidConfiguration("port \(port) is out of range 0-65535") }
        guard heartbeatIntervalMilliseconds > 0 else { throw .invalidConfiguration("heartbeat interval must be > 0 ms") }
        if let timeout = heartbeatTimeoutMilliseconds, timeout <= 0 {
            throw .invalidConfiguration("heartbeat timeout must be > 0 ms")
        }
        guard (1000...4999).contains(heartbeatTimeoutCloseCode) else {
            throw .invalidConfiguration("heartbeat timeout close code \(heartbeatTimeoutCloseCode) is not a valid close code")
        }
        guard sessionResumeWindowMilliseconds >= 0, readyDelayMilliseconds >= 0, reconnectCloseDelayMilliseconds >= 0 else {
            throw .invalidConfiguration("durations must not be negative")
        }
        guard maxClientFrameBytes > 0, frameLogCapacity >= 0, replayCapacity >= 0 else {
            throw .invalidConfiguration("sizes must not be negative")
        }
        for limit in [frameRateLimit, presenceRateLimit] where limit.count < 1 || limit.windowMilliseconds < 1 {
            throw .invalidConfiguration("rate limits need a count and window of at least 1")
        }
        if !allowNonLoopback, !Self.isLoopback(host) {
            throw .invalidConfiguration("refusing to bind non-loopback address \(host) (allow it explicitly)")
        }
        var tokens: Set<String> = []
        var names: Set<String> = []
        for user in users {
            try SimulatedUser.validate(user)
            guard names.insert(user.name).inserted else { throw .invalidConfiguration("user \(user.name) is configured twice") }
            guard tokens.insert(user.token).inserted else {
                throw .invalidConfiguration("user \(user.name) shares its token with another user")
            }
        }
    }

    /// True for 127.0.0.0/8, ::1 and "localhost".
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}

extension SimulatedUser {
    static func validate(_ user: SimulatedUser) throws(SimulatorError) {
        guard !user.name.isEmpty else { throw .invalidConfiguration("a user needs a non-empty name") }
        guard !user.token.isEmpty, !user.token.contains(where: { $0.isWhitespace }) else {
            throw .invalidConfiguration("user \(user.name) needs a non-empty token without spaces")
        }
        guard (17...20).contains(user.id.count), user.id.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidConfiguration("user \(user.name) id must be a snowflake of 17-20 digits")
        }
    }
}

/// Errors the simulator reports to its caller.
public enum SimulatorError: Error, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case unknownUser(String)
    case notConnected(String)
    case notRunning
    case alreadyRunning

    public var description: String {
        switch self {
        case .invalidConfiguration(let message): "invalid configuration: \(message)"
        case .unknownUser(let name): "unknown user \(name)"
        case .notConnected(let name): "user \(name) has no open gateway connection"
        case .notRunning: "the simulator is not running"
        case .alreadyRunning: "the simulator is already running"
        }
    }
}
