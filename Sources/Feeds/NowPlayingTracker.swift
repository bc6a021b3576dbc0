import Foundation

/// Turns successive `getNowPlaying` snapshots into playback events, per user and player.
///
/// Players are told apart by username plus `playerName` (falling back to `playerId`:
/// Navidrome numbers its entries per response, so its `playerId` is not stable).
///
/// - With OpenSubsonic `playbackReport` (an entry has `state`): `state`, `positionMs` and
///   `playbackRate` drive paused/resumed exactly; a position off by more than
///   `seekTolerance` from where it should be (or a new rate) is a seek.
/// - Without it: the start is estimated as now − `minutesAgo` (the earliest estimate
///   wins, since whole minutes are rounded down), the position is extrapolated from it at
///   rate 1, and the track counts as stopped once that passes its duration plus
///   `endGrace`. A start estimate more than `restartThreshold` later than the known one
///   means the same track was played again.
/// - An entry that disappears is stopped; a different track on the same player is a
///   track change. A track that played at least half its length or 4 minutes gets a
///   `scrobble` when it stops or changes.
/// - Entries already past their end when first seen (e.g. at startup) produce nothing.
struct NowPlayingTracker {
    var endGrace: TimeInterval = 5
    var seekTolerance: TimeInterval = 3
    var restartThreshold: TimeInterval = 65

    private struct Session {
        var username: String
        var playerId: String
        var playerName: String
        var track: PlaybackTrack
        /// Estimated start of playback (extrapolated mode).
        var startedAt: Date
        var exact: Bool
        var paused: Bool
        var positionMs: Int64
        /// When `positionMs` was true.
        var positionAt: Date
        var rate: Double
        /// Stopped or ran out; kept until its entry goes away so it is not started again.
        var ended: Bool
        var scrobbled: Bool

        /// The position extrapolated to `now`, computed in floating point and clamped to the
        /// track (or to `PlaybackTrack.maxDuration` when its length is unknown) before it
        /// becomes an integer, so no reported position, rate or clock jump can overflow.
        func position(at now: Date) -> Int64 {
            var ms = Double(positionMs)
            if !paused {
                ms += max(0, now.timeIntervalSince(positionAt)) * 1000 * rate
            }
            let limit = (track.duration > 0 ? min(track.duration, PlaybackTrack.maxDuration) : PlaybackTrack.maxDuration) * 1000
            guard ms > 0 else { return 0 }  // NaN too
            return Int64(min(ms, limit))
        }

        func event(_ kind: PlaybackEvent.Kind, at now: Date, positionMs: Int64? = nil) -> PlaybackEvent {
            PlaybackEvent(
                kind: kind, source: .subsonic, username: username, playerId: playerId, playerName: playerName,
                track: track, positionMs: positionMs ?? position(at: now), playbackRate: rate, timestamp: now)
        }
    }

    private var sessions: [String: Session] = [:]

    /// The number of players currently tracked (ended ones included until their entry goes).
    var trackedPlayers: Int { sessions.count }

    mutating func update(_ entries: [NowPlayingEntry], at now: Date) -> [PlaybackEvent] {
        var events: [PlaybackEvent] = []
        var seen = Set<String>()
        for entry in entries {
            let player = entry.playerName ?? entry.playerId
            var key = entry.username + "\u{1F}" + player
            if seen.contains(key) { key += "#" + entry.playerId }
            seen.insert(key)

            guard var session = sessions[key] else {
                let session = start(entry, player: player, at: now)
                if !session.ended { events += opening(session, kind: .started, at: now) }
                sessions[key] = session
                continue
            }
            if session.track.id != entry.track.id {
                let wasEnded = session.ended
                events += finish(&session, at: now, emitStop: false)
                let next = start(entry, player: player, at: now)
                if !next.ended { events += opening(next, kind: wasEnded ? .started : .trackChanged, at: now) }
                sessions[key] = next
                continue
            }
            events += advance(&session, with: entry, player: player, at: now)
            sessions[key] = session
        }
        for (key, var session) in sessions where !seen.contains(key) {
            events += finish(&session, at: now, emitStop: true)
            sessions[key] = nil
        }
        return events
    }

