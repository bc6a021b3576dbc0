import Feeds
import Foundation
import HostServices
import Logging
import PluginRuntime

/// The host services Tonearm runs plugins with, built from the configuration: what
/// `tonearm serve` and `tonearm plugin call` share. Call ``shutdown()`` when done.
public final class HostServiceSet: Sendable {
    /// Every service, for ``PluginManager`` or ``PluginLoader``.
    public let services: [any HostService]
    /// `[[Users]]`, plus users the feeds report.
    public let users: ConfiguredUsers
    let artworkSigner: ArtworkLinkSigner
    let subsonicClient: SubsonicClient?
    let pollerCredentials: SubsonicCredentials?
    private let http: HTTPService
    /// The scheduler, for the console (when a plugin's reconnect is due).
    let scheduler: SchedulerService

    /// Creates the data and plugins folders when missing. `webSocketObserver` sees plugins'
    /// WebSocket connections and the text they send (the console's presence preview).
    public init(
        configuration: TonearmConfiguration, logger: Logger, webSocketObserver: (any WebSocketObserver)? = nil
    ) throws {
        let server = configuration.server
        let dataFolder = URL(fileURLWithPath: configuration.plugins.dataFolder)
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: configuration.plugins.pluginsFolder, withIntermediateDirectories: true)

        users = ConfiguredUsers(server.users)
        artworkSigner = ArtworkLinkSigner(
            secret: try Self.artworkSecret(in: dataFolder, logger: logger), publicBaseURL: URL(string: server.publicBaseURL)!,
            lifetime: OutsideNumbers.duration(
                seconds: server.artworkLinkLifetime, maximum: .seconds(ServerConfiguration.longestArtworkLinkLifetime)))
        if server.subsonic.url.isEmpty {
            subsonicClient = nil
            pollerCredentials = nil
        } else {
            subsonicClient = try SubsonicClient(
                serverURL: server.subsonic.url, allowsHexPassword: server.subsonic.allowHexPassword, logger: logger)
            pollerCredentials =
                server.subsonic.apiKey.isEmpty
                ? SubsonicCredentials(username: server.subsonic.username, password: server.subsonic.password)
                : SubsonicCredentials(username: server.subsonic.username, apiKey: server.subsonic.apiKey)
        }
        let limits = configuration.serviceLimits
        http = HTTPService(pluginLimits: limits)
        scheduler = SchedulerService(pluginLimits: limits)
        var services: [any HostService] = [
            ConfigService(), CacheService(), KVStoreService(dataFolder: dataFolder, pluginLimits: limits), http,
            WebSocketService(pluginLimits: limits, observer: webSocketObserver), scheduler,
            ArtworkService(signer: artworkSigner), UsersService(),
            TaskQueueService(dataFolder: dataFolder), StorageService(),
        ]
        // Always present, so plugins that declare `subsonicapi` load without an upstream server
        // too (their calls then fail with a clear error).
        let upstream: any SubsonicUpstream =
            subsonicClient.map { SubsonicForwarder(client: $0, users: server.users) } ?? NoSubsonicUpstream()
        services.append(SubsonicAPIService(upstream: upstream))
        // Navidrome's services whose data only Navidrome has: plugins declaring them load, and
        // their calls fail naming the reason (docs/host-services.md).
        services += UnavailableService.standalone
        self.services = services
    }

    /// Releases what the services hold (the HTTP client).
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The HMAC key for artwork links, kept in `<DataFolder>/artwork.key` so links survive a
    /// restart. A new key is created readable by its owner alone from the start (mode 0600,
    /// never wider for a moment) and fsync'd with its folder; a key file that is too short (cut
    /// off by a crash) is replaced the same way.
    static func artworkSecret(in dataFolder: URL, logger: Logger) throws -> [UInt8] {
        let file = dataFolder.appendingPathComponent("artwork.key")
        if let data = try? Data(contentsOf: file), data.count >= 32 {
            if let warning = FilePrivacy.warning(for: file.path, holding: "the artwork link signing key") {
                logger.warning("\(warning)")
            }
            return Array(data)
        }
        let secret = ArtworkLinkSigner.randomSecret()
        if FileManager.default.fileExists(atPath: file.path) {
            try DurableFile.replace(file, contents: secret, mode: 0o600)
        } else {
            try DurableFile.createExclusively(file, contents: secret, mode: 0o600)
        }
        return secret
    }
}
