import Feeds
import Foundation
import HostServices
import Hummingbird
import HummingbirdTesting
import Logging
import PluginRuntime
import Testing

@testable import TonearmServer

/// Every endpoint of serve's router, in process (HummingbirdTesting's router mode: the client
/// has no address, so it is not on this machine), with and without `Server.AdminToken`.
@Suite(.timeLimit(.minutes(2))) struct RouterTests {
    static let adminToken = "s3cret-admin"

    /// A daemon without plugins or music server; runs `body` with a test client of its router.
    static func withRouter(
        adminToken: String = RouterTests.adminToken, configure: (inout TonearmConfiguration) -> Void = { _ in }, _ body: @Sendable (any TestClientProtocol, TonearmDaemon) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-router-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = TonearmConfiguration()
        configuration.server.adminToken = adminToken
        configuration.server.users = [.init(name: "alice", listenBrainzToken: "tok-alice"), .init(name: "bob")]
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
        try FileManager.default.createDirectory(atPath: configuration.plugins.pluginsFolder, withIntermediateDirectories: true)
        configure(&configuration)
        let daemon = try TonearmDaemon(configuration: configuration, logger: Logger(label: "test"))
        await daemon.pluginManager.start()
        let app = Application(router: daemon.makeRouter())
        try await app.test(.router) { client in try await body(client, daemon) }
        await daemon.dispatcher.shutdown()
        await daemon.pluginManager.shutdown()
        await daemon.host.shutdown()
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func healthAnswersOK() async throws {
        try await Self.withRouter { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.text(response) == "ok\n")
            }
        }
    }

    @Test func statusIsCountsWithoutTheTokenWholeWithItAndRefusedWithAWrongOne() async throws {
        try await Self.withRouter { client, _ in
            try await client.execute(uri: "/api/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(!Self.text(response).contains("alice"))
            }
            try await client.execute(uri: "/api/status", method: .get, headers: [.authorization: "Bearer \(Self.adminToken)"]) { response in
                #expect(response.status == .ok)
                #expect(Self.text(response).contains("\"alice\""))
            }
            try await client.execute(uri: "/api/status", method: .get, headers: [.authorization: "Bearer guess"]) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func operatorEndpointsNeedTheAdminToken() async throws {
        try await Self.withRouter { client, _ in
            for uri in ["/api/plugins/rescan", "/api/plugins/discord-rich-presence/enable"] {
                try await client.execute(uri: uri, method: .post) { response in #expect(response.status == .unauthorized) }
                try await client.execute(uri: uri, method: .post, headers: [.authorization: "Bearer guess"]) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            let admin: HTTPFields = [.authorization: "Bearer \(Self.adminToken)"]
            try await client.execute(uri: "/api/plugins/rescan", method: .post, headers: admin) { response in
                #expect(response.status == .ok)
                #expect(Self.text(response) == "[]")
            }
            try await client.execute(uri: "/api/plugins/nothing-here/enable", method: .post, headers: admin) { response in
                #expect(response.status == .notFound)
                #expect(Self.text(response).contains("no plugin \\\"nothing-here\\\""))
            }
            try await client.execute(uri: "/api/plugins/nothing-here/explode", method: .post, headers: admin) { response in
                #expect(response.status == .notFound)
                #expect(Self.text(response).contains("use enable or disable"))
            }
        }
    }

    @Test func withoutAnAdminTokenThereAreNoOperatorEndpoints() async throws {
        try await Self.withRouter(adminToken: "") { client, _ in
            try await client.execute(uri: "/api/plugins/rescan", method: .post, headers: [.authorization: "Bearer "]) { response in
                #expect(response.status == .notFound)
            }
            // And a remote client gets counts only: there is no token to unlock the rest.
            try await client.execute(uri: "/api/status", method: .get) { response in
                #expect(response.status == .ok)
                #expect(!Self.text(response).contains("alice"))
            }
        }
    }

    @Test func listenBrainzAcceptsKnownTokensAndRefusesOthers() async throws {
        try await Self.withRouter { client, daemon in
            try await client.execute(uri: "/1/validate-token", method: .get, headers: [.authorization: "Token tok-alice"]) { response in
                #expect(response.status == .ok)
                #expect(Self.text(response).contains("\"user_name\":\"alice\""))
            }
            try await client.execute(uri: "/1/validate-token?token=guess", method: .get) { response in
                #expect(Self.text(response).contains("\"valid\":false"))
            }
            let listen = #"{"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"Massive Attack","track_name":"Teardrop"}}]}"#
            try await client.execute(
                uri: "/1/submit-listens", method: .post, headers: [.authorization: "Token guess", .contentType: "application/json"],
                body: ByteBuffer(string: listen)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: "/1/submit-listens", method: .post, headers: [.authorization: "Token tok-alice", .contentType: "application/json"],
                body: ByteBuffer(string: listen)
            ) { response in
                #expect(response.status == .ok)
            }
            let deadline = Date().addingTimeInterval(10)
            while daemon.dispatcher.currentPlayback()["alice"] == nil, Date() < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(daemon.dispatcher.currentPlayback()["alice"]?.values.first?.track.title == "Teardrop")
        }
    }

    @Test func artworkLinksMustBeSigned() async throws {
        try await Self.withRouter { client, daemon in
            try await client.execute(uri: "/artwork/al/al-1?size=300&exp=9999999999&sig=forged", method: .get) { response in
                #expect(response.status == .forbidden)
            }
            // A genuine link gets past the signature; with no music server there is no image.
            let link = try #require(URL(string: daemon.artworkSigner.url(kind: .album, id: "al-1", size: 300)))
            try await client.execute(uri: link.path + "?" + (link.query ?? ""), method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.text(response).contains("no upstream Subsonic server"))
            }
        }
    }

    @Test func pluginEndpointsOfNoPluginAreNotFound() async throws {
        try await Self.withRouter { client, _ in
            for uri in ["/ext/nothing-here/hello", "/rest/ext/nothing-here/hello"] {
                try await client.execute(uri: uri, method: .get) { response in #expect(response.status == .notFound) }
            }
        }
    }
}
