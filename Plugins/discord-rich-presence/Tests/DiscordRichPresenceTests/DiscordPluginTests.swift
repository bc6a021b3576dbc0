@testable import DiscordRichPresence
import NavidromePDK
import NavidromePDKTesting
import Testing

/// The plugin's exports run natively against an in-memory host: configuration, cache,
/// WebSocket, scheduler, HTTP and artwork.
@Suite struct DiscordPluginTests {
    static let clientID = "123456789012345678"
    static let gatewayURL = "wss://gateway.discord.gg/?v=10&encoding=json"
    static let now: Int64 = 1_700_000_000_000
    static let assetsURL = "https://discord.com/api/v9/applications/\(clientID)/external-assets"

    let host = TestHost()
    let track = TrackInfo(id: "t1", title: "Song", album: "Album", artist: "Artist", duration: 215.5)

    init() {
        host.config = ["clientid": Self.clientID, "users": "alice:token-a"]
        host.unixMilliseconds = Self.now
        host.http.respond("POST", Self.assetsURL, body: #"[{"external_asset_path":"external/art"}]"#)
    }

    @discardableResult
    func nowPlaying(_ username: String = "alice", position: Int32 = 42) -> CallResult {
        host.call(DiscordPlugin.ndScrobblerNowPlaying, NowPlayingRequest(username: username, track: track, position: position))
    }

    @discardableResult
    func deliver(_ frame: String) -> CallResult {
        host.websocket.deliver(text: frame, on: "alice", to: DiscordPlugin.ndWebsocketOnTextMessage)
    }

    /// The JSON frames sent on alice's connection.
    func frames() throws -> [JSONValue] {
        try host.websocket.sentText(on: "alice").map { text throws(JSONError) in try JSONValue.parse(text) }
    }

    @Test func authorizesConfiguredUsersOnly() {
        #expect(host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "ALICE")).outputText == "true")
        #expect(host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "carol")).outputText == "false")
        #expect(host.logs.contains { $0.message.contains("carol has no Discord token") })
    }

    /// The whole list is checked once per value: a list that changes is checked again.
    @Test func theUsersListIsCheckedWholeOncePerValue() {
        // Long enough to be checked through the cache: 100 users.
        let others = (1...99).map { "user\($0):token-\($0)" }.joined(separator: ",")
        let list = "alice:token-a,\(others)"
        #expect(list.utf8.count > UsersListCheck.uncachedBytes)
        // A host reloads the plugin when its configuration changes, and the reload wipes the
        // cache with the users' stored configurations. The list's fingerprint stays here, to
        // show that a changed list is checked again even so.
        func configure(users: String) {
            host.config["users"] = users
            for key in host.cache.keys where key.hasPrefix(UserConfiguration.keyPrefix) { host.cache[key] = nil }
        }
        configure(users: list)
        func authorized(_ name: String) -> Bool {
            host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: name)).outputText == "true"
        }
        #expect(authorized("alice"))
        let checked = host.cache[UsersListCheck.cacheKey]
        #expect(checked == .string(ActivityText.fingerprint(list)))
        #expect(authorized("user42"))
        #expect(host.cache[UsersListCheck.cacheKey] == checked)
        // A name listed twice refuses every user, alice's own entry being fine.
        configure(users: list + ",USER7:token-c")
        #expect(!authorized("alice"))
        #expect(host.logs.contains { $0.message.contains("user 'USER7' is listed twice") })
        #expect(host.cache[UsersListCheck.cacheKey] == checked)
        // A malformed entry elsewhere too.
        configure(users: list + ",carol")
        #expect(!authorized("alice"))
        #expect(host.logs.contains { $0.message.contains("entry 101 is not 'username:token'") })
        // A short list is checked on every call, without the cache.
        configure(users: "alice:token-a,bob:token-b,BOB:token-c")
        #expect(!authorized("alice"))
        #expect(host.logs.contains { $0.message.contains("user 'BOB' is listed twice") })
        configure(users: "alice:token-a")
        #expect(authorized("alice"))
        #expect(host.cache[UsersListCheck.cacheKey] == checked)
    }

    /// `is_authorized` stores what a user's calls read of the configuration; later calls read
    /// that instead of the configuration (which, in a host, cannot change while the plugin is
    /// loaded). A user without an entry in `users` gets nothing stored.
    @Test func aUsersConfigurationIsStoredByIsAuthorizedAndReadByLaterCalls() throws {
        host.config = ["clientid": Self.clientID, "statusdisplay": "State",
                       "users": #"[{"username":"bob","token":"token-b"},{"username":"alice","token":"token-a","status":"idle"}]"#]
        #expect(host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "Alice")).outputText == "true")
        #expect(host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "carol")).outputText == "false")
        #expect(host.cache[UserConfiguration.cacheKey("carol")] == nil)
        guard case .string(let text)? = host.cache[UserConfiguration.cacheKey("alice")] else {
            Issue.record("no stored configuration for alice")
            return
        }
        var stored = try #require(UserConfiguration(text: text))
        #expect(stored.value("statusdisplay") == "State")
        #expect(stored.value("users") == #"[{"username":"alice","token":"token-a","status":"idle"}]"#)
        #expect(stored.value("activityname") == nil)
        host.config = [:]
        #expect(host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "alice")).outputText == "true")
        #expect(nowPlaying().succeeded)
        deliver(#"{"op":10,"d":{"heartbeat_interval":41250}}"#)
        deliver(#"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://resume.test"}}"#)
        let presence = try #require(try frames().last)
        #expect(presence["d"]?["status"]?.stringValue == "idle")
        #expect(presence["d"]?["activities"]?.arrayValue?.first?["status_display_type"]?.int64Value == 1)
    }

    /// The stored form keeps any bytes of a value; anything else is refused.
    @Test func aStoredConfigurationReadsBackOrNotAtAll() {
        var stored = UserConfiguration()
        stored.record("servername", "Café: 3:4 ✓")
        stored.record("users", "a:b")
        var again = UserConfiguration(text: stored.text)
        #expect(again?.value("servername") == "Café: 3:4 ✓")
        #expect(again?.value("users") == "a:b")
        // Keys read out of their recorded order, again, or missing.
        #expect(again?.value("servername") == "Café: 3:4 ✓")
        #expect(again?.value("servername") == "Café: 3:4 ✓")
        #expect(again?.value("server") == nil)
        #expect(again?.value("users") == "a:b")
        var empty = UserConfiguration()
        #expect(empty.value("users") == nil)
        #expect(UserConfiguration(text: "5:users3:a:b") != nil)
        for broken in ["5:users3:a:", "x:1:a", "5:use", "9999999999:a", "1:a", "5:users", "5users3:a:b"] {
            #expect(UserConfiguration(text: broken) == nil)
        }
    }

    /// The fingerprint's values are fixed (RuntimeBenchmarks computes them for its fixtures):
    /// whole words, a tail, nothing.
    @Test func theUsersListFingerprintIsLengthAndWordHash() {
        #expect(ActivityText.fingerprint("") == "0-14695981039346656037")
        #expect(ActivityText.fingerprint("alice:token-a") == "13-3661280753317010732")
        #expect(ActivityText.fingerprint("alice:token-a,bob:token-b") == "25-7249671336540304773")
    }

    @Test func invalidConfigurationIsNotAuthorized() {
        host.config["clientid"] = "42"
        #expect(host.call(DiscordPlugin.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "alice")).outputText == "false")
        let result = nowPlaying()
        #expect(result.code == 1)
        #expect(result.error?.hasPrefix("scrobbler(not_authorized)") == true)
        #expect(host.websocket.connects.isEmpty)
    }

    @Test func nowPlayingOpensTheGatewayAndSchedulesTheClear() throws {
        let result = nowPlaying()
        #expect(result.succeeded)
        #expect(host.websocket.connects.map(\.id) == ["alice"])
        #expect(host.websocket.connects.map(\.url) == [Self.gatewayURL])
        // Nothing is sent before the gateway says Hello.
        #expect(host.websocket.sent.isEmpty)
        // The track ends 215.5 − 42 s from now; the clear comes 5 s after that.
        let clear = try #require(host.scheduler.schedule("alice-clear"))
        #expect(clear.delaySeconds == 179)
        // The payload: kind 2 (clear), user and track as length-prefixed fields.
        #expect(clear.payload == "1:25:alice2:t1")
        let payload = try #require(SchedulePayload(text: clear.payload))
        #expect(payload.kind == .clear && payload.user == "alice" && payload.trackID == "t1")
        // The album art was registered with Discord from the host's public artwork URL.
        let assets = try #require(host.http.requests.first)
        #expect(assets.url == Self.assetsURL)
        #expect(assets.headers["Authorization"] == "token-a")
        #expect(assets.bodyText == #"{"urls":["https://navidrome.test/artwork/track/t1?size=300"]}"#)
    }

    @Test func handshakeSendsIdentifyThenThePresence() throws {
        nowPlaying()
        #expect(deliver(#"{"op":10,"d":{"heartbeat_interval":41250}}"#).succeeded)
        #expect(host.scheduler.schedule("alice-heartbeat")?.cronExpression == "@every 41250ms")
        let identify = try #require(try frames().last)
        #expect(identify["op"]?.int64Value == 2)
        #expect(identify["d"]?["token"]?.stringValue == "token-a")

        let ready = #"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://resume.test"}}"#
        #expect(deliver(ready).succeeded)
        let presence = try #require(try frames().last)
        #expect(presence["op"]?.int64Value == 3)
        let activity = try #require(presence["d"]?["activities"]?.arrayValue?.first)
        #expect(activity["details"]?.stringValue == "Song")
        #expect(activity["state"]?.stringValue == "Artist")
        #expect(activity["assets"]?["large_image"]?.stringValue == "mp:external/art")
        let start: Int64 = Self.now - 42_000
        #expect(activity["timestamps"]?["start"] == .int(start))
        #expect(activity["timestamps"]?["end"] == .int(start + 215_500))

        // The heartbeat schedule sends op 1 with the last sequence number.
        #expect(host.scheduler.fire("alice-heartbeat", to: DiscordPlugin.ndSchedulerCallback)?.succeeded == true)
        #expect(host.websocket.sentText(on: "alice").last == #"{"op":1,"d":1}"#)
    }

    /// A heartbeat of a user whose session is gone stops its schedule from the cache alone:
    /// it does not read the configuration (which, with many users, is the costly part).
    @Test func aHeartbeatWithoutASessionStopsWithoutReadingTheConfiguration() throws {
        nowPlaying()
        deliver(#"{"op":10,"d":{"heartbeat_interval":41250}}"#)
        #expect(host.scheduler.schedule("alice-heartbeat") != nil)
        host.cache[UserKeys(user: "alice").session] = nil
        host.config = [:]
        #expect(host.scheduler.fire("alice-heartbeat", to: DiscordPlugin.ndSchedulerCallback)?.succeeded == true)
        #expect(host.scheduler.schedule("alice-heartbeat") == nil)
        #expect(!host.logs.contains { $0.message.contains("not configured") })
    }

    @discardableResult
    func playbackReport(_ username: String = "alice", state: String = "playing") -> CallResult {
        host.call(DiscordPlugin.ndScrobblerPlaybackReport, PlaybackReportRequest(
            username: username, track: track, state: state, positionMs: 42_000, playbackRate: 1,
            playerId: "p1", playerName: "Feishin", timestamp: 1_700_000_000))
    }

    /// NowPlaying after a PlaybackReport of the same track stands aside before it reads the
    /// configuration (with many users, reading it is most of the call).
    @Test func nowPlayingAfterAPlaybackReportStandsAsideWithoutReadingTheConfiguration() throws {
        #expect(playbackReport(state: "paused").succeeded)
        let paused = host.cache[UserKeys(user: "alice").presence]
        host.config = [:]
        #expect(nowPlaying().succeeded)
        #expect(host.cache[UserKeys(user: "alice").presence] == paused)
        #expect(!host.logs.contains { $0.message.contains("not configured") })
    }

    /// The report is kept under the configured spelling of the name, which NowPlaying finds too.
    @Test func nowPlayingStandsAsideForAReportUnderTheConfiguredSpelling() throws {
        host.config["users"] = "Alice:token-a"
        #expect(playbackReport("alice", state: "paused").succeeded)
        let keys = UserKeys(user: "Alice")
        #expect(host.cache[keys.report] != nil)
        let paused = host.cache[keys.presence]
        #expect(paused != nil)
        #expect(nowPlaying("alice").succeeded)
        #expect(host.cache[keys.presence] == paused)
    }

    @Test func clearScheduleEndsThePresence() throws {
        nowPlaying()
        deliver(#"{"op":10,"d":{"heartbeat_interval":41250}}"#)
        deliver(#"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://resume.test"}}"#)
        host.advance(seconds: 179)
        #expect(host.scheduler.fire("alice-clear", to: DiscordPlugin.ndSchedulerCallback)?.succeeded == true)
        let sentPresences = try frames().filter { $0["op"]?.int64Value == 3 }
        #expect(sentPresences.count == 2)
        #expect(sentPresences.last?["d"]?["activities"]?.arrayValue?.isEmpty == true)
    }

    @Test func failedConnectIsReported() {
        host.websocket.connectError = "handshake refused"
        let result = nowPlaying()
        #expect(result.code == 1)
        #expect(result.error?.contains("could not connect to the Discord gateway: handshake refused") == true)
    }

    /// Text from outside that quotes the user's token (a host's error, a close reason) is logged
    /// and returned without it.
    @Test func aTokenQuotedByAHostErrorOrCloseReasonIsNotLogged() {
        host.websocket.connectError = "refused token-a (token-a)"
        let failed = nowPlaying()
        #expect(failed.error?.contains("could not connect to the Discord gateway: refused [redacted] ([redacted])") == true)
        host.websocket.connectError = nil
        nowPlaying()
        deliver(#"{"op":10,"d":{"heartbeat_interval":41250}}"#)
        host.call(DiscordPlugin.ndWebsocketOnError, OnErrorRequest(connectionId: "alice", error: "websocket: reset by token-a"))
        #expect(host.logs.contains { $0.message.contains("lost (websocket: reset by [redacted])") })
        #expect(!host.logs.contains { $0.message.contains("token-a") })
        #expect(ActivityText.redacting("ab", in: "xababyab") == "x[redacted][redacted]y[redacted]")
        #expect(ActivityText.redacting("", in: "text") == "text")
    }
}
