import Foundation
import NavidromeABI
import PluginRuntime
import Testing
import TonearmJSON

@testable import HostServices

/// A loopback TCP listener that never accepts: connections complete in the kernel's backlog and
/// then hear nothing, like a server that hangs.
final class Tarpit: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HostServiceError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw HostServiceError("bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}

/// Host work stops when the task of the plugin call that started it is cancelled (the call hit
/// its deadline), instead of running on to its own timeout.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HostCallCancellationTests {
    let policy = HostPolicy(required: [], granted: ["127.0.0.1"], emptyMeansPublic: true, permission: "http")

    @Test func cancellingTheCallStopsAnHTTPRequest() async throws {
        let tarpit = try Tarpit()
        let service = HTTPService()
        let request = try HTTPService.OutgoingRequest(
            HTTPRequest(url: "http://127.0.0.1:\(tarpit.port)/", timeoutMs: 50000),
            defaultTimeout: .seconds(10), maxTimeout: .seconds(300))
        let started = ContinuousClock.now
        let call = Task { try await service.send(request, policy: policy, logger: makeContext().logger) }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        let error = await #expect(throws: HostServiceError.self) { try await call.value }
        #expect(error?.message == "request to 127.0.0.1 cancelled: the plugin call ended")
        #expect(ContinuousClock.now - started < .seconds(10))
        try await service.shutdown()
    }

    @Test func cancellingTheCallStopsARequestToACheckedAddress() async throws {
        // The name resolves to the tarpit's address: the request runs on a client pinned to it.
        let tarpit = try Tarpit()
        let service = HTTPService(limits: .init(), pluginLimits: .init(), resolver: FixedResolver("127.0.0.1").resolver)
        let request = try HTTPService.OutgoingRequest(
            HTTPRequest(url: "http://tarpit.test:\(tarpit.port)/", timeoutMs: 50000),
            defaultTimeout: .seconds(10), maxTimeout: .seconds(300))
        let call = Task { try await service.send(request, policy: policy, logger: makeContext().logger) }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        let error = await #expect(throws: HostServiceError.self) { try await call.value }
        #expect(error?.message == "request to tarpit.test cancelled: the plugin call ended")
        try await service.shutdown()
    }

    @Test func cancellingTheCallStopsAWebSocketHandshake() async throws {
        let tarpit = try Tarpit()
        let service = WebSocketService(limits: .init(connectTimeout: .seconds(50)))
        let context = webSocketContext(RecordingCallbacks(exports: webSocketExports))
        let policy = HostPolicy(required: ["127.0.0.1"], granted: ["127.0.0.1"], emptyMeansPublic: false, permission: "websocket")
        let started = ContinuousClock.now
        let call = Task {
            try await service.connect(
                plugin: context, policy: policy, url: "ws://127.0.0.1:\(tarpit.port)/", headers: [:], requestedID: "gw")
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(service.connectionIDs(of: "test-plugin") == ["gw"])
        call.cancel()
        let error = await #expect(throws: HostServiceError.self) { try await call.value }
        #expect(error?.message == "connecting to 127.0.0.1 cancelled: the plugin call ended")
        #expect(ContinuousClock.now - started < .seconds(10))
        // The id is free again.
        #expect(service.connectionIDs(of: "test-plugin").isEmpty)
    }

    @Test func aWebSocketHandshakeTimesOut() async throws {
        let tarpit = try Tarpit()
        let service = WebSocketService(limits: .init(connectTimeout: .milliseconds(500)))
        let f = service.functions(for: webSocketContext(RecordingCallbacks(exports: webSocketExports)))
        let response = try await invoke(f["websocket_connect"], ["url": "ws://127.0.0.1:\(tarpit.port)/", "connectionId": "gw"])
        #expect(response.json["error"] as? String == "failed to connect to 127.0.0.1: handshake timed out")
        #expect(service.connectionIDs(of: "test-plugin").isEmpty)
    }

    @Test func cancellingStopsALookup() async throws {
        let slow = HostResolver { _ in
            try await Task.sleep(for: .seconds(30))
            return []
        }
        let policy = HostPolicy(required: [], granted: [], emptyMeansPublic: true, permission: "http")
        let lookup = Task { try await policy.destination(for: "slow.example", resolver: slow) }
        try await Task.sleep(for: .milliseconds(100))
        lookup.cancel()
        await #expect(throws: CancellationError.self) { try await lookup.value }
    }
}
