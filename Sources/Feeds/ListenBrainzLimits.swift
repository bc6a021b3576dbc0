/// The limits of Tonearm's ListenBrainz API, so that no client, with a valid token or
/// without one, can exhaust the daemon's memory or its plugins. The defaults suit a
/// household or a small community server; the daemon may choose its own.
///
/// A client is a user (found by token) or, for a request without a valid token, the
/// remote address. Over a limit the answer is HTTP 429 with a ListenBrainz-style JSON error,
/// `Retry-After` and `X-RateLimit-Reset-In` (seconds), and no event is produced.
public struct ListenBrainzLimits: Sendable, Hashable {
    /// The largest request body read, in bytes; a larger one is a 413. Default: ListenBrainz's
    /// 1,000 listens of 10,240 characters, plus 64 KiB for the document around them.
    public var maxBodyBytes: Int
    /// Requests one client may make per `window`. Default 50.
    public var requestsPerWindow: Int
    /// Listens one user may submit per `window`: what one user can put in the daemon's
    /// delivery queue. Default 2,000 (two full `import`s).
    public var listensPerWindow: Int
    /// The rate limits' fixed window. Default 10 s.
    public var window: Duration
    /// Requests of one client in progress at once (reading or parsing a body). Default 2.
    public var maxConcurrentRequestsPerClient: Int
    /// Requests with a body larger than `smallBodyBytes` (or of unknown length) in progress at
    /// once over all clients: what bounds the memory that bodies take. Default 4.
    public var maxConcurrentLargeBodies: Int
    /// The largest body that does not count toward `maxConcurrentLargeBodies`, so a flood of big
    /// bodies never holds up `playing_now`s. Default 64 KiB.
    public var smallBodyBytes: Int
    /// Players one user may have playing at once through ListenBrainz (each `playing_now` opens a
    /// session per user and player). A `playing_now` from one more player is refused with a 429
    /// and a warning in the log, until one of the others ends; the players already playing are
    /// never dropped. Default 16.
    public var maxPlayersPerUser: Int
    /// How long a player counts as playing after its `playing_now`: the track's duration plus
    /// `sessionGrace`, or `unknownDurationSession` when the duration is unknown. Defaults 60 s and
    /// 660 s: at least as long as the daemon keeps the session (track end + 5 s, or 600 s).
    public var sessionGrace: Duration
    public var unknownDurationSession: Duration
    /// Clients whose counts are kept; once that many are within their window, requests from new
    /// remote addresses share one budget. Default 10,000.
    public var maxTrackedClients: Int

    public init(
        maxBodyBytes: Int = ListenBrainzReceiver.maxListensPerRequest * ListenBrainzReceiver.maxListenSize + 65_536,
        requestsPerWindow: Int = 50, listensPerWindow: Int = 2_000, window: Duration = .seconds(10),
        maxConcurrentRequestsPerClient: Int = 2, maxConcurrentLargeBodies: Int = 4, smallBodyBytes: Int = 65_536,
        maxPlayersPerUser: Int = 16, sessionGrace: Duration = .seconds(60),
        unknownDurationSession: Duration = .seconds(660), maxTrackedClients: Int = 10_000
    ) {
        self.maxBodyBytes = maxBodyBytes
        self.requestsPerWindow = requestsPerWindow
        self.listensPerWindow = listensPerWindow
        self.window = window
        self.maxConcurrentRequestsPerClient = maxConcurrentRequestsPerClient
        self.maxConcurrentLargeBodies = maxConcurrentLargeBodies
        self.smallBodyBytes = smallBodyBytes
        self.maxPlayersPerUser = maxPlayersPerUser
        self.sessionGrace = sessionGrace
        self.unknownDurationSession = unknownDurationSession
        self.maxTrackedClients = maxTrackedClients
    }

    /// The defaults above.
    public static let `default` = ListenBrainzLimits()
}
