@testable import WebhookRelay
import NavidromePDK
import NavidromePDKTesting
import Testing

let hookURL = "https://hooks.example.com/relay/t0ken-in-path?k=v"
var track: TrackInfo { TrackInfo(id: "tr-1", title: "Teardrop", album: "Mezzanine", artist: "Massive Attack", albumArtist: "Massive Attack", duration: 330.5) }

@Suite struct DeliveryTests {
    let host = TestHost()

    init() {
        host.config["url"] = hookURL
        host.unixMilliseconds = 1_700_000_000_000
    }

    func stats(_ key: String) throws -> JSONValue {
        try JSONValue.parse(host.kvstore[key] ?? Array("null".utf8))
    }

    @Test func authorizedOnlyWithAWebhookURL() {
        #expect(host.call(WebhookRelay.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "alice")).outputText == "true")
        host.config["url"] = nil
        #expect(host.call(WebhookRelay.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "alice")).outputText == "false")
    }

    @Test func aScrobbleIsPostedAsJSONAndCounted() throws {
        host.http.respond("POST", hookURL, status: 204)
        let result = host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: track, timestamp: 1_699_999_990))
        #expect(result.succeeded)
        let sent = try #require(host.http.requests.first)
        #expect(host.http.requests.count == 1)
        #expect(sent.method == "POST")
        #expect(sent.url == hookURL)
        #expect(sent.timeoutMs == 10_000)
        #expect(sent.headers == ["Content-Type": "application/json", "User-Agent": "Tonearm-webhook-relay/1.0.0"])
        let body = try JSONValue.parse(sent.body)
        #expect(body["event"] == .string("scrobble"))
        #expect(body["username"] == .string("alice"))
        #expect(body["timestamp"] == .int(1_699_999_990))
        #expect(body["track"] == track.jsonValue)
        #expect(try stats("stats/scrobble/alice") == (try JSONValue.parse(#"{"delivered":1,"failed":0,"lastDeliveredAt":1700000000,"lastStatus":204}"#)))
    }

    @Test func theSecretTravelsInItsHeaderAndIsNeverLogged() throws {
        host.config["secret"] = "s3cr3t-value"
        host.config["secretHeader"] = "X-Relay-Token"
        host.http.fail("POST", hookURL, error: "Post \"\(hookURL)\": dial tcp: lookup hooks.example.com: no such host")
        let result = host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: track, timestamp: 1))
        #expect(host.http.requests.first?.headers["X-Relay-Token"] == "s3cr3t-value")
        let expected = "webhook https://hooks.example.com/… unreachable: Post \"https://hooks.example.com/…\": dial tcp: lookup hooks.example.com: no such host"
        #expect(result.error == "scrobbler(retry_later): " + expected)
        #expect(host.logs.map(\.message) == ["scrobble of alice not delivered: " + expected])
        for text in host.logs.map(\.message) + [result.error ?? ""] + host.kvstore.keys.map({ String(decoding: host.kvstore[$0] ?? [], as: UTF8.self) }) {
            #expect(!text.contains("s3cr3t-value"))
            #expect(!text.contains("t0ken-in-path"))
        }
        let recorded = try stats("stats/scrobble/alice")
        #expect(recorded["failed"] == .int(1))
        #expect(recorded["lastFailedAt"] == .int(1_700_000_000))
        #expect(recorded["lastError"] == .string(expected))
    }

    @Test func serverErrorsAndThrottlingAreRetriedLater() {
        for status: Int32 in [500, 503, 429, 408, 404, 401, 403, 302] {
            host.http.respond("POST", hookURL, status: status)
            let result = host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "bob", track: track, timestamp: 1))
            #expect(result.error == "scrobbler(retry_later): webhook https://hooks.example.com/… answered HTTP \(status)")
        }
    }

    @Test func aRejectedEventIsUnrecoverable() throws {
        host.http.respond("POST", hookURL, status: 422)
        let result = host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "bob", track: track, timestamp: 1))
        #expect(result.error == "scrobbler(unrecoverable): webhook https://hooks.example.com/… answered HTTP 422")
        #expect(try stats("stats/scrobble/bob")["failed"] == .int(1))
    }

    @Test func withoutAURLAScrobbleWaits() {
        host.config["url"] = nil
        let result = host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "bob", track: track, timestamp: 1))
        #expect(result.error == "scrobbler(retry_later): no webhook URL configured")
        #expect(host.http.requests.isEmpty)
    }

    @Test func nowPlayingIsRelayedOnlyWhenEnabled() throws {
        host.http.respond("POST", hookURL, status: 200)
        #expect(host.call(WebhookRelay.ndScrobblerNowPlaying, NowPlayingRequest(username: "alice", track: track, position: 42)).succeeded)
        #expect(host.http.requests.isEmpty)
        host.config["nowPlaying"] = "true"
        #expect(host.call(WebhookRelay.ndScrobblerNowPlaying, NowPlayingRequest(username: "alice", track: track, position: 42)).succeeded)
        let body = try JSONValue.parse(try #require(host.http.requests.first).body)
        #expect(body == (try JSONValue.parse(#"{"event":"nowPlaying","username":"alice","position":42,"track":\#(track.jsonString())}"#)))
        #expect(try stats("stats/nowPlaying/alice")["delivered"] == .int(1))
    }

    @Test func aStoreFailureDoesNotFailADeliveredScrobble() {
        host.http.respond("POST", hookURL, status: 200)
        host.answer("kvstore_set", with: #"{"error":"storage limit exceeded"}"#)
        let result = host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: track, timestamp: 1))
        #expect(result.succeeded)
        #expect(host.logs.map(\.message) == [
            "could not record the delivery of scrobble for alice: kvstore_set: storage limit exceeded",
            "scrobble of alice delivered to https://hooks.example.com/… (HTTP 200)",
        ])
    }

    @Test func countsAccumulatePerUserAndEvent() throws {
        host.http.respond("POST", hookURL, status: 200)
        for _ in 0..<3 {
            host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: track, timestamp: 1))
        }
        host.advance(seconds: 60)
        host.http.respond("POST", hookURL, status: 502)
        host.call(WebhookRelay.ndScrobblerScrobble, ScrobbleRequest(username: "alice", track: track, timestamp: 2))
        let recorded = try stats("stats/scrobble/alice")
        #expect(recorded["delivered"] == .int(3))
        #expect(recorded["failed"] == .int(1))
        #expect(recorded["lastDeliveredAt"] == .int(1_700_000_000))
        #expect(recorded["lastFailedAt"] == .int(1_700_000_060))
    }
}

