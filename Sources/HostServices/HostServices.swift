import Foundation
import PluginRuntime

/// Navidrome's host services as implemented by Tonearm, one file per service.
public enum HostServices {
    /// Every service, configured for one Tonearm instance.
    ///
    /// - Parameters:
    ///   - dataFolder: where KVStore databases live (`plugins/<id>/kvstore.db`).
    ///   - artwork: signer of artwork links served by Tonearm's HTTP server.
    ///   - subsonic: the upstream Subsonic server.
    public static func all(
        dataFolder: URL, artwork: ArtworkLinkSigner, subsonic: any SubsonicUpstream,
        cacheLimits: CacheService.Limits = .init(), httpLimits: HTTPService.Limits = .init(),
        webSocketLimits: WebSocketService.Limits = .init()
    ) -> [any HostService] {
        [
            ConfigService(),
            CacheService(limits: cacheLimits),
            KVStoreService(dataFolder: dataFolder),
            HTTPService(limits: httpLimits),
            WebSocketService(limits: webSocketLimits),
            SchedulerService(),
            ArtworkService(signer: artwork),
            SubsonicAPIService(upstream: subsonic),
            UsersService(),
        ]
    }
}
