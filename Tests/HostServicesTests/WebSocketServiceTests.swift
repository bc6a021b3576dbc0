import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import NIOWebSocket
import Synchronization
import PluginRuntime
import Testing

@testable import HostServices

/// What the loopback WebSocket server saw.
final class ServerLog: Sendable {
    private let state = Mutex<(closeCodes: [Int], headers: [String], hosts: [String])>(([], [], []))
    func closed(_ code: Int) { state.withLock { $0.closeCodes.append(code) } }
    func header(_ value: String) { state.withLock { $0.headers.append(value) } }
    func host(_ value: String) { state.withLock { $0.hosts.append(value) } }
    var closeCodes: [Int] { state.withLock { $0.closeCodes } }
    var headers: [String] { state.withLock { $0.headers } }
    /// The `Host` header of each upgrade request.
    var hosts: [String] { state.withLock { $0.hosts } }
}

/// Runs `body` with a loopback WebSocket server whose behaviour is chosen by the request path:
/// `/echo`, `/burst?n=N`, `/big?bytes=N`, `/close?code=C&reason=R` (after the first message).
func withWebSocketServer<Value: Sendable>(
    log: ServerLog = ServerLog(), _ body: @Sendable (Int) async throws -> Value
) async throws -> Value {
    let app = Application(
        router: Router(),
        server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 64 << 20))) { request, _, _ in
            let components = URLComponents(string: request.path ?? "/")!
            let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
            log.header(request.headerFields[HTTPField.Name("x-test")!] ?? "")
            log.host(request.authority ?? "")
            return .upgrade([:]) { inbound, outbound, _ in
                switch components.path {
                case "/burst":
                    for i in 0..<Int(query["n"]!)! { try await outbound.write(.text("\(i)")) }
                case "/big":
                    try await outbound.write(.text(String(repeating: "r", count: Int(query["bytes"]!)!)))
                case "/close":
                    var iterator = inbound.messages(maxSize: 1 << 20).makeAsyncIterator()
                    _ = try await iterator.next()
                    try await outbound.close(.init(codeNumber: Int(query["code"]!)!), reason: query["reason"])
                    return
                default:
                    break
                }
                do {
                    for try await message in inbound.messages(maxSize: 64 << 20) {
                        switch message {
                        case .text(let text): try await outbound.write(.text(text))
                        case .binary(let buffer): try await outbound.write(.binary(buffer))
                        }
                    }
                } catch {}
            }
        },
        configuration: .init(address: .hostname("127.0.0.1", port: 0))
    )
    return try await app.test(.live) { client in try await body(try #require(client.port)) }
}

let webSocketExports: Set<String> = [
    WebSocketService.onText, WebSocketService.onBinary, WebSocketService.onError, WebSocketService.onClose,
]

/// A plugin allowed to reach the loopback test servers: the manifest lists `hosts`, the operator
/// grants `granted` (loopback needs an operator grant).
func webSocketContext(
    _ callbacks: RecordingCallbacks, hosts: [String] = ["127.0.0.1"], granted: [String] = ["127.0.0.1"],
    id: String = "test-plugin"
) -> PluginContext {
    makeContext(
        id: id, permissions: .init(declared: ["websocket"], webSocketRequiredHosts: hosts), extraHosts: granted,
        callbacks: callbacks)
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct WebSocketServiceTests {
    @Test func connectSendReceiveAndPluginClose() async throws {
        let log = ServerLog()
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService()
        let f = service.functions(for: webSocketContext(callbacks))
        try await withWebSocketServer(log: log) { port in
            let url = "ws://127.0.0.1:\(port)/echo"
            let connected = try await invoke(f["websocket_connect"], ["url": url, "headers": ["X-Test": "hello"], "connectionId": "alice"])
            #expect(connected.text == #"{"newConnectionId":"alice"}"#)
            #expect(log.headers == ["hello"])
            let duplicate = try await invoke(f["websocket_connect"], ["url": url, "connectionId": "alice"])
            #expect(duplicate.json["error"] as? String == "connection ID \"alice\" already exists")

            #expect(try await invoke(f["websocket_sendtext"], ["connectionId": "alice", "message": "ping"]).text == "{}")
            #expect(try await invoke(f["websocket_sendbinary"], ["connectionId": "alice", "data": base64("bin")]).text == "{}")
            try await callbacks.waitUntil { $0.count >= 2 }
            #expect(callbacks.calls[0].export == WebSocketService.onText)
            #expect(callbacks.calls[0].input["message"] as? String == "ping")
            #expect(callbacks.calls[0].input["connectionId"] as? String == "alice")
            #expect(callbacks.calls[1].export == WebSocketService.onBinary)
            #expect(callbacks.calls[1].input["data"] as? String == base64("bin"))

            // A random id when none is given.
            let random = try await invoke(f["websocket_connect"], ["url": url, "headers": NSNull(), "connectionId": ""])
            #expect((random.json["newConnectionId"] as? String)?.count == 22)

            // Plugin close: on_close with the plugin's own code, before the call returns.
            #expect(try await invoke(f["websocket_closeconnection"], ["connectionId": "alice", "code": 1000, "reason": "bye"]).text == "{}")
            let closes = callbacks.calls(to: WebSocketService.onClose)
            #expect(closes.count == 1)
            #expect(closes.first?.input["code"] as? Int == 1000)
            #expect(closes.first?.input["reason"] as? String == "bye")
            let gone = try await invoke(f["websocket_sendtext"], ["connectionId": "alice", "message": "x"])
            #expect(gone.json["error"] as? String == "connection ID \"alice\" not found")
            let again = try await invoke(f["websocket_closeconnection"], ["connectionId": "alice", "code": 1000])
            #expect(again.json["error"] as? String == "connection ID \"alice\" not found")
            try await Task.sleep(for: .milliseconds(300))
            #expect(callbacks.calls(to: WebSocketService.onClose).count == 1)  // no second event
            #expect(callbacks.calls(to: WebSocketService.onError).isEmpty)
        }
        await service.pluginUnloaded("test-plugin")
    }

    @Test(arguments: [(1000, "done", true), (1001, "going", true), (4004, "Authentication failed.", false), (1011, "", false)])
    func remoteCloseCodesMapLikeNavidrome(code: Int, reason: String, reachesOnClose: Bool) async throws {
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService()
        let f = service.functions(for: webSocketContext(callbacks))
        try await withWebSocketServer { port in
            let url = "ws://127.0.0.1:\(port)/close?code=\(code)&reason=\(reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
            _ = try await invoke(f["websocket_connect"], ["url": url, "connectionId": "c"])
            _ = try await invoke(f["websocket_sendtext"], ["connectionId": "c", "message": "bye"])
            try await callbacks.waitUntil { !$0.isEmpty }
            try await Task.sleep(for: .milliseconds(200))
            let calls = callbacks.calls
            #expect(calls.count == 1)
            if reachesOnClose {
                #expect(calls.first?.export == WebSocketService.onClose)
                #expect(calls.first?.input["code"] as? Int == code)
                #expect(calls.first?.input["reason"] as? String == reason)
            } else {
                #expect(calls.first?.export == WebSocketService.onError)
                let expected = code == 4004 ? "websocket: close 4004: Authentication failed." : "websocket: close 1011 (internal server error)"
                #expect(calls.first?.input["error"] as? String == expected)
            }
            // The id is free again.
            #expect(service.connectionIDs(of: "test-plugin").isEmpty)
        }
    }

    @Test func thousandMessagesArriveInOrderOneAtATime() async throws {
        let callbacks = RecordingCallbacks(exports: webSocketExports, delay: .microseconds(200))
        let service = WebSocketService()
        let f = service.functions(for: webSocketContext(callbacks))
        try await withWebSocketServer { port in
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/burst?n=1000", "connectionId": "burst"])
            try await callbacks.waitUntil(timeout: .seconds(120)) { $0.count >= 1000 }
            let messages = callbacks.calls(to: WebSocketService.onText).map { $0.input["message"] as? String }
            #expect(messages == (0..<1000).map { "\($0)" })
            #expect(callbacks.maxConcurrent == 1)
        }
        await service.pluginUnloaded("test-plugin")
    }

    @Test func largeFramesPassUpToTheConfiguredLimit() async throws {
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService()  // default 16 MiB
        let f = service.functions(for: webSocketContext(callbacks))
        let small = RecordingCallbacks(exports: webSocketExports)
        let limited = WebSocketService(limits: .init(maxMessageBytes: 1 << 20))
        let g = limited.functions(for: webSocketContext(small))
        try await withWebSocketServer { port in
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/big?bytes=\(6 << 20)", "connectionId": "ready"])
            try await callbacks.waitUntil { !$0.isEmpty }
            #expect((callbacks.calls.first?.input["message"] as? String)?.utf8.count == 6 << 20)

            _ = try await invoke(g["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/big?bytes=\(2 << 20)", "connectionId": "ready"])
            try await small.waitUntil { !$0.isEmpty }
            #expect(small.calls.map(\.export) == [WebSocketService.onError])
            #expect(small.calls.first?.input["error"] as? String == "websocket: close 1006 (abnormal closure): unexpected EOF")
        }
        await service.pluginUnloaded("test-plugin")
    }

    @Test func refusalsNameTheProblem() async throws {
        let service = WebSocketService()
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let none = service.functions(for: webSocketContext(callbacks, hosts: [], granted: []))
        let empty = try await invoke(none["websocket_connect"], ["url": "ws://127.0.0.1:1/x"])
        #expect(empty.json["error"] as? String == "host \"127.0.0.1\" is not allowed: permissions.websocket.requiredHosts is empty")
        let listed = service.functions(for: webSocketContext(callbacks, hosts: ["*.discord.gg"]))
        #expect((try await invoke(listed["websocket_connect"], ["url": "wss://evil.example/x"]).json["error"] as? String)?.contains("*.discord.gg") == true)
        #expect((try await invoke(listed["websocket_connect"], ["url": "https://gateway.discord.gg"]).json["error"] as? String)?.contains("only ws and wss") == true)
        let local = service.functions(for: webSocketContext(callbacks))
        let refused = try await invoke(local["websocket_connect"], ["url": "ws://127.0.0.1:1/nothing-listens"])
        #expect((refused.json["error"] as? String)?.hasPrefix("failed to connect to 127.0.0.1") == true)
        #expect(service.connectionIDs(of: "test-plugin").isEmpty)
        #expect(callbacks.calls.isEmpty)
    }

    @Test func unloadClosesConnectionsWithGoingAway() async throws {
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService()
        let f = service.functions(for: webSocketContext(callbacks))
        let other = RecordingCallbacks(exports: webSocketExports)
        let g = service.functions(for: webSocketContext(other, id: "other-plugin"))
        try await withWebSocketServer { port in
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/echo", "connectionId": "a"])
            _ = try await invoke(g["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/echo", "connectionId": "a"])
            // Plugins see only their own connections.
            #expect(try await invoke(g["websocket_closeconnection"], ["connectionId": "zzz"]).json["error"] != nil)
            await service.pluginUnloaded("test-plugin")
            #expect(service.connectionIDs(of: "test-plugin").isEmpty)
            #expect(service.connectionIDs(of: "other-plugin") == ["a"])
            try await Task.sleep(for: .milliseconds(300))
            #expect(callbacks.calls.isEmpty)
            _ = try await invoke(g["websocket_sendtext"], ["connectionId": "a", "message": "still here"])
            try await other.waitUntil { !$0.isEmpty }
        }
        await service.pluginUnloaded("other-plugin")
    }
}

/// Callbacks that behave like a plugin closing its connection from inside
/// `nd_websocket_on_text_message` (as the Discord plugin does on a gateway Reconnect), calling
/// the host function from a plain thread as the runtime would.
final class ClosingCallbacks: PluginCallbacks {
    let functions = Mutex<[String: HostFunction]>([:])
    let recorder = RecordingCallbacks(exports: webSocketExports)
    let closeResponses = Mutex<[String]>([])

    func exports(_ export: String) -> Bool { recorder.exports(export) }

    func call(export: String, input: [UInt8]) async throws -> [UInt8] {
        _ = try await recorder.call(export: export, input: input)
        guard export == WebSocketService.onText, String(decoding: input, as: UTF8.self).contains("close-me"),
            let close = functions.withLock({ $0["websocket_closeconnection"] })
        else { return [] }
        let request = Array(#"{"connectionId":"gw","code":4000,"reason":"reconnect"}"#.utf8)
        let response: [UInt8] = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: close(request)) }
        }
        closeResponses.withLock { $0.append(String(decoding: response, as: UTF8.self)) }
        return []
    }
}

