import Feeds
import Foundation
import Logging
import PluginRuntime
import Testing
import TestSupport

@testable import HostServices

/// The daemon's wiring of `SubsonicUpstream`: the Feeds Subsonic client with each user's
/// stored password.
struct SubsonicClientUpstream: SubsonicUpstream {
    let client: SubsonicClient
    let passwords: [String: String]

    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse {
        guard let password = passwords[user] else { throw HostServiceError("no credentials for \(user)") }
        let response = try await client.get(
            endpoint: endpoint, query: query, as: SubsonicCredentials(username: user, password: password))
        return SubsonicUpstreamResponse(
            statusCode: response.status, contentType: response.contentType ?? "", body: Array(response.body))
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct SubsonicAPISupysonicTests {
    @Test func forwardsToARealSubsonicServerWithAssignmentAndAdminChecks() async throws {
        let server = try await SupysonicServer.start()
        defer { server.stop() }
        let client = try SubsonicClient(serverURL: server.info.url, allowsHexPassword: true, logger: Logger(label: "test.subsonic"))
        let service = SubsonicAPIService(upstream: SubsonicClientUpstream(client: client, passwords: server.info.users))
        let directory = StaticDirectory(list: [
            TonearmUser(userName: "alice", name: "Alice", isAdmin: false),
            TonearmUser(userName: server.info.admin, name: "Admin", isAdmin: true),
        ])
        func functions(users: [String], allowAdmins: Bool) -> [String: HostFunction] {
            service.functions(
                for: makeContext(
                    id: "discord", permissions: .init(declared: ["subsonicapi", "users"]),
                    access: PluginAccess(allUsers: false, users: users, allowAdmins: allowAdmins, directory: directory)))
        }

        let aliceOnly = functions(users: ["alice"], allowAdmins: false)
        let ping = try await invoke(aliceOnly["subsonicapi_call"], ["uri": "/rest/ping.view?u=alice"])
        let pingJSON = try #require(ping.json["responseJson"] as? String)
        #expect(pingJSON.contains(#""status": "ok""#) || pingJSON.contains(#""status":"ok""#))

        // Cover art through callraw: bytes and content type, no JSON forced.
        let track = try #require(server.info.tracks.first { $0.hasEmbeddedArt })
        let song = try await invoke(aliceOnly["subsonicapi_call"], ["uri": "getSong?u=alice&id=\(track.id)"])
        let songObject = try JSONSerialization.jsonObject(with: Data(try #require(song.json["responseJson"] as? String).utf8))
        let coverArt = try #require(
            ((songObject as? [String: Any])?["subsonic-response"] as? [String: Any]).flatMap { ($0["song"] as? [String: Any])?["coverArt"] as? String })
        let art = try await invoke(aliceOnly["subsonicapi_callraw"], ["uri": "getCoverArt?u=alice&id=\(coverArt)&size=64"])
        #expect((art.json["contentType"] as? String)?.hasPrefix("image/") == true)
        #expect(((art.json["data"] as? String).flatMap { Data(base64Encoded: $0) }?.count ?? 0) > 100)

        // Not assigned, admin without the operator's consent, admin with it.
        let asAdmin = ["uri": "ping?u=\(server.info.admin)"]
        #expect((try await invoke(aliceOnly["subsonicapi_call"], asAdmin).json["error"] as? String)?.contains("not authorized") == true)
        let adminAssigned = functions(users: ["alice", server.info.admin], allowAdmins: false)
        #expect((try await invoke(adminAssigned["subsonicapi_call"], asAdmin).json["error"] as? String)?.contains("is an admin") == true)
        let adminsAllowed = functions(users: ["alice", server.info.admin], allowAdmins: true)
        #expect(try await invoke(adminsAllowed["subsonicapi_call"], asAdmin).json["responseJson"] != nil)
        // Subsonic failures stay inside the response.
        let missing = try await invoke(aliceOnly["subsonicapi_call"], ["uri": "getSong?u=alice&id=nope"])
        #expect((missing.json["responseJson"] as? String)?.contains("failed") == true)
        #expect(missing.json["error"] == nil)
    }
}
