import Console
import Feeds
import Foundation
import HostServices
import Hummingbird
import Logging
import PluginRuntime
import ServiceLifecycle
import Synchronization
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
    let host: HostServiceSet
    let pluginManager: PluginManager
    let dispatcher: PlaybackDispatcher
    let console: ConsoleState
    /// The port the HTTP server listens on, once it does.
    let boundPort = Mutex<Int?>(nil)

    var userDirectory: ConfiguredUsers { host.users }
    var artworkSigner: ArtworkLinkSigner { host.artworkSigner }
    var subsonicClient: SubsonicClient? { host.subsonicClient }
    var pollerCredentials: SubsonicCredentials? { host.pollerCredentials }

    /// Builds every part from `configuration`; nothing runs until ``run()``. `logRing` holds the
    /// recent log lines the console shows (the one the log handler writes to).
    public convenience init(configuration: TonearmConfiguration, logger: Logger) throws {
        try self.init(configuration: configuration, logger: logger, logRing: LogRing())
    }

    /// As ``init(configuration:logger:)``, the console showing the lines kept in `logRing`.
    package init(configuration: TonearmConfiguration, logger: Logger, logRing: LogRing) throws {
        self.configuration = configuration
        self.logger = logger
        console = ConsoleState(
            dataFolder: configuration.plugins.dataFolder, logRing: logRing, overrides: configuration.consoleOverrides)
        host = try HostServiceSet(
            configuration: configuration, logger: logger, webSocketObserver: PresenceObserver(board: console.presence))
        pluginManager = PluginManager(
            configuration: configuration.plugins, services: host.services, users: host.users, logger: logger)
        // Pushed (ListenBrainz) tracks are matched to the music server's songs, when there is one.
        var matchTrack: (@Sendable (PlaybackTrack) async -> PlaybackTrack)?
        if let client = host.subsonicClient, let credentials = host.pollerCredentials {
            let matcher = SubsonicTrackMatcher(client: client, credentials: credentials, logger: logger)
            matchTrack = { track in await matcher.match(track) }
        }
        dispatcher = PlaybackDispatcher(
            host: pluginManager, logger: logger,
            retryStore: ScrobbleRetryStore(dataFolder: configuration.plugins.dataFolder), matchTrack: matchTrack)
    }

    /// Loads the plugins, then serves until SIGINT or SIGTERM, then shuts down gracefully. The
    /// HTTP server opens only once the plugins are loaded, so no early `playing_now` finds none.
    public func run() async throws {
        await pluginManager.start()
        logStartup()
        let server = configuration.server
        let app = Application(
            router: makeRouter(), configuration: .init(address: .hostname(server.address, port: server.port)),
            onServerRunning: { [logger, self] channel in
                let port = channel.localAddress?.port ?? server.port
                self.boundPort.withLock { $0 = port }
                logger.notice("HTTP server listening on http://\(server.address):\(port)", metadata: ["port": "\(port)"])
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: PluginsAndFeeds(daemon: self)), .init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Every HTTP endpoint: the web console, health, status, artwork links, operator endpoints,
    /// plugin endpoints (`/ext/<plugin-id>/…`) and (when enabled) the ListenBrainz API.
    func makeRouter() -> Router<TonearmRequestContext> {
        let router = Router(context: TonearmRequestContext.self)
        addConsoleEndpoints(to: router)
        addConsoleSettingsEndpoints(to: router)
        addConsolePluginInstallEndpoints(to: router)
        addConsoleAPIEndpoints(to: router)
        addHealthEndpoints(to: router)
        addStatusEndpoints(to: router)
        addArtworkEndpoints(to: router)
        addOperatorEndpoints(to: router)
        addPluginEndpoints(to: router)
        if configuration.server.listenBrainzEnabled {
            addListenBrainzEndpoints(to: router, receiver: ListenBrainzReceiver(tokens: listenBrainzTokens(), logger: logger))
        }
        return router
    }

    func listenBrainzTokens() -> [String: String] {
        var tokens: [String: String] = [:]
        for user in configuration.server.users where !user.listenBrainzToken.isEmpty {
            tokens[user.listenBrainzToken] = user.name
        }
        return tokens
    }

    /// With `--demo`, plays the demo listener once the HTTP server listens; else returns at once.
    func runDemoListener() async {
        guard configuration.server.demo, let user = configuration.server.users.first else { return }
        while !Task.isCancelled, boundPort.withLock({ $0 }) == nil { try? await Task.sleep(for: .milliseconds(100)) }
        guard let port = boundPort.withLock({ $0 }) else { return }
        logger.notice("demo: open http://127.0.0.1:\(port)/ and choose \"Open the demo console\"; a simulated listener is playing")
        await DemoListener(baseURL: "http://127.0.0.1:\(port)", token: user.listenBrainzToken, logger: logger).run()
    }

    /// Says what was loaded and what is missing, once at start.
    func logStartup() {
        let server = configuration.server
        logger.info("configuration: \(configuration.source)")
        if let warning = FilePrivacy.warning(for: configuration.source, holding: "passwords and tokens") {
            logger.warning("\(warning)")
        }
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
            if server.subsonic.poll {
                logger.info("polling \(subsonicClient.serverURL) every \(server.subsonic.pollInterval) s as \(server.subsonic.username)")
            } else {
                logger.info("not polling \(subsonicClient.serverURL) (Subsonic.Poll = false); pushed tracks are matched to its songs")
            }
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
        let poller = daemon.subsonicClient.flatMap { client in
            !daemon.configuration.server.subsonic.poll ? nil : NowPlayingPoller(
                client: client, credentials: daemon.pollerCredentials!,
                interval: OutsideNumbers.duration(
                    seconds: daemon.configuration.server.subsonic.pollInterval,
                    maximum: .seconds(ServerConfiguration.longestPollInterval)),
                activity: daemon.console.feedActivity, logger: daemon.logger)
        }
        let polling = Task {
            await poller?.run { event in
                try? await daemon.receive([event], clientWaits: false)
            }
        }
        let demoListener = Task { await daemon.runDemoListener() }
        try? await gracefulShutdown()
        daemon.logger.info("shutting down: clearing what plugins show, closing connections")
        polling.cancel()
        demoListener.cancel()
        await polling.value
        await demoListener.value
        await daemon.dispatcher.shutdown()
        await daemon.pluginManager.shutdown()
        await daemon.host.shutdown()
        daemon.logger.info("stopped")
    }
}
