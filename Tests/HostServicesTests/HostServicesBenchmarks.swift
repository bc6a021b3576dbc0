import Foundation
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import PluginRuntime
import Synchronization
import Testing

@testable import HostServices

/// Measurements, not tests: they run only with `TONEARM_BENCHMARK=1` and print their figures
/// (build with `-c release` for meaningful numbers). Nothing here asserts a duration.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["TONEARM_BENCHMARK"] == "1"), .timeLimit(.minutes(10)))
struct HostServicesBenchmarks {
    static func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// WebSocket message → `nd_websocket_on_text_message` latency: the loopback server stamps
    /// each message with the monotonic time and sends the next once the callback has run.
    @Test func webSocketMessageToCallbackLatency() async throws {
        let count = 10_000
        let (delivered, continuation) = AsyncStream.makeStream(of: Void.self)
        let latencies = Mutex<[UInt64]>([])
        let callbacks = RecordingCallbacks(exports: webSocketExports) { _, input in
            if let text = input["message"] as? String, let sent = UInt64(text) {
                let now = Self.nanos()
                latencies.withLock { $0.append(now - sent) }
            }
            continuation.yield()
        }
        let service = WebSocketService()
        let f = service.functions(for: webSocketContext(callbacks))
        let acknowledgements = Mutex<AsyncStream<Void>?>(delivered)
        let app = Application(
            router: Router(),
            server: .http1WebSocketUpgrade { _, _, _ in
                .upgrade([:]) { _, outbound, _ in
                    guard let stream = acknowledgements.withLock({ s -> AsyncStream<Void>? in defer { s = nil }; return s }) else { return }
                    var acks = stream.makeAsyncIterator()
                    for _ in 0..<count {
                        try await outbound.write(.text(String(Self.nanos())))
                        _ = await acks.next()
                    }
                }
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(client.port!)/", "connectionId": "bench"])
            try await callbacks.waitUntil(timeout: .seconds(600)) { $0.count >= count }
        }
        await service.pluginUnloaded("test-plugin")
        let sorted = latencies.withLock { $0 }.sorted()
        let median = Double(sorted[sorted.count / 2]) / 1000
        let p99 = Double(sorted[sorted.count * 99 / 100]) / 1000
        print("BENCH websocket message→callback latency over \(sorted.count) messages: median \(median) µs, p99 \(p99) µs")
        #expect(sorted.count == count)
    }

    /// Cache set/get throughput through the host functions (JSON in and out), and of the store.
    @Test func cacheThroughput() throws {
        let n = 200_000
        let f = CacheService().functions(for: makeContext())
        let set = try #require(f["cache_setstring"])
        let get = try #require(f["cache_getstring"])
        let requests = (0..<1000).map { Array(#"{"key":"user-\#($0)","value":"seq-\#($0)","ttlSeconds":82}"#.utf8) }
        let reads = (0..<1000).map { Array(#"{"key":"user-\#($0)"}"#.utf8) }
        var start = Self.nanos()
        for i in 0..<n { _ = set(requests[i % 1000]) }
        let setRate = Double(n) / (Double(Self.nanos() - start) / 1e9)
        start = Self.nanos()
        for i in 0..<n { _ = get(reads[i % 1000]) }
        let getRate = Double(n) / (Double(Self.nanos() - start) / 1e9)

        let store = CacheStore(limits: .init(), now: { ProcessInfo.processInfo.systemUptime })
        let keys = (0..<1000).map { "user-\($0)" }
        start = Self.nanos()
        for i in 0..<n { try store.set(keys[i % 1000], .int(Int64(i)), ttlSeconds: 82) }
        let storeSet = Double(n) / (Double(Self.nanos() - start) / 1e9)
        start = Self.nanos()
        for i in 0..<n { _ = store.get(keys[i % 1000]) }
        let storeGet = Double(n) / (Double(Self.nanos() - start) / 1e9)
        print("BENCH cache host functions: set \(Int(setRate))/s, get \(Int(getRate))/s; store: set \(Int(storeSet))/s, get \(Int(storeGet))/s")
    }
}
