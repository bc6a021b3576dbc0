import Foundation
import NavidromePDK
import NavidromePDKTesting
import Testing

@Suite struct HostServiceTests {
    @Test func configService() throws {
        let host = TestHost()
        host.config = ["a.x": "1", "a.y": "two", "b": "3"]
        try host.run { () throws(PluginError) in
            #expect(try ConfigService.get(key: "a.y") == "two")
            #expect(try ConfigService.get(key: "missing") == nil)
            #expect(try ConfigService.getInt(key: "a.x") == 1)
            #expect(try ConfigService.getInt(key: "a.y") == nil)
            #expect(try ConfigService.keys(prefix: "a.") == ["a.x", "a.y"])
        }
    }

    @Test func cacheIsTypedAndExpires() throws {
        let host = TestHost()
        try host.run { () throws(PluginError) in
            try CacheService.setString(key: "s", value: "text", ttlSeconds: 10)
            try CacheService.setInt(key: "i", value: 42, ttlSeconds: 0)
            try CacheService.setBytes(key: "b", value: [0, 1, 255], ttlSeconds: 60)
            #expect(try CacheService.getString(key: "s") == "text")
            #expect(try CacheService.getInt(key: "s") == nil)
            #expect(try CacheService.getInt(key: "i") == 42)
            #expect(try CacheService.getBytes(key: "b") == [0, 1, 255])
        }
        #expect(host.cache["s"] == .string("text"))
        host.advance(seconds: 11)
        #expect(host.cache["s"] == nil)
        #expect(host.cache.keys == ["b", "i"])
        host.cache["seeded"] = .float(1.5)
        #expect(try host.run { () throws(PluginError) in try CacheService.getFloat(key: "seeded") } == 1.5)
    }

    @Test func kvstore() throws {
        let host = TestHost()
        try host.run { () throws(PluginError) in
            try KVStoreService.set(key: "user:alice", value: Array("a".utf8))
            try KVStoreService.setWithTTL(key: "user:bob", value: Array("b".utf8), ttlSeconds: 5)
            #expect(try KVStoreService.list(prefix: "user:") == ["user:alice", "user:bob"])
            #expect(throws: PluginError.self) { try KVStoreService.set(key: "", value: []) }
        }
        host.advance(seconds: 5)
        #expect(host.kvstore.keys == ["user:alice"])
        #expect(host.kvstore["user:alice"] == Array("a".utf8))
    }

    @Test func httpAnswersCannedResponsesAndRecords() throws {
        let host = TestHost()
        host.http.respond("POST", "https://example.test/api", status: 201, headers: ["Content-Type": "application/json"], body: #"{"ok":true}"#)
        let response = try host.run { () throws(PluginError) in
            try HTTPService.send(request: HTTPRequest(method: "post", url: "https://example.test/api",
                                                      headers: [(key: "Authorization", value: "Bot x")], body: Array("hi".utf8)))
        }
        #expect(response.statusCode == 201)
        #expect(response.body == Array(#"{"ok":true}"#.utf8))
        #expect(host.http.requests.count == 1)
        #expect(host.http.requests.first?.method == "POST")
        #expect(host.http.requests.first?.headers == ["Authorization": "Bot x"])
        #expect(host.http.requests.first?.bodyText == "hi")
        let unmatched = host.run { () -> String? in
            do throws(PluginError) { _ = try HTTPService.send(request: HTTPRequest(url: "https://example.test/other")); return nil } catch { return error.text }
        }
        #expect(unmatched == "http_send: no canned response for GET https://example.test/other")
    }

    @Test func webSocketRecordsAndDelivers() throws {
        let host = TestHost()
        let id = try host.run { () throws(PluginError) in
            let id = try WebSocketService.connect(url: "wss://example.test", headers: [], connectionId: "")
            try WebSocketService.sendText(connectionId: id, message: "hello")
            return id
        }
        #expect(host.websocket.connections.map(\.url) == ["wss://example.test"])
        #expect(host.websocket.sentText(on: id) == ["hello"])
        try host.run { () throws(PluginError) in try WebSocketService.closeConnection(connectionId: id, code: 1000, reason: "bye") }
        #expect(host.websocket.connections.isEmpty)
        #expect(host.websocket.closes.first?.code == 1000)
        #expect(throws: PluginError.self) {
            try host.run { () throws(PluginError) in try WebSocketService.sendText(connectionId: id, message: "late") }
        }
    }

    @Test func schedulerRecordsAndFires() throws {
        let host = TestHost()
        try host.run { () throws(PluginError) in
            _ = try SchedulerService.scheduleOneTime(delaySeconds: 30, payload: "clear", scheduleId: "clear-alice")
            _ = try SchedulerService.scheduleRecurring(cronExpression: "@every 41s", payload: "beat", scheduleId: "")
        }
        #expect(host.scheduler.schedules.map(\.id) == ["clear-alice", "schedule-1"])
        #expect(host.scheduler.schedule("clear-alice")?.delaySeconds == 30)
        #expect(host.scheduler.schedule("schedule-1")?.isRecurring == true)
        #expect(host.scheduler.fire("clear-alice", to: Ticker.ndSchedulerCallback)?.succeeded == true)
        #expect(host.logs.map(\.message) == ["fired clear-alice: clear"])
        #expect(host.scheduler.schedule("clear-alice") == nil)
        #expect(host.scheduler.fire("nope", to: Ticker.ndSchedulerCallback) == nil)
    }

    @Test func usersArtworkAndAnswers() throws {
        let host = TestHost()
        host.users = [TestUser(userName: "alice", isAdmin: true), TestUser(userName: "bob")]
        try host.run { () throws(PluginError) in
            #expect(try UsersService.getUsers().map(\.userName) == ["alice", "bob"])
            #expect(try UsersService.getAdmins().map(\.userName) == ["alice"])
            #expect(try ArtworkService.getTrackUrl(id: "t1", size: 300) == "https://navidrome.test/artwork/track/t1?size=300")
        }
        let missing = host.run { () -> String? in
            do throws(PluginError) { _ = try SubsonicAPIService.call(uri: "ping"); return nil } catch { return error.text }
        }
        #expect(missing == "subsonicapi_call: no answer set for subsonicapi_call")
        host.answer("subsonicapi_call", with: #"{"responseJson":"{\"ok\":1}"}"#)
        #expect(try host.run { () throws(PluginError) in try SubsonicAPIService.call(uri: "ping") } == #"{"ok":1}"#)
        #expect(host.hostCalls(to: "subsonicapi_call").map(\.request) == [#"{"uri":"ping"}"#, #"{"uri":"ping"}"#])
    }

    /// Every host function of ABI/host/*.json has a definition in the testing library.
    @Test func everyHostFunctionIsDefined() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized
        let definitions = try String(contentsOf: root.appendingPathComponent("PDK/Sources/NavidromePDKTesting/HostFunctions/HostFunctions.swift"), encoding: .utf8)
        let folder = root.appendingPathComponent("ABI/host")
        var count = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            let service = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as? [String: Any]
            for function in service?["functions"] as? [[String: Any]] ?? [] {
                let name = try #require(function["name"] as? String)
                #expect(definitions.contains("@_cdecl(\"nd_host_\(name)\")"), "nd_host_\(name) is not defined")
                count += 1
            }
        }
        #expect(count >= 51)
    }
}

private struct Ticker: SchedulerCallback {
    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError) {
        Log.info("fired \(request.scheduleId): \(request.payload)")
    }
}
