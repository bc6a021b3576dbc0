import Feeds
import Foundation
import Logging
import NavidromeABI
import PluginRuntime
import Synchronization

/// Delivers playback events to the Scrobbler plugins, as Navidrome's play tracker does.
///
/// For every event and every plugin with the Scrobbler capability to which the user is
/// assigned: `nd_scrobbler_is_authorized` first (only a JSON `true` lets the event through),
/// then `nd_scrobbler_playback_report` for the state change and, for starting and playing
/// states, `nd_scrobbler_now_playing`. Scrobbles go to `nd_scrobbler_scrobble` and are retried
/// with back-off (5 s doubling to 240 s) only on `scrobbler(retry_later)`; each is journaled
/// durably when accepted (see ``accept(_:)``), so an acknowledged scrobble survives a crash.
///
/// Events of one user are delivered in order, one at a time; users never wait on each other.
/// While a plugin's call slots are all taken, a user's calls queue as of the start of the user's
/// previous delivery, so users whose players report rarely go ahead of those reporting a few
/// times a second (whose waiting track starts are then superseded rather than delivered).
/// A track start still waiting when the same player starts another track is skipped (the newer
/// one says what plays now), so a player that skips faster than the plugins answer never builds
/// a backlog; every other event (pause, resume, seek, stop, scrobble) is delivered.
/// The dispatcher also keeps each user's current playback (for `/api/status`, for expiring
/// ListenBrainz `playing_now` sessions that get no stop, and for clearing presences at
/// shutdown).
final class PlaybackDispatcher: Sendable {
    /// What one queued delivery does.
    enum Delivery: Sendable {
        /// `sequence` is nonzero for track starts, which a newer start of the same player supersedes.
        case event(PlaybackEvent, sequence: UInt64 = 0)
        /// The session's time ran out with no stop (Navidrome's `expired`).
        case expired(PlaybackEvent)
        /// A scrobble, journaled once for each plugin that may take it.
        case scrobbles([PendingScrobble])
    }

    private let host: any ScrobblerPluginHost
    private let logger: Logger
    private let queues = Mutex<[String: UserQueue]>([:])
    private let sessions = Mutex<[SessionKey: Session]>([:])
    /// Track starts waiting in the queues: the newest of each player, and those superseded.
    private let waitingStarts = Mutex(WaitingStarts())

    private struct WaitingStarts {
        var next: UInt64 = 1
        var newest: [SessionKey: UInt64] = [:]
        var superseded: Set<UInt64> = []
    }
    private let retries: ScrobbleRetries
    /// A session with no stop expires this long after its track should have ended.
    let expiryGrace: Duration
    /// How long a session of unknown duration lasts without news.
    let unknownDurationExpiry: Duration
    /// The longest a session lasts without news, whatever the track's duration and position say.
    static let longestSession: Duration = .seconds(48 * 3600)

    /// Completes a track a feed reported without a server id from the music server's songs
    /// (``SubsonicTrackMatcher``), when a music server is configured.
    private let matchTrack: (@Sendable (PlaybackTrack) async -> PlaybackTrack)?

    init(
        host: any ScrobblerPluginHost, logger: Logger, expiryGrace: Duration = .seconds(5),
        unknownDurationExpiry: Duration = .seconds(600), retryBackoff: ScrobbleRetries.Backoff = .navidrome,
        retryStore: ScrobbleRetryStore? = nil, matchTrack: (@Sendable (PlaybackTrack) async -> PlaybackTrack)? = nil
    ) {
        self.host = host
        self.matchTrack = matchTrack
        self.logger = logger
        self.expiryGrace = expiryGrace
        self.unknownDurationExpiry = unknownDurationExpiry
        self.retries = ScrobbleRetries(host: host, logger: logger, backoff: retryBackoff, store: retryStore)
    }

