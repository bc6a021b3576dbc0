import Foundation
import PluginRuntime

/// Navidrome's host services as implemented by Tonearm, one file per service.
public enum HostServices {
    /// Every service, configured for one Tonearm instance. The ``HTTPService`` in the list owns
    /// an HTTP client: call its ``HTTPService/shutdown()`` when the host stops.
    ///
    /// - Parameters:
    ///   - dataFolder: where KVStore databases live (`plugins/<id>/kvstore.db`).
    ///   - artwork: signer of artwork links served by Tonearm's HTTP server.
    ///   - subsonic: the upstream Subsonic server.
    ///   - pluginLimits: what one plugin may hold (connections, schedules, keys) and ask for.
    public static func all(
        dataFolder: URL, artwork: ArtworkLinkSigner, subsonic: any SubsonicUpstream,
        cacheLimits: CacheService.Limits = .init(), httpLimits: HTTPService.Limits = .init(),
        webSocketLimits: WebSocketService.Limits = .init(), pluginLimits: HostServiceLimits = .init()
    ) -> [any HostService] {
        [
            ConfigService(),
            CacheService(limits: cacheLimits),
            KVStoreService(dataFolder: dataFolder, pluginLimits: pluginLimits),
            HTTPService(limits: httpLimits, pluginLimits: pluginLimits),
            WebSocketService(limits: webSocketLimits, pluginLimits: pluginLimits),
            SchedulerService(pluginLimits: pluginLimits),
            ArtworkService(signer: artwork),
            SubsonicAPIService(upstream: subsonic),
            UsersService(),
        ]
    }
}
