import AsyncHTTPClient
import DiscordSimulator
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import TonearmJSON

/// A whole deployment on loopback: a real Supysonic with a generated library, the Discord
/// simulator, and `tonearm serve` running the Discord Rich Presence plugin built by the PDK.
struct Stack {
    static let clientID = "123456789012345678"
    static let aliceDiscordToken = "mfa.alice-discord-token"
    static let aliceListenBrainzToken = "lb-token-alice-0123456789"

    let supysonic: SupysonicServer
    let simulator: DiscordSimulator
    let endpoints: SimulatorEndpoints
    let tonearm: TonearmProcess

    /// Starts all three; `pollInterval` is the Subsonic poll interval of tonearm.
    static func start(nowPlayingSeconds: Int = 6, pollInterval: String = "500ms") async throws -> Stack {
        let supysonic = try await SupysonicServer.start(["--now-playing-seconds", "\(nowPlayingSeconds)"])
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.users = [SimulatedUser(name: "alice", token: aliceDiscordToken)]
        let simulator = try DiscordSimulator(configuration: simulatorConfiguration)
        let endpoints = try await simulator.start()
        let tonearm = try await TonearmProcess.start(
            configuration: configuration(supysonic: supysonic.info.url, simulator: endpoints, pollInterval: pollInterval),
            plugins: [try RepositoryPaths.plugin("discord-rich-presence")])
        return Stack(supysonic: supysonic, simulator: simulator, endpoints: endpoints, tonearm: tonearm)
    }

    static func configuration(supysonic: String, simulator: SimulatorEndpoints, pollInterval: String) -> String {
        """
        DataFolder = "./data"
        LogLevel = "debug"

        [Server]
        Address = "127.0.0.1"
        Port = {port}
        # What Discord would use to reach Tonearm through a reverse proxy.
        PublicURL = "http://music.example.test:{port}"

        [Subsonic]
        URL = "\(supysonic)"
        Username = "admin"
        Password = "admin-pass"
        PollInterval = "\(pollInterval)"
        # Supysonic has no token authentication.
        AllowHexPassword = true

        [[Users]]
        Name = "alice"
        Password = "alice-pass"
        ListenBrainzToken = "\(aliceListenBrainzToken)"

        [Plugins]
        # Sanitizer builds run the plugin's calls many times slower.
        HeavyCallCPU = \(0.5 * testTimeScale * testTimeScale)

        [Plugins.discord-rich-presence]
        Users = ["alice"]
        ExtraHosts = ["127.0.0.1"]

        [PluginSettings.discord-rich-presence]
        ClientID = "\(clientID)"
        Users = "alice:\(aliceDiscordToken)"
        GatewayURL = "\(simulator.gatewayURL)"
        APIBaseURL = "\(simulator.httpURL)/api"
        """
    }

    func stop() async {
        tonearm.stop()
        await simulator.stop()
        supysonic.stop()
    }

    /// Alice's player streams `track` from Supysonic (which then lists her in getNowPlaying).
    func stream(_ track: SupysonicServer.Info.Track, as user: String = "alice", password: String = "alice-pass") async throws {
        let url = "\(supysonic.info.url)/rest/stream.view?id=\(track.id)&u=\(user)&p=\(password)&c=e2e-player&v=1.12.0"
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw TestSupportError("stream failed: \(response.status)") }
    }

    /// An HTTP request to tonearm.
    func request(
        _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> (status: Int, body: String, contentType: String) {
        var request = HTTPClientRequest(url: tonearm.baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: bytes), response.headers.first(name: "content-type") ?? "")
    }

    /// The current activity shown for `user`, if any.
    func activity(of user: String = "alice") -> JSONValue? {
        simulator.presence(of: user)?.activity
    }

    /// Waits until `condition` holds for alice's activity (nil when no presence).
    func waitForActivity(
        timeout: Duration = .seconds(60), _ condition: @escaping @Sendable (JSONValue?) -> Bool
    ) async -> Bool {
        await simulator.waitUntil(timeout: timeout) { simulator in condition(simulator.presence(of: "alice")?.activity) }
    }

    /// The image URL an `mp:external/…` key was registered for.
    static func sourceURL(ofAssetKey key: String) -> String? {
        let parts = key.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "mp:external" else { return nil }
        return "\(parts[2])://" + parts[3].replacingOccurrences(of: "%3F", with: "?")
    }
}
