import DiscordSimulator
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
import TonearmJSON
#endif

/// One HTTP exchange with the simulator over loopback.
func http(
    _ method: String, _ url: String, body: JSONValue? = nil, headers: [String: String] = [:]
) async throws -> (status: Int, json: JSONValue, headers: [String: String]) {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    request.timeoutInterval = 30
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if let body {
        request.httpBody = Data(body.goJSON.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = try #require(response as? HTTPURLResponse)
    let json = data.isEmpty ? JSONValue.null : try JSONValue.parse(Array(data))
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields {
        if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
    }
    return (http.statusCode, json, fields)
}

@Suite("REST endpoints", .timeLimit(.minutes(2)))
struct RESTTests {
    static let app = "1234567890123456789"

    @Test func gatewayDiscoveryReturnsTheWebSocketURL() async throws {
        try await withSimulator { _, endpoints in
            for path in ["/api/gateway", "/api/v9/gateway", "/api/v10/gateway"] {
                let reply = try await http("GET", endpoints.httpURL + path)
                #expect(reply.status == 200)
                #expect(reply.json["url"]?.stringValue == endpoints.gatewayURL)
            }
        }
    }

    @Test func externalAssetsProxiesURLs() async throws {
        try await withSimulator { simulator, endpoints in
            let url = endpoints.httpURL + "/api/v9/applications/\(Self.app)/external-assets"
            let cover = "https://coverartarchive.org/release/abc/front-500.jpg"
            let reply = try await http("POST", url, body: ["urls": [.string(cover)]], headers: ["Authorization": aliceToken])
            #expect(reply.status == 200)
            let items = try #require(reply.json.arrayValue)
            #expect(items.count == 1)
            #expect(items[0]["url"]?.stringValue == cover)
            let path = try #require(items[0]["external_asset_path"]?.stringValue)
            let parts = path.split(separator: "/", maxSplits: 3).map(String.init)
            #expect(parts[0] == "external")
            #expect(parts[1].count == 43)
            #expect(parts[2] == "https")
            #expect(parts[3] == "coverartarchive.org/release/abc/front-500.jpg")
            let again = try await http("POST", url, body: ["urls": [.string(cover)]], headers: ["Authorization": aliceToken])
            #expect(again.json == reply.json)
            #expect(simulator.report(for: "alice")?.counters.externalAssetRequests == 2)
        }
    }

    @Test func externalAssetsRejectsBadTokensAndBodies() async throws {
        try await withSimulator { _, endpoints in
            let url = endpoints.httpURL + "/api/v9/applications/\(Self.app)/external-assets"
            let ok: JSONValue = ["urls": ["https://example.org/a.jpg"]]
            let unauthorized = try await http("POST", url, body: ok, headers: ["Authorization": "wrong"])
            #expect(unauthorized.status == 401)
            #expect(unauthorized.json == ["message": "401: Unauthorized", "code": 0])
            #expect(try await http("POST", url, body: ok).status == 401)
            #expect(try await http("POST", url, body: ok, headers: ["Authorization": "Bot " + aliceToken]).status == 401)

            let auth = ["Authorization": aliceToken]
            let tooMany = try await http("POST", url, body: ["urls": ["https://a/1", "https://a/2", "https://a/3"]], headers: auth)
            #expect(tooMany.status == 400)
            #expect(tooMany.json["code"] == 50035)
            #expect(try await http("POST", url, body: ["urls": []], headers: auth).status == 400)
            #expect(try await http("POST", url, body: ["urls": ["ftp://example.org/a.jpg"]], headers: auth).status == 400)
            let long = "https://example.org/" + String(repeating: "a", count: 250)
            #expect(try await http("POST", url, body: ["urls": [.string(long)]], headers: auth).status == 400)
            let badApp = endpoints.httpURL + "/api/v9/applications/navidrome/external-assets"
            #expect(try await http("POST", badApp, body: ok, headers: auth).status == 404)
        }
    }

    @Test func scriptedFaultsReturn429And500() async throws {
        try await withSimulator { simulator, endpoints in
            let url = endpoints.httpURL + "/api/v9/applications/\(Self.app)/external-assets"
            let body: JSONValue = ["urls": ["https://example.org/a.jpg"]]
            simulator.scriptExternalAssets(.rateLimited(retryAfterSeconds: 1.5, global: false))
            simulator.scriptExternalAssets(.serverError)
            let limited = try await http("POST", url, body: body, headers: ["Authorization": aliceToken])
            #expect(limited.status == 429)
            #expect(limited.json["retry_after"] == .number(1.5))
            #expect(limited.headers["retry-after"] == "2")
            #expect(try await http("POST", url, body: body, headers: ["Authorization": aliceToken]).status == 500)
            #expect(try await http("POST", url, body: body, headers: ["Authorization": aliceToken]).status == 200)
        }
    }
}

@Suite("Control API", .timeLimit(.minutes(2)))
struct ControlAPITests {
    @Test func presenceCountersAndFramesAreInspectable() async throws {
        try await withSimulator { _, endpoints in
            let base = endpoints.httpURL + "/_simulator"
            #expect(try await http("GET", base + "/users/alice/presence").json == .null)
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(Payload.presence([Payload.activity(details: "Shown")]))
            try await client.next(op: 0)
            let presence = try await http("GET", base + "/users/alice/presence")
            #expect(presence.json["activity"]?["details"] == "Shown")
            let user = try await http("GET", base + "/users/alice")
            #expect(user.json["counters"]?["presence_updates"] == 1)
            #expect(user.json["sessions"]?.arrayValue?.count == 1)
            let frames = try await http("GET", base + "/frames?user=alice")
            let ops = frames.json.arrayValue?.compactMap { $0["direction"] == "event" ? nil : $0["op"]?.integerValue }
            #expect(ops == [10, 2, 0, 3, 0])
            #expect(frames.json.arrayValue?.allSatisfy { ($0["timestamp_us"]?.integerValue ?? 0) > 0 } == true)
            #expect(try await http("GET", base + "/users/nobody").status == 404)
            client.close(code: 1000)
        }
    }

    @Test func faultsUsersAndResetOverHTTP() async throws {
        try await withSimulator { simulator, endpoints in
            let base = endpoints.httpURL + "/_simulator"
            let added = try await http("POST", base + "/users", body: ["name": "carol", "token": "carol-token"])
            #expect(added.status == 201)
            let (client, _) = try await connectAndIdentify(endpoints, token: "carol-token")
            let fault = try await http("POST", base + "/users/carol/faults", body: ["fault": "invalid_session", "resumable": false])
            #expect(fault.status == 200)
            #expect(try await client.next(op: 9)["d"] == false)
            #expect(try await http("POST", base + "/users/carol/faults", body: ["fault": "explode"]).status == 400)
            #expect(try await http("POST", base + "/users/dave/faults", body: ["fault": "drop"]).status == 404)
            let script = try await http("POST", base + "/external-assets/faults", body: ["status": 429, "retry_after": 3, "count": 2])
            #expect(script.status == 200)
            #expect(try await http("POST", base + "/reset").status == 200)
            #expect(try await client.closeCode() == 1001)
            #expect(simulator.report(for: "carol")?.counters.identifies == 0)
            let url = endpoints.httpURL + "/api/v9/applications/1234567890123456789/external-assets"
            let after = try await http("POST", url, body: ["urls": ["https://example.org/a.jpg"]], headers: ["Authorization": "carol-token"])
            #expect(after.status == 200)
        }
    }

    @Test func nonLoopbackBindingMustBeForced() throws {
        var configuration = SimulatorConfiguration()
        configuration.host = "0.0.0.0"
        #expect(throws: SimulatorError.self) { try DiscordSimulator(configuration: configuration) }
        configuration.allowNonLoopback = true
        _ = try DiscordSimulator(configuration: configuration)
    }
}