    /// Queues `event` for its user; returns at once. A scrobble that cannot be journaled is
    /// still delivered (with an error log line); use ``accept(_:)`` to refuse it instead.
    func submit(_ event: PlaybackEvent) {
        do {
            try accept([event])
        } catch {
            logger.warning("delivering the scrobble without a journal entry: a crash would lose it")
            enqueue(.scrobbles(retries.prepare(event, plugins: host.scrobblerPlugins(for: event.username))), for: event.username)
        }
    }

    /// Queues `events` for their users, for a client that waits for the answer (a ListenBrainz
    /// submission): scrobbles are first written to the retry journal and fsync'd, so once this
    /// returns each of them survives a crash. Throws, queueing nothing, when the journal cannot
    /// be written — the client should then be told to try again.
    func accept(_ events: [PlaybackEvent]) throws(DurableFile.Failure) {
        var deliveries: [(username: String, delivery: Delivery)] = []
        var journal: [PendingScrobble] = []
        for event in events {
            guard event.kind == .scrobble else {
                deliveries.append((event.username, .event(event)))
                continue
            }
            let scrobbles = retries.prepare(event, plugins: host.scrobblerPlugins(for: event.username))
            guard !scrobbles.isEmpty else { continue }
            journal += scrobbles
            deliveries.append((event.username, .scrobbles(scrobbles)))
        }
        do {
            try retries.journal(journal)
        } catch {
            logger.error("could not journal scrobbles", metadata: ["error": "\(error)", "count": "\(journal.count)"])
            throw error
        }
        for (username, delivery) in deliveries { enqueue(delivery, for: username) }
    }

    /// What each user is playing now, by username, then player id.
    func currentPlayback() -> [String: [String: PlaybackEvent]] {
        sessions.withLock { sessions in
            var result: [String: [String: PlaybackEvent]] = [:]
            for (key, session) in sessions { result[key.username, default: [:]][key.playerId] = session.event }
            return result
        }
    }

    /// Stops every session still playing (so plugins clear what they show), then waits until
    /// every queued delivery is done.
    func shutdown() async {
        let open = sessions.withLock { sessions in sessions.values.map(\.event) }
        for event in open {
            var stop = event
            stop.kind = .stopped
            stop.timestamp = Date()
            submit(stop)
        }
        let drained = queues.withLock { queues in
            let all = Array(queues.values)
            queues.removeAll()
            return all
        }
        for queue in drained {
            queue.continuation.finish()
            await queue.task.value
        }
        retries.cancelAll()
    }

    // MARK: Queues

    private struct UserQueue: Sendable {
        let continuation: AsyncStream<Delivery>.Continuation
        let task: Task<Void, Never>
        /// Deliveries queued and not yet done.
        let waiting: WaitingCount
    }

    private final class WaitingCount: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Most playback events waiting for one user; beyond it, new playback events of that user
    /// are dropped with a warning. A client within the ListenBrainz receiver's rate limits stays
    /// far below it; the bound keeps memory in check while a user's plugin calls are stuck.
    /// Scrobbles are never dropped: they are journaled, and the receiver bounds how many a user
    /// can submit.
    static let maxWaitingEventsPerUser = 256

    private func enqueue(_ delivery: Delivery, for username: String) {
        let key = username.lowercased()
        let dropped = queues.withLock { queues -> Bool in
            if queues[key] == nil {
                let (stream, continuation) = AsyncStream.makeStream(of: Delivery.self)
                let waiting = WaitingCount()
                let task = Task { [self] in
                    var previousStart = ContinuousClock.now
                    for await delivery in stream {
                        let start = ContinuousClock.now
                        await deliver(delivery, queuedSince: previousStart)
                        previousStart = start
                        waiting.value.subtract(1, ordering: .relaxed)
                    }
                }
                queues[key] = UserQueue(continuation: continuation, task: task, waiting: waiting)
            }
            let queue = queues[key]!
            if case .event = delivery, queue.waiting.value.load(ordering: .relaxed) >= Self.maxWaitingEventsPerUser {
                return true
            }
            queue.waiting.value.add(1, ordering: .relaxed)
            // Numbered only once queued: a dropped event supersedes nothing.
            queue.continuation.yield(numbered(delivery))
            return false
        }
        if dropped {
            logger.warning(
                "playback event dropped: too many waiting for this user",
                metadata: ["user": "\(username)", "limit": "\(Self.maxWaitingEventsPerUser)"])
        }
    }

