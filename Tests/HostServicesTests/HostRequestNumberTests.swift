import Foundation
import GRDB
import Hummingbird
import NavidromeABI
import PluginRuntime
import Testing
import TonearmJSON

@testable import HostServices

/// Numbers in host-service requests are range-checked: out of range is an error naming the
/// field, huge timeouts and TTLs are clamped; nothing traps.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HostRequestNumberTests {
    @Test func integerFieldsOutsideInt64AreErrorsNamingTheField() throws {
        func read(_ json: String) throws -> Int64 { try JSONRequest(Array(json.utf8)).int64("n") }
        #expect(try read(#"{"n":9223372036854775807}"#) == .max)
        #expect(try read(#"{"n":-9223372036854775808}"#) == .min)
        #expect(try read(#"{"n":1e3}"#) == 1000)
        // Foundation keeps these as UInt64 (whose int64Value wraps) or as doubles.
        for text in ["9223372036854775808", "18446744073709551615", "1e19", "1e300", "-1e300", "100000000000000000000000"] {
            let error = #expect(throws: JSONRequestError.self) { try read("{\"n\":\(text)}") }
            #expect(error?.message.hasPrefix("field \"n\" is out of range") == true, "\(text): \(String(describing: error))")
        }
        #expect(throws: JSONRequestError("field \"n\" must be an integer")) { try read(#"{"n":1.5}"#) }
        let small = #expect(throws: JSONRequestError.self) { try JSONRequest(Array(#"{"n":4294967296}"#.utf8)).int32("n") }
        #expect(small?.message == "field \"n\" is out of range (-2147483648…2147483647): 4294967296")
        #expect(try JSONRequest(Array(#"{"n":5}"#.utf8)).int64("n", in: 0...10) == 5)
        #expect(throws: JSONRequestError("field \"n\" is out of range (0…10): 11")) {
            try JSONRequest(Array(#"{"n":11}"#.utf8)).int64("n", in: 0...10)
        }
    }

    @Test func durationsConvertWithoutOverflow() {
        #expect(Duration.seconds(Int64.max).clampedNanoseconds == .max)
        #expect(Duration.milliseconds(10_000_000_000_000).clampedNanoseconds == .max)  // 10^19 ns
        #expect(Duration.milliseconds(1500).clampedNanoseconds == 1_500_000_000)
        #expect(Duration.seconds(-5).clampedNanoseconds == 0)
    }

    @Test func hugeHTTPTimeoutIsClampedNotACrash() async throws {
        // The longest timeout a plugin can ask for (Go's int32 milliseconds, 24.8 days) is
        // clamped to the host's longest; a larger number is refused naming the field, as Go does.
        let request = NavidromeABI.HTTPRequest(url: "http://example.com/", timeoutMs: .max)
        let outgoing = try HTTPService.OutgoingRequest(request, defaultTimeout: .seconds(10), maxTimeout: .seconds(300))
        #expect(outgoing.timeout == .seconds(300))
        let router = Router()
        router.get("/hello") { _, _ in "hi" }
        let service = HTTPService()
        let f = service.functions(for: makeContext(extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(router) { port in
            let response = try await invoke(f["http_send"], ["request": ["url": "http://127.0.0.1:\(port)/hello", "timeoutMs": Int32.max]])
            #expect((response.json["result"] as? [String: Any])?["statusCode"] as? Int == 200, "\(response.text)")
            for timeout: Any in [10_000_000_000_000, Int64.max, UInt64.max] {
                let refused = try await invoke(f["http_send"], ["request": ["url": "http://127.0.0.1:\(port)/hello", "timeoutMs": timeout]])
                #expect((refused.json["error"] as? String)?.hasPrefix("field \"request.timeoutMs\" is out of range") == true, "\(refused.text)")
            }
        }
        try await service.shutdown()
    }

    @Test func otherServicesNameTheFieldOutOfRange() async throws {
        let scheduler = SchedulerService()
        let s = scheduler.functions(for: makeContext())
        let delay = try await invoke(s["scheduler_scheduleonetime"], ["delaySeconds": 1e19, "payload": "x"])
        #expect((delay.json["error"] as? String)?.hasPrefix("field \"delaySeconds\" is out of range") == true, "\(delay.text)")
        #expect(scheduler.scheduleIDs(of: "test-plugin").isEmpty)

        let webSocket = WebSocketService()
        let w = webSocket.functions(for: webSocketContext(RecordingCallbacks(exports: [])))
        let code = try await invoke(w["websocket_closeconnection"], ["connectionId": "x", "code": 1 << 40])
        #expect((code.json["error"] as? String)?.hasPrefix("field \"code\" is out of range") == true, "\(code.text)")

        let cache = CacheService()
        let c = cache.functions(for: makeContext())
        let int = try await invoke(c["cache_setint"], ["key": "k", "value": UInt64.max])
        #expect((int.json["error"] as? String)?.hasPrefix("field \"value\" is out of range") == true, "\(int.text)")
        let ttl = try await invoke(c["cache_setstring"], ["key": "k", "value": "v", "ttlSeconds": Int64.max])
        #expect(ttl.text == "{}")
        #expect(try await invoke(c["cache_getstring"], ["key": "k"]).json["value"] as? String == "v")
    }

    @Test func hugeKVStoreTTLIsClampedSoTheKeyStillExpires() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kv-ttl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = KVStoreService(dataFolder: folder)
        let f = service.functions(for: makeContext(permissions: .init(declared: ["kvstore"])))
        #expect(try await invoke(f["kvstore_setwithttl"], ["key": "k", "value": base64("v"), "ttlSeconds": Int64.max]).text == "{}")
        #expect(try await invoke(f["kvstore_get"], ["key": "k"]).json["exists"] as? Bool == true)
        let outOfRange = try await invoke(f["kvstore_setwithttl"], ["key": "k", "value": base64("v"), "ttlSeconds": 1e30])
        #expect((outOfRange.json["error"] as? String)?.hasPrefix("field \"ttlSeconds\" is out of range") == true)
        await service.pluginUnloaded("test-plugin")
        // SQLite's datetime() gives NULL past year 9999, which would have meant "never expires".
        let queue = try DatabaseQueue(path: folder.appendingPathComponent("plugins/test-plugin/kvstore.db").path)
        let expires = try await queue.read { db in try String.fetchOne(db, sql: "SELECT expires_at FROM kvstore WHERE key = 'k'") }
        let text = try #require(expires)
        let year = try #require(Int(text.prefix(4)))
        #expect(year > 2100 && year < 2200)
    }
}
