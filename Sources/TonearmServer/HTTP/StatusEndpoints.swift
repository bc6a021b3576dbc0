import Feeds
import Foundation
import Hummingbird
import PluginRuntime

extension TonearmDaemon {
    /// `GET /api/status`: plugins with their state and last error, feeds, and each user's current
    /// playback. Holds no secrets: no tokens, passwords or plugin configuration values.
    ///
    /// What users play is private: clients on this machine (loopback) get the whole status;
    /// others need `Authorization: Bearer <Server.AdminToken>` and otherwise get only counts
    /// (``StatusSummary``). A wrong token gets 401.
    func addStatusEndpoints(to router: Router<TonearmRequestContext>) {
        router.get("api/status") { request, context in
            switch self.statusAnswer(isLoopback: context.isLoopback, authorization: request.headers[.authorization]) {
            case .full(let status): JSONResponse.make(status)
            case .summary(let summary): JSONResponse.make(summary)
            case .unauthorized(let message): JSONResponse.error(.unauthorized, message)
            }
        }
    }

    /// What `/api/status` tells a client.
    enum StatusAnswer {
        case full(Status)
        case summary(StatusSummary)
        case unauthorized(String)
    }

    /// The status for a client on this machine or with the admin token; counts for others.
    func statusAnswer(isLoopback: Bool, authorization: String?) -> StatusAnswer {
        if isLoopback || carriesAdminToken(authorization) { return .full(status()) }
        if authorization != nil && !configuration.server.adminToken.isEmpty {
            return .unauthorized("wrong admin token")
        }
        return .summary(summary())
    }

    /// `/api/status` for clients off this machine without the admin token: counts only, no
    /// names, tracks, players or plugin errors.
    struct StatusSummary: Encodable {
        var version: String
        var plugins: Int
        var pluginsLoaded: Int
        var users: Int
        var playing: Int
        /// How to see more.
        var detail: String
    }

    func summary() -> StatusSummary {
        let plugins = pluginManager.statuses()
        let hint =
            configuration.server.adminToken.isEmpty
            ? "details only from this machine (set Server.AdminToken to allow them elsewhere)"
            : "details need Authorization: Bearer <Server.AdminToken>"
        return StatusSummary(
            version: TonearmDaemon.version, plugins: plugins.count,
            pluginsLoaded: plugins.filter { $0.state == .loaded }.count, users: userDirectory.users().count,
            playing: dispatcher.currentPlayback().values.reduce(0) { $0 + $1.count }, detail: hint)
    }

    struct Status: Encodable {
        struct Feed: Encodable {
            var enabled: Bool
            var server: String?
            var pollInterval: Double?
        }
        struct Playback: Encodable {
            /// The track's id on the music server; empty when it has none (a pushed track not matched).
            var trackId: String
            var player: String
            var playerId: String
            var state: String
            var title: String
            var artist: String
            var album: String
            var positionMs: Int64
            var since: Date
            var source: String
        }
        struct User: Encodable {
            var userName: String
            var isAdmin: Bool
            /// False for a user first seen in a feed whom the music server did not describe:
            /// `isAdmin` is then true, to be safe.
            var adminRoleKnown: Bool
            var playing: [Playback]
        }
        var version: String
        var publicURL: String
        var plugins: [PluginStatus]
        var subsonic: Feed
        var listenBrainz: Feed
        var users: [User]
    }

    func status() -> Status {
        let playback = dispatcher.currentPlayback()
        let users = userDirectory.users().map { user in
            let sessions = playback[user.userName.lowercased()] ?? [:]
            return Status.User(
                userName: user.userName, isAdmin: user.isAdmin, adminRoleKnown: userDirectory.knowsAdminRole(of: user.userName),
                playing: sessions.values.sorted { $0.playerId < $1.playerId }.map { event in
                    Status.Playback(
                        trackId: event.track.id, player: event.playerName, playerId: event.playerId,
                        state: event.kind == .paused ? "paused" : "playing", title: event.track.title,
                        artist: event.track.artist, album: event.track.album, positionMs: event.positionMs,
                        since: event.timestamp, source: event.source.rawValue)
                })
        }
        return Status(
            version: TonearmDaemon.version, publicURL: configuration.server.publicBaseURL,
            plugins: pluginManager.statuses(),
            subsonic: .init(
                enabled: subsonicClient != nil, server: subsonicClient?.serverURL,
                pollInterval: subsonicClient == nil ? nil : configuration.server.subsonic.pollInterval),
            listenBrainz: .init(enabled: configuration.server.listenBrainzEnabled),
            users: users)
    }
}