    /// A track start numbered so that a newer start of its player, queued right behind it,
    /// supersedes it; other deliveries unchanged (an event that is not a start ends the run).
    private func numbered(_ delivery: Delivery) -> Delivery {
        guard case .event(let event, _) = delivery else { return delivery }
        let player = SessionKey(username: event.username.lowercased(), playerId: event.playerId)
        let startsTrack = Self.startsTrack(event.kind)
        let sequence = waitingStarts.withLock { starts -> UInt64 in
            let older = starts.newest.removeValue(forKey: player)
            guard startsTrack else { return 0 }
            if let older { starts.superseded.insert(older) }
            defer { starts.next += 1 }
            starts.newest[player] = starts.next
            return starts.next
        }
        return sequence == 0 ? delivery : .event(event, sequence: sequence)
    }

    // MARK: Delivery

    private func deliver(_ delivery: Delivery, queuedSince: ContinuousClock.Instant) async {
        let event: PlaybackEvent
        let state: String?
        switch delivery {
        case .event(var playback, let sequence):
            // Matched first, so that a newer start queued while the server answers supersedes it.
            if playback.track.id.isEmpty, Self.startsTrack(playback.kind), let matchTrack {
                playback.track = await matchTrack(playback.track)
            }
            if sequence != 0, isSuperseded(playback, sequence: sequence) { return }
            guard track(playback) else { return }
            event = playback
            state = Self.reportState(for: playback.kind)
        case .expired(let playback):
            event = playback
            state = "expired"
        case .scrobbles(let scrobbles):
            for scrobble in scrobbles { await retries.deliver(scrobble) }
            return
        }
        for plugin in host.scrobblerPlugins(for: event.username) {
            guard await isAuthorized(plugin: plugin, username: event.username, queuedSince: queuedSince) else { continue }
            if let state {
                await playbackReport(event, state: state, plugin: plugin, queuedSince: queuedSince)
            }
            if case .event = delivery, Self.sendsNowPlaying(event.kind) {
                await nowPlaying(event, plugin: plugin, queuedSince: queuedSince)
            }
        }
    }

    /// Whether an event of this kind starts a track (and may be superseded by the next start).
    static func startsTrack(_ kind: PlaybackEvent.Kind) -> Bool {
        switch kind {
        case .started, .trackChanged: true
        case .resumed, .seeked, .paused, .stopped, .scrobble: false
        }
    }

    /// Whether the track start numbered `sequence` was superseded while it waited; forgets it.
    private func isSuperseded(_ event: PlaybackEvent, sequence: UInt64) -> Bool {
        let player = SessionKey(username: event.username.lowercased(), playerId: event.playerId)
        return waitingStarts.withLock { starts in
            if starts.newest[player] == sequence { starts.newest[player] = nil }
            return starts.superseded.remove(sequence) != nil
        }
    }

    /// Navidrome's PlaybackReport state for an event.
    static func reportState(for kind: PlaybackEvent.Kind) -> String? {
        switch kind {
        case .started, .trackChanged: "starting"
        case .resumed, .seeked: "playing"
        case .paused: "paused"
        case .stopped: "stopped"
        case .scrobble: nil
        }
    }

    /// Navidrome sends NowPlaying after starting and playing reports only.
    static func sendsNowPlaying(_ kind: PlaybackEvent.Kind) -> Bool {
        switch kind {
        case .started, .trackChanged, .resumed, .seeked: true
        case .paused, .stopped, .scrobble: false
        }
    }

    private func isAuthorized(plugin: String, username: String, queuedSince: ContinuousClock.Instant) async -> Bool {
        await ScrobblerAuthorization.check(
            plugin: plugin, username: username, host: host, logger: logger, queuedSince: queuedSince) == .authorized
    }