@Suite(.timeLimit(.minutes(3))) struct WebSocketReentrancyTests {
    @Test func closingFromInsideAMessageCallbackDoesNotDeadlock() async throws {
        let callbacks = ClosingCallbacks()
        let service = WebSocketService()
        let f = service.functions(for: webSocketContext(callbacks.recorder).withCallbacks(callbacks))
        callbacks.functions.withLock { $0 = f }
        try await withWebSocketServer { port in
            _ = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(port)/echo", "connectionId": "gw"])
            _ = try await invoke(f["websocket_sendtext"], ["connectionId": "gw", "message": "close-me"])
            try await callbacks.recorder.waitUntil { $0.contains { $0.export == WebSocketService.onClose } }
            try await Task.sleep(for: .milliseconds(300))
            #expect(callbacks.closeResponses.withLock { $0 } == ["{}"])
            #expect(callbacks.recorder.calls.map(\.export) == [WebSocketService.onText, WebSocketService.onClose])
            #expect(callbacks.recorder.calls.last?.input["code"] as? Int == 4000)
            #expect(service.connectionIDs(of: "test-plugin").isEmpty)
        }
    }
}

extension PluginContext {
    func withCallbacks(_ callbacks: any PluginCallbacks) -> PluginContext {
        PluginContext(
            id: id, permissions: permissions, config: config, access: access, extraHosts: extraHosts,
            callbacks: callbacks, logger: logger)
    }
}
