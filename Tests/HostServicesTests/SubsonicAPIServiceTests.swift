import AsyncHTTPClient
import Foundation
import NIOHTTP1
import HTTPTypes
import Hummingbird
import PluginRuntime
import Testing

@testable import HostServices

/// An upstream reached over real HTTP: `GET http://127.0.0.1:<port>/rest/<endpoint>?…` with the
/// user in a header, standing in for the daemon's Subsonic client.
struct LoopbackUpstream: SubsonicUpstream {
    let port: Int

    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/rest/\(endpoint)")!
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        var request = HTTPClientRequest(url: components.url!.absoluteString)
        request.headers.add(name: "X-Upstream-User", value: user)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 24)
        return SubsonicUpstreamResponse(
            statusCode: Int(response.status.code), contentType: response.headers.first(name: "content-type") ?? "",
            body: Array(body.readableBytesView))
    }
}

@Suite(.timeLimit(.minutes(2))) struct SubsonicAPIServiceTests {
    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/rest/getCoverArt") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: [0x89, 0x50, 0x4E, 0x47])))
        }
        router.get("/rest/:endpoint") { request, context -> String in
            // Echo what arrived, so the test sees exactly what the service forwarded.
            let user = request.headers[HTTPField.Name("x-upstream-user")!] ?? ""
            return #"{"subsonic-response":{"status":"ok","endpoint":"\#(context.parameters.get("endpoint")!)","user":"\#(user)","query":"\#(request.uri.query ?? "")"}}"#
        }
        return router
    }

    func refusal(_ functions: [String: HostFunction], _ uri: String) async throws -> String? {
        try await invoke(functions["subsonicapi_call"], ["uri": uri]).json["error"] as? String
    }

    func functions(port: Int, access: PluginAccess) -> [String: HostFunction] {
        SubsonicAPIService(upstream: LoopbackUpstream(port: port)).functions(
            for: makeContext(id: "discord", permissions: .init(declared: ["subsonicapi", "users"]), access: access))
    }

    @Test func callForwardsAsTheAssignedUserWithForcedParameters() async throws {
        let access = PluginAccess(allUsers: false, users: ["alice"], allowAdmins: false, directory: everyone)
        try await withHTTPServer(Self.router()) { (port: Int) async throws in
            let f = functions(port: port, access: access)
            let response = try await invoke(f["subsonicapi_call"], ["uri": "/rest/getAlbum.view?u=ALICE&id=al-1&f=xml&p=secret&t=x&s=y&c=evil&v=1.0.0"])
            let json = try #require(response.json["responseJson"] as? String)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: String]])
            let echoed = try #require(object["subsonic-response"])
            #expect(echoed["endpoint"] == "getAlbum")
            #expect(echoed["user"] == "alice")
            #expect(echoed["query"] == "id=al-1&c=discord&v=1.16.1&f=json")
            #expect(response.json["error"] == nil)
            // Bare endpoint names work too.
            #expect(try await invoke(f["subsonicapi_call"], ["uri": "ping?u=alice"]).json["responseJson"] != nil)
        }
    }

    @Test func callrawReturnsContentTypeAndBytesWithoutForcingJSON() async throws {
        let access = PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: everyone)
        try await withHTTPServer(Self.router()) { (port: Int) async throws in
            let f = functions(port: port, access: access)
            let raw = try await invoke(f["subsonicapi_callraw"], ["uri": "getCoverArt?u=bob&id=al-1&size=300"])
            #expect(raw.text == #"{"contentType":"image/png","data":"iVBORw=="}"#)
            let echoed = try await invoke(f["subsonicapi_callraw"], ["uri": "getAlbum?u=bob&id=1"])
            let encoded = try #require(echoed.json["data"] as? String)
            let body = try #require(Data(base64Encoded: encoded))
            #expect(String(decoding: body, as: UTF8.self).contains(#""query":"id=1&c=discord&v=1.16.1""#))
        }
    }

    @Test func refusesUnassignedUsersAdminsAndMissingU() async throws {
        try await withHTTPServer(Self.router()) { (port: Int) async throws in
            let assigned = PluginAccess(allUsers: false, users: ["alice", "root"], allowAdmins: false, directory: everyone)
            let f = functions(port: port, access: assigned)
            #expect(try await refusal(f, "getAlbum?u=bob") == "user \"bob\" is not authorized for this plugin")
            #expect(
                try await refusal(f, "getAlbum?u=root") == "user \"root\" is an admin and this plugin is not allowed to act for admin users")
            #expect(try await refusal(f, "getAlbum?u=nobody") == "username \"nobody\" not found")
            #expect(try await refusal(f, "getAlbum?id=1") == "missing required parameter 'u' (the username) in uri")
            let nobody = functions(port: port, access: PluginAccess(allUsers: false, users: [], allowAdmins: false, directory: everyone))
            #expect(try await refusal(nobody, "getAlbum?u=bob") == "no users configured for this plugin")
            // Admins pass when the operator allows them.
            let admins = functions(port: port, access: PluginAccess(allUsers: true, users: [], allowAdmins: true, directory: everyone))
            #expect(try await invoke(admins["subsonicapi_call"], ["uri": "getAlbum?u=root"]).json["responseJson"] != nil)
        }
        // Upstream unreachable: a clear error, no trap.
        let down = SubsonicAPIService(upstream: LoopbackUpstream(port: 1)).functions(
            for: makeContext(access: PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: everyone)))
        #expect((try await invoke(down["subsonicapi_call"], ["uri": "ping?u=alice"]).json["error"] as? String)?.hasPrefix("Subsonic request ping failed") == true)
    }
}