    private func playbackReport(
        _ event: PlaybackEvent, state: String, plugin: String, queuedSince: ContinuousClock.Instant
    ) async {
        let payload = PlaybackReportRequest(
            username: event.username, track: TrackInfo(event.track), state: state, positionMs: max(0, event.positionMs),
            playbackRate: OutsideNumbers.finitePositive(event.playbackRate, or: 1), playerId: event.playerId,
            playerName: event.playerName, timestamp: OutsideNumbers.unixSeconds(event.timestamp))
        do {
            _ = try await host.call(
                plugin: plugin, export: ScrobblerCapability.playbackReport, input: payload.goJSONBytes(),
                queuedSince: queuedSince)
        } catch where error.isNotImplemented {
            // As in Navidrome: a plugin without playback_report simply doesn't get reports.
        } catch {
            logger.warning("playback_report failed", metadata: ["plugin": "\(plugin)", "state": "\(state)", "error": "\(error)"])
        }
    }

    private func nowPlaying(_ event: PlaybackEvent, plugin: String, queuedSince: ContinuousClock.Instant) async {
        let payload = NowPlayingRequest(
            username: event.username, track: TrackInfo(event.track),
            position: Int32(clamping: max(0, event.positionMs) / 1000))
        do {
            _ = try await host.call(
                plugin: plugin, export: ScrobblerCapability.nowPlaying, input: payload.goJSONBytes(),
                queuedSince: queuedSince)
        } catch where error.isNotImplemented {
            logger.debug("plugin has no now_playing", metadata: ["plugin": "\(plugin)"])
        } catch {
            logger.warning("now_playing failed", metadata: ["plugin": "\(plugin)", "error": "\(error)"])
        }
    }

    // MARK: Sessions

    private struct SessionKey: Hashable, Sendable {
        let username: String
        let playerId: String
    }

    private struct Session: Sendable {
        var event: PlaybackEvent
        var expiry: Task<Void, Never>?
    }

    /// Records the event in the user's sessions; false when it should not be delivered (a stop
    /// for a player that is not playing anything).
    private func track(_ event: PlaybackEvent) -> Bool {
        let key = SessionKey(username: event.username.lowercased(), playerId: event.playerId)
        switch event.kind {
        case .scrobble:
            return true
        case .stopped:
            let removed = sessions.withLock { $0.removeValue(forKey: key) }
            removed?.expiry?.cancel()
            return removed != nil || event.source == .subsonic
        case .started, .trackChanged, .resumed, .seeked, .paused:
            let expiry = expiryTask(for: event)
            let previous = sessions.withLock { sessions in
                let previous = sessions[key]
                sessions[key] = Session(event: event, expiry: expiry)
                return previous
            }
            previous?.expiry?.cancel()
            return true
        }
    }

    /// ListenBrainz `playing_now` has no stop: the session expires after the rest of the track
    /// (or a fixed time when the duration is unknown). Subsonic sessions end when the entry
    /// leaves `getNowPlaying`, so they need no timer.
    private func expiryTask(for event: PlaybackEvent) -> Task<Void, Never>? {
        guard event.source == .listenBrainz, event.kind != .paused else { return nil }
        let delay: Duration
        let duration = OutsideNumbers.finiteNonNegative(event.track.duration)
        if duration > 0 {
            let rate = OutsideNumbers.finitePositive(event.playbackRate, or: 1)
            let remaining = max(0, duration - Double(event.positionMs) / 1000) / rate
            delay = OutsideNumbers.duration(seconds: remaining, maximum: Self.longestSession) + expiryGrace
        } else {
            delay = unknownDurationExpiry
        }
        let key = SessionKey(username: event.username.lowercased(), playerId: event.playerId)
        return Task { [self] in
            guard (try? await Task.sleep(for: delay)) != nil else { return }
            let expired = sessions.withLock { sessions -> PlaybackEvent? in
                guard let session = sessions[key], session.event == event else { return nil }
                sessions.removeValue(forKey: key)
                return session.event
            }
            guard var expired else { return }
            expired.timestamp = Date()
            enqueue(.expired(expired), for: expired.username)
        }
    }
}
