import Foundation
import Logging

/// The Subsonic feed: polls `getNowPlaying` as one configured account and hands the
/// changes to a handler as `PlaybackEvent`s (rules in `NowPlayingTracker`: started, track
/// changed, paused, resumed, seeked, stopped, scrobble).
///
/// - Entries missing title, artist, album, duration or MusicBrainz id are completed with
///   `getSong`, once per song id (a small cache).
/// - When the server is down or refuses the account, polling backs off exponentially from
///   `interval` up to `maxBackoff`, logs the outage once and the recovery once, and carries
///   on by itself. No events are produced during an outage; the first good poll after it
///   is compared with the last one before it.
public struct NowPlayingPoller: Sendable {
    public let client: SubsonicClient
    public let credentials: SubsonicCredentials
    public let interval: Duration
    public let maxBackoff: Duration
    private let logger: Logger
    private let activity: FeedActivity?

    /// - Parameters:
    ///   - credentials: the account that polls; it must be allowed to see every user's
    ///     now playing (an admin on Navidrome).
    ///   - interval: time between polls (default 5 s).
    ///   - maxBackoff: the longest wait between polls while the server is down (default 60 s).
    ///   - activity: where each poll's outcome is noted (the console's dashboard).
    public init(
        client: SubsonicClient, credentials: SubsonicCredentials, interval: Duration = .seconds(5),
        maxBackoff: Duration = .seconds(60), activity: FeedActivity? = nil, logger: Logger
    ) {
        self.activity = activity
        self.client = client
        self.credentials = credentials
        self.interval = max(interval, .milliseconds(10))
        self.maxBackoff = max(maxBackoff, self.interval)
        self.logger = logger
    }

    /// Polls until the calling task is cancelled, calling `onEvent` for each event in order
    /// (the next poll waits for the handler). Returns when cancelled.
    public func run(onEvent: @Sendable (PlaybackEvent) async -> Void) async {
        var tracker = NowPlayingTracker()
        tracker.endGrace = max(5, interval / .seconds(1))
        var songs = SongCache()
        var failures = 0
        var outageStart = Date()
        var announced = false

        while !Task.isCancelled {
            let delay: Duration
            do {
                let entries = try await client.getNowPlaying(as: credentials)
                activity?.pollSucceeded()
                if failures > 0 {
                    logger.info(
                        "Subsonic server is reachable again; polling resumed",
                        metadata: [
                            "server": "\(client.serverURL)", "failedPolls": "\(failures)",
                            "outageSeconds": "\(Int(Date().timeIntervalSince(outageStart)))",
                        ])
                    failures = 0
                }
                if !announced {
                    announced = true
                    await announce()
                }
                var completed: [NowPlayingEntry] = []
                for var entry in entries {
                    entry.track = await songs.complete(entry.track, client: client, credentials: credentials, logger: logger)
                    completed.append(entry)
                }
                for event in tracker.update(completed, at: Date()) {
                    await onEvent(event)
                }
                delay = interval
            } catch {
                failures += 1
                if failures == 1 {
                    outageStart = Date()
                    logger.warning(
                        error.isAuthenticationFailure
                            ? "Subsonic server refused the polling account; retrying with back-off"
                            : "Subsonic server unavailable; retrying with back-off",
                        metadata: [
                            "server": "\(client.serverURL)", "account": "\(credentials)", "error": "\(error)",
                        ])
                }
                delay = backoff(afterFailures: failures)
                activity?.pollFailed("\(error)", retryIn: delay)
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
        }
    }

    /// The wait after `failures` consecutive failed polls: interval, 2×, 4×, … up to `maxBackoff`.
    public func backoff(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return interval }
        var delay = interval
        for _ in 1..<min(failures, 32) where delay < maxBackoff {
            delay *= 2
        }
        return min(delay, maxBackoff)
    }

    private func announce() async {
        var metadata: Logger.Metadata = [
            "server": "\(client.serverURL)", "account": "\(credentials)", "interval": "\(interval)",
        ]
        if let info = try? await client.ping(as: credentials) {
            metadata["type"] = "\(info.type ?? "subsonic")"
            metadata["apiVersion"] = "\(info.apiVersion)"
            metadata["playbackReport"] = "\(info.supportsPlaybackReport)"
        }
        logger.info("Polling Subsonic now playing", metadata: metadata)
    }
}

/// `getSong` results by song id, so each song is looked up at most once.
private struct SongCache {
    private var tracks: [String: PlaybackTrack] = [:]
    private let limit = 1000

    mutating func complete(
        _ track: PlaybackTrack, client: SubsonicClient, credentials: SubsonicCredentials, logger: Logger
    ) async -> PlaybackTrack {
        guard track.isIncomplete else { return track }
        if let known = tracks[track.id] { return track.completed(with: known) }
        let found: PlaybackTrack
        do {
            found = try await client.getSong(id: track.id, as: credentials)
        } catch {
            logger.debug("getSong could not complete a now-playing entry", metadata: ["id": "\(track.id)", "error": "\(error)"])
            // Remember what the server refused; a network failure is tried again next poll.
            guard case .failed = error else { return track }
            found = track
        }
        if tracks.count >= limit { tracks.removeAll(keepingCapacity: true) }
        tracks[track.id] = found
        return track.completed(with: found)
    }
}