    private func start(_ entry: NowPlayingEntry, player: String, at now: Date) -> Session {
        let startedAt = now.addingTimeInterval(-entry.minutesAgo * 60)
        var session = Session(
            username: entry.username, playerId: player, playerName: entry.playerName ?? "", track: entry.track,
            startedAt: startedAt, exact: entry.hasPlaybackReport, paused: false, positionMs: 0, positionAt: startedAt,
            rate: 1, ended: false, scrobbled: false)
        if entry.hasPlaybackReport {
            session.paused = entry.state == "paused"
            session.positionMs = entry.positionMs ?? 0
            session.positionAt = now
            session.rate = entry.playbackRate ?? 1
            session.ended = entry.state == "stopped"
        } else {
            session.ended = ranOut(session, at: now)
        }
        return session
    }

    private func opening(_ session: Session, kind: PlaybackEvent.Kind, at now: Date) -> [PlaybackEvent] {
        var events = [session.event(kind, at: now)]
        if session.paused { events.append(session.event(.paused, at: now)) }
        return events
    }

    private func ranOut(_ session: Session, at now: Date) -> Bool {
        session.track.duration > 0 && now.timeIntervalSince(session.startedAt) > session.track.duration + endGrace
    }

    /// Ends a session: `stopped` (unless it already ended or the player moved on) and the
    /// scrobble it earned.
    private func finish(_ session: inout Session, at now: Date, emitStop: Bool) -> [PlaybackEvent] {
        guard !session.ended else { return [] }
        var events: [PlaybackEvent] = []
        let position = session.position(at: now)
        if emitStop { events.append(session.event(.stopped, at: now, positionMs: position)) }
        if !session.scrobbled, session.track.duration > 0,
            Double(position) >= min(session.track.duration * 500, 240_000)
        {
            events.append(session.event(.scrobble, at: now, positionMs: position))
            session.scrobbled = true
        }
        session.ended = true
        return events
    }

    private func advance(
        _ session: inout Session, with entry: NowPlayingEntry, player: String, at now: Date
    ) -> [PlaybackEvent] {
        if entry.hasPlaybackReport {
            if entry.state == "stopped" { return finish(&session, at: now, emitStop: true) }
            if session.ended {
                session = start(entry, player: player, at: now)
                return opening(session, kind: .started, at: now)
            }
            let expected = session.position(at: now)
            let reported = entry.positionMs ?? expected
            let rate = entry.playbackRate ?? 1
            let paused = entry.state == "paused"
            var kind: PlaybackEvent.Kind?
            if session.paused && !paused {
                kind = .resumed
            } else if !session.paused && paused {
                kind = .paused
            } else if abs(Double(reported) - Double(expected)) > seekTolerance * 1000 || rate != session.rate {
                kind = .seeked
            }
            session.exact = true
            session.paused = paused
            session.positionMs = reported
            session.positionAt = now
            session.rate = rate
            return kind.map { [session.event($0, at: now)] } ?? []
        }

        let estimate = now.addingTimeInterval(-entry.minutesAgo * 60)
        let replayed = estimate.timeIntervalSince(session.startedAt) > (session.ended ? endGrace : restartThreshold)
        if replayed {
            let wasEnded = session.ended
            var events = finish(&session, at: now, emitStop: false)
            session = start(entry, player: player, at: now)
            events += opening(session, kind: wasEnded ? .started : .trackChanged, at: now)
            return events
        }
        if session.ended { return [] }
        if estimate < session.startedAt {
            session.startedAt = estimate
            session.positionAt = estimate
        }
        if ranOut(session, at: now) {
            return finish(&session, at: now, emitStop: true)
        }
        return []
    }
}
