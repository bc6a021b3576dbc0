import Feeds
import Foundation
import HostServices
import Hummingbird
import Logging
import PluginRuntime
import ServiceLifecycle
import UnixSignals

/// `tonearm serve`: runs the plugins beside a music server.
///
/// Feeds (Subsonic polling, ListenBrainz submissions) turn playback into events; the dispatcher
/// hands them to the Scrobbler plugins; the plugins reach the world through the host services;
/// the HTTP server serves artwork links, the ListenBrainz API, `/healthz` and `/api/status`.
/// SIGINT and SIGTERM shut down gracefully: playing sessions are stopped (so plugins clear what
/// they show), plugins are unloaded (closing their connections), stores are closed.
public final class TonearmDaemon: Sendable {
    /// Tonearm's version.
    public static let version = "0.1.0"

    let configuration: TonearmConfiguration
    let logger: Logger
    let userDirectory: ConfiguredUsers
    let pluginManager: PluginManager
    let dispatcher: PlaybackDispatcher
    let artworkSigner: ArtworkLinkSigner
    let subsonicClient: SubsonicClient?
    let pollerCredentials: SubsonicCredentials?
    let httpService: HTTPService

    /// Builds every part from `configuration`; nothing runs until ``run()``.
    public init(configuration: TonearmConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let server = configuration.server
        let dataFolder = URL(fileURLWithPath: configuration.plugins.dataFolder)
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: configuration.plugins.pluginsFolder, withIntermediateDirectories: true)

        userDirectory = ConfiguredUsers(server.users)
        artworkSigner = ArtworkLinkSigner(
            secret: try Self.artworkSecret(in: dataFolder), publicBaseURL: URL(string: server.publicBaseURL)!,
            lifetime: .seconds(server.artworkLinkLifetime))

        if server.subsonic.url.isEmpty {
            subsonicClient = nil
            pollerCredentials = nil
        } else {
            subsonicClient = try SubsonicClient(serverURL: server.subsonic.url, logger: logger)
            pollerCredentials =
                server.subsonic.apiKey.isEmpty
                ? SubsonicCredentials(username: server.subsonic.username, password: server.subsonic.password)
                : SubsonicCredentials(username: server.subsonic.username, apiKey: server.subsonic.apiKey)
        }

        httpService = HTTPService()
        var services: [any HostService] = [
            ConfigService(), CacheService(), KVStoreService(dataFolder: dataFolder), httpService,
            WebSocketService(), SchedulerService(), ArtworkService(signer: artworkSigner), UsersService(),
        ]
        if let subsonicClient {
            services.append(SubsonicAPIService(upstream: SubsonicForwarder(client: subsonicClient, users: server.users)))
        }
        pluginManager = PluginManager(
            configuration: configuration.plugins, services: services, users: userDirectory, logger: logger)
        dispatcher = PlaybackDispatcher(host: pluginManager, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM, then shuts down gracefully.
    public func run() async throws {
        let router = Router()
        addHealthEndpoints(to: router)
        addStatusEndpoints(to: router)
        addArtworkEndpoints(to: router)
        addOperatorEndpoints(to: router)
        if configuration.server.listenBrainzEnabled {
            addListenBrainzEndpoints(to: router, receiver: ListenBrainzReceiver(tokens: listenBrainzTokens(), logger: logger))
        }
        let server = configuration.server
        let app = Application(
            router: router, configuration: .init(address: .hostname(server.address, port: server.port)),
            onServerRunning: { [logger] channel in
                let port = channel.localAddress?.port ?? server.port
                logger.notice("HTTP server listening on http://\(server.address):\(port)", metadata: ["port": "\(port)"])
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: PluginsAndFeeds(daemon: self)), .init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    func listenBrainzTokens() -> [String: String] {
        var tokens: [String: String] = [:]
        for user in configuration.server.users where !user.listenBrainzToken.isEmpty {
            tokens[user.listenBrainzToken] = user.name
        }
        return tokens
    }

    /// The HMAC key for artwork links, kept in `<DataFolder>/artwork.key` so links survive a restart.
    static func artworkSecret(in dataFolder: URL) throws -> [UInt8] {
        let file = dataFolder.appendingPathComponent("artwork.key")
        if let data = try? Data(contentsOf: file), data.count >= 32 { return Array(data) }
        let secret = ArtworkLinkSigner.randomSecret()
        try Data(secret).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        return secret
    }

    /// Says what was loaded and what is missing, once at start.
    func logStartup() {
        let server = configuration.server
        logger.info("configuration: \(configuration.source)")
        logger.info("plugins folder: \(configuration.plugins.pluginsFolder); data folder: \(configuration.plugins.dataFolder)")
        for status in pluginManager.statuses() {
            if let error = status.lastError {
                logger.error("plugin \(status.id) not loaded: \(error)")
            } else {
                logger.info(
                    "plugin \(status.id) \(status.state.rawValue): \(status.name ?? status.id) \(status.version ?? "")",
                    metadata: ["capabilities": "\(status.capabilities.joined(separator: ","))"])
            }
        }
        if pluginManager.statuses().isEmpty {
            logger.warning("no plugins: put .ndp files in \(configuration.plugins.pluginsFolder)")
        }
        if let subsonicClient {
            logger.info("polling \(subsonicClient.serverURL) every \(server.subsonic.pollInterval) s as \(server.subsonic.username)")
        } else {
            logger.info("no [Subsonic] URL: not polling a music server")
        }
        if server.listenBrainzEnabled {
            let count = listenBrainzTokens().count
            logger.info("ListenBrainz API on /1/submit-listens (\(count) user token\(count == 1 ? "" : "s"))")
            if count == 0 { logger.warning("no [[Users]] ListenBrainzToken set: every ListenBrainz submission will get 401") }
        }
        if server.publicURL.isEmpty {
            logger.warning("Server.PublicURL is not set: artwork links point at \(server.publicBaseURL), which Discord cannot reach")
        }
    }
}

/// The plugin manager and the feeds, as one service of the daemon's service group.
struct PluginsAndFeeds: Service {
    let daemon: TonearmDaemon

    func run() async throws {
        await daemon.pluginManager.start()
        daemon.logStartup()
        let poller = daemon.subsonicClient.map { client in
            NowPlayingPoller(
                client: client, credentials: daemon.pollerCredentials!,
                interval: .milliseconds(Int64(daemon.configuration.server.subsonic.pollInterval * 1000)),
                logger: daemon.logger)
        }
        let polling = Task {
            await poller?.run { event in
                daemon.userDirectory.noteSeen(event.username)
                daemon.dispatcher.submit(event)
            }
        }
        try? await gracefulShutdown()
        daemon.logger.info("shutting down: clearing what plugins show, closing connections")
        polling.cancel()
        await polling.value
        await daemon.dispatcher.shutdown()
        await daemon.pluginManager.shutdown()
        try? await daemon.httpService.shutdown()
        daemon.logger.info("stopped")
    }
}
