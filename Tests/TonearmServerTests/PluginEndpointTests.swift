import Feeds
import Foundation
import NavidromeABI
import PluginRuntime
import Testing

@testable import TonearmServer

/// Plugin endpoints' parts that need no server: authentication by mode, the relative path, the
/// per-address limit and the binary frame of `nd_http_handle_request`. The whole path through
/// `tonearm serve` is tested in Tests/Conformance/test_tonearm_serve_plugins.py.
@Suite(.timeLimit(.minutes(1))) struct PluginEndpointTests {
    let users = [
        ServerConfiguration.UserSettings(name: "alice", password: "sesame", listenBrainzToken: "lb-alice"),
        ServerConfiguration.UserSettings(name: "bob", apiKey: "key-bob"),
    ]

    func authenticate(_ auth: EndpointsAuth, _ query: [(String, String)] = [], headers: [String: String] = [:])
        -> EndpointAuthentication.Outcome
    {
        EndpointAuthentication.authenticate(auth, parameters: query, header: { headers[$0] }, users: users)
    }

    func userName(_ outcome: EndpointAuthentication.Outcome) -> String? {
        if case .user(let user) = outcome { user.name } else { nil }
    }

    @Test func subsonicModeTakesPasswordTokenAndAPIKey() {
        #expect(userName(authenticate(.subsonic, [("u", "alice"), ("p", "sesame")])) == "alice")
        #expect(userName(authenticate(.subsonic, [("u", "ALICE"), ("p", "enc:736573616d65")])) == "alice")
        let token = SubsonicCredentials.token(password: "sesame", salt: "c19b2d")
        #expect(userName(authenticate(.subsonic, [("u", "alice"), ("t", token), ("s", "c19b2d")])) == "alice")
        #expect(userName(authenticate(.subsonic, [("u", "alice"), ("t", token.uppercased()), ("s", "c19b2d")])) == "alice")
        #expect(userName(authenticate(.subsonic, [("apiKey", "key-bob")])) == "bob")
    }

    @Test func subsonicModeRefusalsNameNoSecret() {
        let refusals: [([(String, String)], String)] = [
            ([], "no u parameter"),
            ([("u", "alice"), ("p", "wrong")], "wrong password for alice"),
            ([("u", "alice"), ("t", "00"), ("s", "x")], "wrong token for alice"),
            ([("u", "alice")], "no p, t or apiKey parameter"),
            ([("u", "alice"), ("jwt", "x.y.z")], "jwt credentials are Navidrome's; Tonearm has none"),
            ([("u", "carol"), ("p", "sesame")], "user carol is not in [[Users]]"),
            ([("u", "bob"), ("p", "")], "user bob has no Password in [[Users]]"),
            ([("apiKey", "nope")], "unknown apiKey"),
            ([("apiKey", "key-bob"), ("u", "bob")], "apiKey given together with u"),
            ([("u", "alice"), ("p", "enc:zz")], "wrong password for alice"),
        ]
        for (query, reason) in refusals {
            #expect(authenticate(.subsonic, query) == .refused(reason), "\(query)")
        }
    }

    @Test func nativeModeTakesTheUsersToken() {
        #expect(userName(authenticate(.native, headers: ["X-ND-Authorization": "Bearer lb-alice"])) == "alice")
        #expect(userName(authenticate(.native, headers: ["Authorization": "Token lb-alice"])) == "alice")
        #expect(userName(authenticate(.native, headers: ["Authorization": "bearer  lb-alice"])) == "alice")
        #expect(authenticate(.native, headers: ["Authorization": "Bearer nope"]) == .refused("unknown token"))
        #expect(authenticate(.native, headers: ["X-ND-Authorization": "Basic lb-alice"])
            == .refused("no X-ND-Authorization or Authorization token"))
        #expect(authenticate(.native) == .refused("no X-ND-Authorization or Authorization token"))
        // Subsonic credentials do not open a native endpoint.
        #expect(authenticate(.native, [("u", "alice"), ("p", "sesame")]) == .refused("no X-ND-Authorization or Authorization token"))
    }

    @Test func noneModeIsAnonymous() {
        #expect(authenticate(.none) == .anonymous)
        #expect(authenticate(.none, [("u", "alice"), ("p", "wrong")]) == .anonymous)
    }

    @Test func relativePathIsBelowThePlugin() {
        #expect(TonearmDaemon.relativePath("/ext/relay", plugin: "relay") == "")
        #expect(TonearmDaemon.relativePath("/ext/relay/", plugin: "relay") == "")
        #expect(TonearmDaemon.relativePath("/ext/relay/status", plugin: "relay") == "/status")
        #expect(TonearmDaemon.relativePath("/rest/ext/relay/a/b/", plugin: "relay") == "/a/b/")
        #expect(TonearmDaemon.relativePath("/ext/relay/caf%C3%A9", plugin: "relay") == "/café")
    }

    @Test func rateLimitCountsPerAddressInAWindow() {
        let limit = RequestRateLimit(limit: 2, window: 10)
        let start = Date(timeIntervalSince1970: 1_000)
        #expect(limit.admit("10.0.0.1", now: start) == nil)
        #expect(limit.admit("10.0.0.1", now: start) == nil)
        #expect(limit.admit("10.0.0.1", now: start.addingTimeInterval(2.5)) == 8)
        #expect(limit.admit("10.0.0.2", now: start) == nil)
        #expect(limit.admit("10.0.0.1", now: start.addingTimeInterval(10)) == nil)
        let off = RequestRateLimit(limit: 0, window: 10)
        for _ in 0..<100 { #expect(off.admit("10.0.0.1", now: start) == nil) }
    }

    @Test func rateLimitMemoryIsBounded() {
        let limit = RequestRateLimit(limit: 1, window: 60)
        let start = Date(timeIntervalSince1970: 1_000)
        for index in 0..<RequestRateLimit.maxTrackedClients { _ = limit.admit("a\(index)", now: start) }
        // New addresses share one budget once the table is full…
        #expect(limit.admit("new-1", now: start) == nil)
        #expect(limit.admit("new-2", now: start) != nil)
        // …until the windows end and are dropped.
        #expect(limit.admit("new-3", now: start.addingTimeInterval(61)) == nil)
    }

    @Test func binaryFrameCarriesTheBodyOutsideTheJSON() throws {
        let request = HTTPHandleRequest(method: "POST", path: "/hook", body: Array("{\"a\":1}".utf8))
        let frame = try request.inputFrame()
        let json = #"{"method":"POST","path":"/hook"}"#
        #expect(Array(frame.prefix(4)) == [0, 0, 0, UInt8(json.utf8.count)])
        #expect(String(decoding: frame.dropFirst(4), as: UTF8.self) == json + "{\"a\":1}")

        let answerJSON = Array(#"{"status":201,"headers":{"Content-Type":["text/plain"]}}"#.utf8)
        let length = UInt8(answerJSON.count)
        let answer = try HTTPHandleResponse(outputFrame: [0, 0, 0, 0, length] + answerJSON + Array("made".utf8))
        #expect(answer.status == 201)
        #expect(answer.headers == ["Content-Type": ["text/plain"]])
        #expect(answer.body == Array("made".utf8))
    }

    @Test func badOutputFramesAreNamed() {
        func problem(_ frame: [UInt8]) -> String? {
            do {
                _ = try HTTPHandleResponse(outputFrame: frame)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem([]) == "empty response from plugin")
        #expect(problem([1] + Array("boom".utf8)) == "plugin error: boom")
        #expect(problem([7]) == "unknown response status byte: 0x07")
        #expect(problem([0, 0, 0]) == "malformed success response from plugin")
        #expect(problem([0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B]) == "invalid json length in response frame: 4294967295 exceeds available 1 bytes")
        #expect(problem([0, 0, 0, 0, 2, 0x7B, 0x7D]) == nil)
        #expect(problem([0, 0, 0, 0, 3, 0x5B, 0x5D, 0x20])?.hasPrefix("failed to unmarshal response") == true)
    }
}
