import Feeds
import Foundation
import Hummingbird
import PluginRuntime

extension TonearmDaemon {
    /// `GET /api/status`: plugins with their state and last error, feeds, and each user's current
    /// playback. Holds no secrets: no tokens, passwords or plugin configuration values.
    func addStatusEndpoints(to router: Router<BasicRequestContext>) {
        router.get("api/status") { _, _ in
            JSONResponse.make(self.status())
        }
    }

    struct Status: Encodable {
        struct Feed: Encodable {
            var enabled: Bool
            var server: String?
            var pollInterval: Double?
        }
        struct Playback: Encodable {
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
                userName: user.userName, isAdmin: user.isAdmin,
                playing: sessions.values.sorted { $0.playerId < $1.playerId }.map { event in
                    Status.Playback(
                        player: event.playerName, playerId: event.playerId,
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
