import Console
import Feeds
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PluginRuntime
import Testing

@testable import TonearmServer

/// The web console's pages and API in process: nothing without a session, sign-in with its
/// form token and throttle, CSRF on every write, a user seeing only their own entry, no secret
/// in any answer.
@Suite(.timeLimit(.minutes(2))) struct ConsoleRouterTests {
    typealias Client = any TestClientProtocol

    /// The `name=value` of each `Set-Cookie`, by name.
    static func cookies(_ response: TestResponse) -> [String: String] {
        var cookies: [String: String] = [:]
        for field in response.headers where field.name == .setCookie {
            let pair = field.value.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2 { cookies[String(pair[0])] = String(pair[1]) } else { cookies[String(pair[0])] = "" }
        }
        return cookies
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&"))
    }

    /// Signs in with `secret`; the session cookie, or nil with the status refused.
    static func signIn(_ client: Client, secret: String) async throws -> (session: String?, status: HTTPResponse.Status) {
        let formToken = try await client.execute(uri: "/signin", method: .get) { response in
            #expect(response.status == .ok)
            return try #require(cookies(response)[TonearmDaemon.signInCookie])
        }
        return try await client.execute(
            uri: "/signin", method: .post,
            headers: [.cookie: "\(TonearmDaemon.signInCookie)=\(formToken)", .contentType: "application/x-www-form-urlencoded"],
            body: form(["csrf": formToken, "secret": secret])
        ) { response in
            (cookies(response)[TonearmDaemon.sessionCookie], response.status)
        }
    }

    static func get(_ client: Client, _ uri: String, session: String) async throws -> (HTTPResponse.Status, String) {
        try await client.execute(uri: uri, method: .get, headers: [.cookie: "\(TonearmDaemon.sessionCookie)=\(session)"]) {
            ($0.status, RouterTests.text($0))
        }
    }

    @Test func everyPageAndAPIIsRefusedWithoutASession() async throws {
        try await RouterTests.withRouter { client, _ in
            for uri in ["/", "/plugins", "/plugins/minimal", "/logs"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .seeOther, "\(uri)")
                    #expect(response.headers[.location] == "/signin")
                }
            }
            for uri in ["/console/fragments/live", "/console/events", "/api/console/session", "/api/console/dashboard",
                        "/api/console/plugins", "/api/console/logs"] {
                try await client.execute(uri: uri, method: .get) { response in #expect(response.status == .unauthorized, "\(uri)") }
            }
            for uri in ["/plugins/minimal/disable", "/signout"] {
                try await client.execute(uri: uri, method: .post) { response in #expect(response.status == .seeOther, "\(uri)") }
            }
            try await client.execute(uri: "/api/console/plugins/minimal/disable", method: .post) { response in
                #expect(response.status == .unauthorized)
            }
            // A forged session cookie is no session.
            let (status, _) = try await Self.get(client, "/api/console/session", session: String(repeating: "a", count: 64))
            #expect(status == .unauthorized)
        }
    }

    @Test func signInNeedsTheFormTokenAndTheRightSecret() async throws {
        try await RouterTests.withRouter { client, _ in
            // No form token cookie: refused, whatever the secret.
            try await client.execute(
                uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: Self.form(["csrf": "x", "secret": RouterTests.adminToken])
            ) { response in
                #expect(response.status == .forbidden)
                #expect(Self.cookies(response)[TonearmDaemon.sessionCookie] == nil)
            }
            let refused = try await Self.signIn(client, secret: "wrong").status
            #expect(refused == .unauthorized)
            let (session, status) = try await Self.signIn(client, secret: RouterTests.adminToken)
            #expect(status == .seeOther)
            let cookie = try #require(session)
            let (pageStatus, page) = try await Self.get(client, "/", session: cookie)
            #expect(pageStatus == .ok)
            #expect(page.contains("<h1>Dashboard</h1>"))
            let (_, answer) = try await Self.get(client, "/api/console/session", session: cookie)
            #expect(answer.contains(#""role":"admin""#))
        }
    }

    @Test func theSessionCookieIsHttpOnlyAndSameSiteStrict() async throws {
        try await RouterTests.withRouter { client, _ in
            let formToken = try await client.execute(uri: "/signin", method: .get) { response in
                try #require(Self.cookies(response)[TonearmDaemon.signInCookie])
            }
            try await client.execute(
                uri: "/signin", method: .post,
                headers: [.cookie: "\(TonearmDaemon.signInCookie)=\(formToken)", .contentType: "application/x-www-form-urlencoded"],
                body: Self.form(["csrf": formToken, "secret": RouterTests.adminToken])
            ) { response in
                let header = response.headers[values: .setCookie].first { $0.hasPrefix(TonearmDaemon.sessionCookie + "=") } ?? ""
                #expect(header.contains("HttpOnly"))
                #expect(header.contains("SameSite=Strict"))
                #expect(!header.contains("Secure"))  // served over http here
            }
        }
    }

    @Test func repeatedFailuresAreThrottled() async throws {
        try await RouterTests.withRouter { client, _ in
            for _ in 0..<5 {
                let status = try await Self.signIn(client, secret: "guess").status
                #expect(status == .unauthorized)
            }
            // Even the right secret waits now.
            let status = try await Self.signIn(client, secret: RouterTests.adminToken).status
            #expect(status == .tooManyRequests)
        }
    }

    @Test func theStoredPasswordSignsInTheOperator() async throws {
        try await RouterTests.withRouter(adminToken: "") { client, daemon in
            let before = try await Self.signIn(client, secret: "a long password").status
            #expect(before == .unauthorized)
            _ = try ConsolePassword.store("a long password", dataFolder: daemon.configuration.plugins.dataFolder, rounds: 1000)
            let (session, status) = try await Self.signIn(client, secret: "a long password")
            #expect(status == .seeOther)
            let cookie = try #require(session)
            let plugins = try await Self.get(client, "/plugins", session: cookie).0
            #expect(plugins == .ok)
        }
    }

    @Test func aListenerSeesOnlyTheirOwnEntry() async throws {
        try await RouterTests.withRouter { client, _ in
            let session = try #require(try await Self.signIn(client, secret: "tok-alice").session)
            let (status, dashboard) = try await Self.get(client, "/api/console/dashboard", session: session)
            #expect(status == .ok)
            #expect(dashboard.contains(#""userName":"alice""#))
            #expect(!dashboard.contains("bob"))
            #expect(!dashboard.contains(#""feeds""#))
            let (_, page) = try await Self.get(client, "/", session: session)
            #expect(page.contains("Your listening"))
            #expect(!page.contains("bob"))
            for uri in ["/plugins", "/logs", "/api/console/plugins", "/api/console/logs"] {
                let status = try await Self.get(client, uri, session: session).0
                #expect(status == .forbidden, "\(uri)")
            }
        }
    }

    @Test func writesNeedTheSessionsCSRFToken() async throws {
        try await RouterTests.withRouter { client, _ in
            let session = try #require(try await Self.signIn(client, secret: RouterTests.adminToken).session)
            let (_, answer) = try await Self.get(client, "/api/console/session", session: session)
            let csrf = try #require(answer.split(separator: "\"").drop { $0 != "csrfToken" }.dropFirst(2).first.map(String.init))
            let cookie: HTTPFields = [.cookie: "\(TonearmDaemon.sessionCookie)=\(session)", .contentType: "application/x-www-form-urlencoded"]
            try await client.execute(uri: "/plugins/minimal/disable", method: .post, headers: cookie, body: Self.form(["csrf": "wrong"])) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/plugins/minimal/disable", method: .post, headers: cookie, body: Self.form(["csrf": csrf])) {
                #expect($0.status == .notFound)  // past the token: there is no such plugin
            }
            try await client.execute(uri: "/api/console/plugins/minimal/disable", method: .post, headers: cookie) {
                #expect($0.status == .forbidden)
            }
            var withHeader = cookie
            withHeader[HTTPField.Name("X-CSRF-Token")!] = csrf
            try await client.execute(uri: "/api/console/plugins/minimal/disable", method: .post, headers: withHeader) {
                #expect($0.status == .notFound)
            }
            // Signing out ends the session.
            try await client.execute(uri: "/signout", method: .post, headers: cookie, body: Self.form(["csrf": csrf])) {
                #expect($0.status == .seeOther)
            }
            let after = try await Self.get(client, "/api/console/session", session: session).0
            #expect(after == .unauthorized)
        }
    }

    @Test func aTrackTheMusicServerKnowsShowsItsCover() async throws {
        try await RouterTests.withRouter(configure: { configuration in
            configuration.server.subsonic.url = "http://127.0.0.1:9"
            configuration.server.subsonic.username = "poller"
            configuration.server.subsonic.password = "poller-password"
            configuration.server.subsonic.poll = false
        }) { client, daemon in
            let event = PlaybackEvent(
                kind: .started, source: .subsonic, username: "alice", playerId: "web", playerName: "Web",
                track: PlaybackTrack(id: "tr-9", title: "Teardrop", artist: "Massive Attack", duration: 330),
                positionMs: 0, playbackRate: 1, timestamp: Date())
            try await daemon.receive([event], clientWaits: true)
            let session = try #require(try await Self.signIn(client, secret: RouterTests.adminToken).session)
            let deadline = Date().addingTimeInterval(10)
            var live = ""
            while !live.contains("Teardrop"), Date() < deadline {
                live = try await Self.get(client, "/console/fragments/live", session: session).1
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(live.contains(#"<img class="art" src="http://127.0.0.1:4534/artwork/mf/tr-9?"#))
            #expect(!live.contains("poller-password"))
        }
    }

    @Test func noAnswerHoldsASecret() async throws {
        try await RouterTests.withRouter { client, _ in
            let session = try #require(try await Self.signIn(client, secret: RouterTests.adminToken).session)
            for uri in ["/", "/plugins", "/logs", "/console/fragments/live", "/api/console/session", "/api/console/dashboard",
                        "/api/console/plugins", "/api/console/logs", "/signin"] {
                let (_, body) = try await Self.get(client, uri, session: session)
                #expect(!body.contains(RouterTests.adminToken), "\(uri)")
                #expect(!body.contains("tok-alice"), "\(uri)")
            }
        }
    }
}
