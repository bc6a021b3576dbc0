import Foundation
import Logging
import Synchronization

/// Finds the music server's song for a track a feed reported without a server id (a
/// ListenBrainz `playing_now`), so plugins get what polling gives them: the song id (and with it
/// the artwork link), the duration, the album and the MusicBrainz ids.
///
/// One `search3` per track (by title; Subsonic servers search titles), then the song whose
/// MusicBrainz recording id is the feed's, else whose title and artist are the feed's (ignoring
/// case and spacing), preferring the feed's album. Answers, found or not, are cached, so a user's
/// repeated plays cost no further requests; a track that cannot be matched stays as it was.
public final class SubsonicTrackMatcher: Sendable {
    /// Songs asked for per search.
    static let songCount = 20
    /// Cached answers at most; the oldest go first.
    static let cacheCapacity = 2_000
    /// How long an answer is kept: a match, and a miss (the library may gain the track).
    static let matchLifetime: TimeInterval = 3_600
    static let missLifetime: TimeInterval = 600

    private let client: SubsonicClient
    private let credentials: SubsonicCredentials
    private let logger: Logger

    private struct Answer {
        var track: PlaybackTrack?
        var expires: Date
    }

    private struct Cache {
        var answers: [String: Answer] = [:]
        /// Keys in the order they were added, for eviction.
        var order: [String] = []
        var warned = false
    }

    private let cache = Mutex(Cache())

    public init(client: SubsonicClient, credentials: SubsonicCredentials, logger: Logger) {
        self.client = client
        self.credentials = credentials
        self.logger = logger
    }

    /// `track` completed from the server's song when one matches; `track` itself when it already
    /// has a server id, has no title, or nothing matches.
    public func match(_ track: PlaybackTrack, now: Date = Date()) async -> PlaybackTrack {
        guard track.id.isEmpty, !Self.normalized(track.title).isEmpty else { return track }
        let key = Self.key(track)
        if let answer = cache.withLock({ $0.answers[key] }), answer.expires > now {
            return answer.track.map { Self.merged(feed: track, server: $0) } ?? track
        }
        let found: PlaybackTrack?
        do {
            let candidates = try await client.searchSongs(track.title, songCount: Self.songCount, as: credentials)
            found = Self.best(of: candidates, for: track)
        } catch {
            let first = cache.withLock { cache in
                defer { cache.warned = true }
                return !cache.warned
            }
            let message: Logger.Message = "cannot match a pushed track to the music server's songs (search3); its artwork and ids stay unknown"
            if first {
                logger.warning(message, metadata: ["error": "\(error)"])
            } else {
                logger.debug(message, metadata: ["error": "\(error)"])
            }
            return track
        }
        remember(key, found, now: now)
        logger.debug(
            "pushed track matched", metadata: ["title": "\(track.title)", "song": "\(found?.id ?? "none")"])
        return found.map { Self.merged(feed: track, server: $0) } ?? track
    }

    private func remember(_ key: String, _ track: PlaybackTrack?, now: Date) {
        let lifetime = track == nil ? Self.missLifetime : Self.matchLifetime
        cache.withLock { cache in
            if cache.answers.updateValue(Answer(track: track, expires: now.addingTimeInterval(lifetime)), forKey: key) == nil {
                cache.order.append(key)
            }
            if cache.order.count > Self.cacheCapacity {
                let evicted = cache.order.count - Self.cacheCapacity
                for old in cache.order.prefix(evicted) { cache.answers[old] = nil }
                cache.order.removeFirst(evicted)
            }
        }
    }

    /// The song among `candidates` that is `track`, if any (see the type's documentation).
    static func best(of candidates: [PlaybackTrack], for track: PlaybackTrack) -> PlaybackTrack? {
        if let recording = track.mbzRecordingId.map(normalized), !recording.isEmpty,
            let same = candidates.first(where: { $0.mbzRecordingId.map(normalized) == recording })
        {
            return same
        }
        let title = normalized(track.title)
        let artist = normalized(track.artist)
        let matching = candidates.filter { candidate in
            guard normalized(candidate.title) == title else { return false }
            guard !artist.isEmpty else { return true }
            let names = [candidate.artist, candidate.albumArtist] + candidate.artists.map(\.name)
            return names.contains { normalized($0) == artist }
        }
        let album = normalized(track.album)
        if !album.isEmpty, let sameAlbum = matching.first(where: { normalized($0.album) == album }) {
            return sameAlbum
        }
        return matching.first
    }

    /// The server's song, with what only the feed knew kept (MusicBrainz ids the server lacks).
    static func merged(feed: PlaybackTrack, server: PlaybackTrack) -> PlaybackTrack {
        var track = server.completed(with: feed)
        if track.duration <= 0 { track.duration = feed.duration }
        return track
    }

    static func key(_ track: PlaybackTrack) -> String {
        [track.mbzRecordingId ?? "", track.title, track.artist, track.album].map(normalized).joined(separator: "\u{1F}")
    }

    /// Lowercased, with runs of white space made one space and none at either end.
    static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
