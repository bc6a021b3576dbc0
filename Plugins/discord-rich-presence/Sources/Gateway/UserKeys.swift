/// Cache keys and schedule ids of one user. The WebSocket connection id is the username.
struct UserKeys {
    let user: String
    /// `discord.<user>.`, which every cache key of the user starts with.
    private let cachePrefix: String

    init(user: String) {
        self.user = user
        cachePrefix = "discord." + user + "."
    }

    var session: String { cachePrefix + "session" }
    var sequence: String { cachePrefix + "seq" }
    /// 1 when the last heartbeat was acknowledged (op 11), 0 while waiting. Kept apart from the
    /// session so heartbeats and ACKs never overwrite a concurrent session or budget update.
    var acknowledged: String { cachePrefix + "ack" }
    /// ``SendBudget`` of the current connection, written only where frames other than
    /// heartbeats are sent.
    var sends: String { cachePrefix + "sends" }
    /// The ``PresenceRecord`` to show; only the calls that decide what to show write it.
    var presence: String { cachePrefix + "presence" }
    /// The Presence Update frame last sent on the current connection, kept apart from the
    /// presence so a send never overwrites a presence stored meanwhile.
    var delivered: String { cachePrefix + "delivered" }
    /// 1 while the user's own Discord client is invisible (``ClientVisibility``): the presence
    /// is then sent empty, with status invisible.
    var invisible: String { cachePrefix + "invisible" }
    /// Last PlaybackReport seen (track and state), so NowPlaying can stand aside.
    var report: String { cachePrefix + "report" }
    /// Set after a fatal close code: `{"until": ms (0 = until reload), "reason": …}`.
    var blocked: String { cachePrefix + "blocked" }
    /// Closes the plugin itself started and whose callbacks are still to come.
    var expectedCloses: String { cachePrefix + "closing" }

    var heartbeatSchedule: String { user + "-heartbeat" }
    var clearSchedule: String { user + "-clear" }
    var flushSchedule: String { user + "-flush" }
    var reconnectSchedule: String { user + "-reconnect" }
    var identifySchedule: String { user + "-identify" }
    /// Held (as a one-time schedule, which the host refuses to add twice) by the call sending a
    /// Presence Update, so two calls never spend the same send budget.
    var sendLock: String { user + "-sending" }
}
