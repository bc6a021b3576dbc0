import Foundation
import Synchronization
import Testing

@testable import HostServices

/// Records what a ``WebSocketObserver`` is told.
final class ObservedEvents: WebSocketObserver {
    private let events = Mutex<[String]>([])
    var all: [String] { events.withLock { $0 } }

    func connectionOpened(plugin: String, connection: String) { events.withLock { $0.append("open \(plugin)/\(connection)") } }
    func textSent(plugin: String, connection: String, message: String) {
        events.withLock { $0.append("sent \(plugin)/\(connection) \(message)") }
    }
    func connectionClosed(plugin: String, connection: String, code: Int, reason: String) {
        events.withLock { $0.append("closed \(plugin)/\(connection) \(code) \(reason)") }
    }
    func pluginUnloaded(plugin: String) { events.withLock { $0.append("unloaded \(plugin)") } }
}

/// The console's view of WebSocket traffic: opens, texts sent, closes from either side, unloads.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WebSocketObserverTests {
    @Test func theObserverSeesOpensSentTextsClosesAndUnloads() async throws {
        let observer = ObservedEvents()
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService(observer: observer)
        let f = service.functions(for: webSocketContext(callbacks))
        try await withWebSocketServer { port in
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/echo", "connectionId": "alice"])
            _ = try await invoke(f["websocket_sendtext"], ["connectionId": "alice", "message": #"{"op":1}"#])
            _ = try await invoke(f["websocket_closeconnection"], ["connectionId": "alice", "code": 1000, "reason": "bye"])
            // The server closes this one with 4004 after the first message.
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/close?code=4004&reason=no", "connectionId": "bob"])
            _ = try await invoke(f["websocket_sendtext"], ["connectionId": "bob", "message": "hi"])
            let deadline = ContinuousClock.now + .seconds(10)
            while !observer.all.contains(where: { $0.hasPrefix("closed test-plugin/bob") }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        await service.pluginUnloaded("test-plugin")
        #expect(observer.all == [
            "open test-plugin/alice", #"sent test-plugin/alice {"op":1}"#, "closed test-plugin/alice 1000 bye",
            "open test-plugin/bob", "sent test-plugin/bob hi", "closed test-plugin/bob 4004 no", "unloaded test-plugin",
        ])
    }
}
