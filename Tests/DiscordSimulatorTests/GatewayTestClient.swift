import DiscordSimulator
import Logging
import NIOWebSocket
import Synchronization
import WSClient
import TonearmJSON

struct TestTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// A real WebSocket client (swift-websocket `WSClient`) driven step by step from a test.
final class GatewayTestClient: Sendable {
    private enum Outbound: Sendable {
        case text(String)
        case close(UInt16)
    }

    private final class Mailbox: Sendable {
        let state = Mutex<(frames: [JSONValue], cursor: Int)>(([], 0))
    }

    private let mailbox = Mailbox()
    private let outbound: AsyncStream<Outbound>.Continuation
    private let task: Task<WebSocketCloseFrame?, any Error>

    /// Connects to `url` (e.g. `ws://127.0.0.1:PORT/?v=10&encoding=json`).
    init(url: String) {
        let (stream, continuation) = AsyncStream.makeStream(of: Outbound.self)
        let mailbox = self.mailbox
        self.outbound = continuation
        self.task = Task {
            try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 20), logger: Logger(label: "test-gateway-client")
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            guard case .text(let text) = message, let json = try? JSONValue.parse(text) else { continue }
                            mailbox.state.withLock { $0.frames.append(json) }
                        }
                    }
                    group.addTask {
                        for await item in stream {
                            switch item {
                            case .text(let text): try await outbound.write(.text(text))
                            case .close(let code):
                                try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: nil)
                                return
                            }
                        }
                    }
                    _ = try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    func send(_ json: JSONValue) { outbound.yield(.text(json.goJSON)) }
    func send(text: String) { outbound.yield(.text(text)) }
    func close(code: UInt16) { outbound.yield(.close(code)) }

    /// All frames received so far.
    var frames: [JSONValue] { mailbox.state.withLock { $0.frames } }

    /// The next unread frame (with `op`, skipping others), waiting up to `timeout`.
    @discardableResult
    func next(op: Int? = nil, timeout: Duration = .seconds(10)) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found: JSONValue? = mailbox.state.withLock { state in
                while state.cursor < state.frames.count {
                    let frame = state.frames[state.cursor]
                    state.cursor += 1
                    if op == nil || frame["op"]?.integerValue == Int64(op!) { return frame }
                }
                return nil
            }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestTimeout(what: "a frame with op \(op.map(String.init) ?? "any")")
    }

    /// The close code the server sent (nil when the socket ended without one), waiting up to `timeout`
    /// (generous: on a loaded two-core machine the end of a dropped socket has taken over 10 s to show).
    /// At the timeout the client is cancelled, so this returns even when the socket never ends.
    func closeCode(timeout: Duration = .seconds(30)) async throws -> UInt16? {
        let task = self.task
        final class Flag: Sendable { let raised = Atomic<Bool>(false) }
        let timedOut = Flag()
        let timer = Task {
            try await Task.sleep(for: timeout)
            timedOut.raised.store(true, ordering: .releasing)
            task.cancel()
        }
        let frame = try? await task.value
        timer.cancel()
        if timedOut.raised.load(ordering: .acquiring) { throw TestTimeout(what: "the socket to close") }
        return frame.map { UInt16(webSocketErrorCode: $0.closeCode) }
    }
}

// MARK: Payloads

enum Payload {
    static func identify(token: String, presence: JSONValue? = nil) -> JSONValue {
        var data: JSONObject = [
            "token": .string(token),
            "properties": ["os": "Linux", "browser": "Discord Client", "device": "Discord Client"],
            "intents": 0,
        ]
        if let presence { data["presence"] = presence }
        return ["op": 2, "d": .object(data)]
    }

    static func activity(details: String = "Song", name: String = "Navidrome", extra: [String: JSONValue] = [:]) -> JSONValue {
        var fields: JSONObject = [
            "name": .string(name), "type": 2, "details": .string(details), "state": "Artist",
            "application_id": "1234567890123456789",
            "timestamps": ["start": 1_700_000_000_000, "end": 1_700_000_200_000],
            "assets": ["large_image": "mp:external/abc/https/example.org/cover.jpg", "large_text": "Album"],
        ]
        for (key, value) in extra { fields[key] = value }
        return .object(fields)
    }

    static func presence(_ activities: [JSONValue], status: String = "online") -> JSONValue {
        ["op": 3, "d": ["since": 0, "status": .string(status), "afk": true, "activities": .array(activities)]]
    }

    static func heartbeat(_ seq: Int64?) -> JSONValue { ["op": 1, "d": seq.map { .integer($0) } ?? .null] }

    static func resume(token: String, sessionID: String, seq: Int64) -> JSONValue {
        ["op": 6, "d": ["token": .string(token), "session_id": .string(sessionID), "seq": .integer(seq)]]
    }
}

// MARK: Fixture

let aliceToken = "alice-token-0001"
let bobToken = "bob-token-0002"

/// Runs `body` against a fresh simulator on a free loopback port with users alice and bob.
func withSimulator(
    _ configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (DiscordSimulator, SimulatorEndpoints) async throws -> Void
) async throws {
    var configuration = SimulatorConfiguration()
    configuration.heartbeatIntervalMilliseconds = 5_000
    configuration.users = [SimulatedUser(name: "alice", token: aliceToken), SimulatedUser(name: "bob", token: bobToken)]
    configure(&configuration)
    let simulator = try DiscordSimulator(configuration: configuration)
    let endpoints = try await simulator.start()
    do {
        try await body(simulator, endpoints)
    } catch {
        await simulator.stop()
        throw error
    }
    await simulator.stop()
}

/// Connects, reads Hello, identifies and reads READY; returns the client and READY's `d`.
func connectAndIdentify(_ endpoints: SimulatorEndpoints, token: String = aliceToken) async throws -> (GatewayTestClient, JSONValue) {
    let client = GatewayTestClient(url: endpoints.gatewayURL + "/?v=10&encoding=json")
    try await client.next(op: 10)
    client.send(Payload.identify(token: token))
    let ready = try await client.next(op: 0)
    return (client, ready["d"] ?? .null)
}