@Suite struct RedactionTests {
    func settings(_ url: String, secret: String = "") -> RelaySettings {
        RelaySettings(url: url, secret: secret, secretHeader: "X", relayNowPlaying: false)
    }

    @Test func theURLKeepsOnlySchemeAndHost() {
        #expect(settings("https://hooks.example.com/relay/abc?k=v").redactedURL == "https://hooks.example.com/…")
        #expect(settings("http://user:pw@10.0.0.5:8123").redactedURL == "http://10.0.0.5:8123/…")
        #expect(settings("http://127.0.0.1:8080").redactedURL == "http://127.0.0.1:8080")
        #expect(settings("not a url").redactedURL == "…")
    }

    @Test func errorsLoseTheURLAndTheSecret() {
        let relay = settings("https://h.example/p/tok", secret: "abc123")
        #expect(relay.redact("Post \"https://h.example/p/tok\": abc123 refused") == "Post \"https://h.example/…\": [secret] refused")
    }

    @Test func utcTimes() {
        #expect(UTCTime.format(0) == "1970-01-01 00:00:00 UTC")
        #expect(UTCTime.format(1_700_000_000) == "2023-11-14 22:13:20 UTC")
        #expect(UTCTime.format(951_825_600) == "2000-02-29 12:00:00 UTC")
    }
}
