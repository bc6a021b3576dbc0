import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket
import NavidromeABI
import PluginRuntime
import Synchronization
import WSClient

/// Navidrome's WebSocket service: ws/wss client connections to allowed hosts
/// (`websocket_connect`, `websocket_sendtext`, `websocket_sendbinary`,
/// `websocket_closeconnection`).
///
/// Incoming messages reach the plugin through `nd_websocket_on_text_message` /
/// `nd_websocket_on_binary_message`, one at a time and in order per connection. A remote close
/// with 1000 or 1001 reaches `nd_websocket_on_close`; any other close code, a dropped
/// connection or a failure reaches only `nd_websocket_on_error`, as in Navidrome. A plugin's own close delivers
/// `nd_websocket_on_close` before `websocket_closeconnection` returns. Connections of an
/// unloaded plugin are closed with 1001 "plugin unloaded".
///
/// Unless the operator granted the host, the connection goes only to an address that passed
/// ``HostPolicy``'s public-address check. A plugin keeps at most
/// ``HostServiceLimits/maxWebSocketConnections`` connections open. Connecting honours task
/// cancellation: when the plugin call ends, the lookup and handshake stop with it.
public final class WebSocketService: HostService {
    public struct Limits: Sendable {
        /// Largest incoming message (and frame) accepted; a Discord READY can be several MB.
        public var maxMessageBytes: Int
        /// Time allowed for the opening handshake.
        public var connectTimeout: Duration
        /// Time allowed for the closing handshake.
        public var closeTimeout: Duration

        public init(maxMessageBytes: Int = 16 << 20, connectTimeout: Duration = .seconds(30), closeTimeout: Duration = .seconds(5)) {
            self.maxMessageBytes = maxMessageBytes
            self.connectTimeout = connectTimeout
            self.closeTimeout = closeTimeout
        }
    }

    public let permission: String? = "websocket"
    public let functionPrefix = "websocket"

    static let onText = WebSocketCallbackCapability.onTextMessage
    static let onBinary = WebSocketCallbackCapability.onBinaryMessage
    static let onError = WebSocketCallbackCapability.onError
    static let onClose = WebSocketCallbackCapability.onClose

    private let limits: Limits
    private let maxConnections: Int
    private let resolver: HostResolver
    private let observer: (any WebSocketObserver)?
    /// Plugin id → connection id → connection.
    private let registry = Mutex<[String: [String: WebSocketConnection]]>([:])

    /// - Parameters:
    ///   - limits: message size and handshake timeouts.
    ///   - pluginLimits: open connections per plugin (``HostServiceLimits/maxWebSocketConnections``).
    ///   - observer: told of connections and the text frames plugins send (the console).
    public convenience init(
        limits: Limits = Limits(), pluginLimits: HostServiceLimits = HostServiceLimits(),
        observer: (any WebSocketObserver)? = nil
    ) {
        self.init(limits: limits, pluginLimits: pluginLimits, resolver: .system, observer: observer)
    }

    init(limits: Limits, pluginLimits: HostServiceLimits, resolver: HostResolver, observer: (any WebSocketObserver)? = nil) {
        self.limits = limits
        self.maxConnections = pluginLimits.maxWebSocketConnections
        self.resolver = resolver
        self.observer = observer
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let policy = HostPolicy(
            required: plugin.permissions.webSocketRequiredHosts, granted: plugin.extraHosts, emptyMeansPublic: false,
            permission: "websocket")
        return hostFunctions(
            hostFunction(WebSocketConnectRequest.self) { [self] r in
                let id = try HostCallBridge.wait { [self] in
                    try await connect(plugin: plugin, policy: policy, url: r.url, headers: r.headers, requestedID: r.connectionId)
                }
                return WebSocketConnectResponse(newConnectionId: id)
            },
            hostFunction(WebSocketSendTextRequest.self) { [self] r in
                let connection = try lookup(plugin.id, r.connectionId)
                try HostCallBridge.wait { try await connection.send(.text(r.message)) }
                observer?.textSent(plugin: plugin.id, connection: r.connectionId, message: r.message)
                return WebSocketSendTextResponse()
            },
            hostFunction(WebSocketSendBinaryRequest.self) { [self] r in
                let connection = try lookup(plugin.id, r.connectionId)
                try HostCallBridge.wait { try await connection.send(.binary(ByteBuffer(bytes: r.data))) }
                return WebSocketSendBinaryResponse()
            },
            hostFunction(WebSocketCloseConnectionRequest.self) { [self] r in
                let id = r.connectionId
                let connection = try registry.withLock { registry in
                    guard let connection = registry[plugin.id]?.removeValue(forKey: id) else {
                        throw HostServiceError("connection ID \"\(id)\" not found")
                    }
                    return connection
                }
                let closeTimeout = limits.closeTimeout
                observer?.connectionClosed(plugin: plugin.id, connection: id, code: Int(r.code), reason: r.reason)
                try HostCallBridge.wait {
                    await connection.close(code: r.code, reason: r.reason, timeout: closeTimeout)
                    await Self.deliver(Self.onClose, OnCloseRequest(connectionId: id, code: r.code, reason: r.reason), to: plugin)
                }
                return WebSocketCloseConnectionResponse()
            }
        )
    }

    /// Closes the plugin's connections with 1001 "plugin unloaded"; no callbacks follow.
    public func pluginUnloaded(_ pluginID: String) async {
        let connections = registry.withLock { $0.removeValue(forKey: pluginID) ?? [:] }
        observer?.pluginUnloaded(plugin: pluginID)
        await withTaskGroup(of: Void.self) { group in
            for connection in connections.values {
                group.addTask { [limits] in
                    await connection.close(code: 1001, reason: "plugin unloaded", timeout: limits.closeTimeout)
                }
            }
        }
    }

    /// Open connections of a plugin (for tests and diagnostics).
    func connectionIDs(of pluginID: String) -> [String] {
        registry.withLock { Array(($0[pluginID] ?? [:]).keys).sorted() }
    }

    private func lookup(_ pluginID: String, _ id: String) throws -> WebSocketConnection {
        guard let connection = registry.withLock({ $0[pluginID]?[id] }), connection.isOpen else {
            throw HostServiceError("connection ID \"\(id)\" not found")
        }
        return connection
    }

    /// `websocket_connect`: returns the connection id once the handshake succeeded. Cancelling
    /// the calling task stops the lookup or handshake and frees the id.
    func connect(
        plugin: PluginContext, policy: HostPolicy, url text: String, headers: [String: String], requestedID: String
    ) async throws -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            throw HostServiceError("invalid WebSocket URL \"\(text)\"")
        }
        guard scheme == "ws" || scheme == "wss" else {
            throw HostServiceError("unsupported WebSocket URL scheme \"\(scheme)\": only ws and wss are allowed")
        }
        let host = url.host ?? ""
        // The name check first, so that a refused host fails before anything is reserved.
        _ = try policy.check(host: host)
        var requestHeaders = HTTPHeaders()
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { throw HostServiceError("invalid header name \"\(name)\"") }
            requestHeaders.replaceOrAdd(name: field.rawName, value: HTTPField(name: field, value: value).value)
        }
        let id = requestedID.isEmpty ? randomBase62ID() : requestedID
        let connection = WebSocketConnection(id: id)
        try registry.withLock { registry in
            if registry[plugin.id]?[id] != nil { throw HostServiceError("connection ID \"\(id)\" already exists") }
            guard (registry[plugin.id]?.count ?? 0) < maxConnections else {
                throw HostServiceError(
                    "too many WebSocket connections: a plugin may keep at most \(maxConnections) open (close one first)")
            }
            registry[plugin.id, default: [:]][id] = connection
        }
        do {
            try await open(connection, plugin: plugin, policy: policy, url: url, headers: requestHeaders)
        } catch {
            connection.task?.cancel()
            remove(plugin.id, connection)
            throw error
        }
        observer?.connectionOpened(plugin: plugin.id, connection: id)
        plugin.logger.debug("WebSocket \(id) connected to \(host)")
        return id
    }

    /// Resolves and checks the host, connects and waits for the handshake (at most
    /// ``Limits/connectTimeout``). Cancelling the calling task stops the attempt.
    private func open(
        _ connection: WebSocketConnection, plugin: PluginContext, policy: HostPolicy, url: URL, headers: HTTPHeaders
    ) async throws {
        let host = url.host ?? url.absoluteString
        let address: IPAddress?
        do {
            address = try await policy.destination(for: url.host ?? "", resolver: resolver)
        } catch is CancellationError {
            throw Self.cancelled(host)
        }
        let dialer = WebSocketDialer(
            target: try WebSocketDialer.Target(url: url, address: address, headers: headers),
            maxFrameSize: limits.maxMessageBytes, closeTimeout: limits.closeTimeout)
        let maxMessageBytes = limits.maxMessageBytes
        let id = connection.id
        // Detached: deliveries must not inherit the task locals of the plugin call that connected.
        let task = Task.detached { [self] in
            let outcome: WebSocketConnection.Outcome
            do {
                let frame = try await dialer.run(logger: plugin.logger) { inbound, outbound, _ in
                    connection.opened(outbound)
                    for try await message in inbound.messages(maxSize: maxMessageBytes) {
                        guard connection.isOpen else { break }
                        switch message {
                        case .text(let text):
                            await Self.deliver(Self.onText, OnTextMessageRequest(connectionId: id, message: text), to: plugin)
                        case .binary(let buffer):
                            await Self.deliver(
                                Self.onBinary, OnBinaryMessageRequest(connectionId: id, data: Array(buffer.readableBytesView)),
                                to: plugin)
                        }
                    }
                }
                outcome = .closed(frame)
            } catch {
                outcome = .failed(error)
            }
            await finished(connection, plugin: plugin, outcome: outcome)
        }
        connection.task = task
        let connectTimeout = limits.connectTimeout
        let timer = Task.detached {
            try await Task.sleep(for: connectTimeout)
            if connection.markTimedOutIfConnecting() { task.cancel() }
        }
        await withTaskCancellationHandler {
            await connection.handshakeFinished()
        } onCancel: {
            task.cancel()
        }
        timer.cancel()
        if connection.wasOpened { return }
        if connection.timedOut { throw HostServiceError("failed to connect to \(host): handshake timed out") }
        if Task.isCancelled { throw Self.cancelled(host) }
        throw HostServiceError("failed to connect to \(host): \(connection.handshakeFailure ?? "connection closed")")
    }

    private static func cancelled(_ host: String) -> HostServiceError {
        HostServiceError("connecting to \(host) cancelled: the plugin call ended")
    }

    /// The connection ended: report the handshake failure, or deliver the close or error event
    /// after every message, unless the plugin (or an unload) closed it.
    private func finished(
        _ connection: WebSocketConnection, plugin: PluginContext, outcome: WebSocketConnection.Outcome
    ) async {
        guard connection.wasOpened else {
            remove(plugin.id, connection)
            let reason = switch outcome {
            case .failed(let error): Self.describe(error)
            case .closed: "connection closed during the handshake"
            }
            connection.handshakeFailed(reason)
            return
        }
        guard connection.markClosed() else { return }
        remove(plugin.id, connection)
        let id = connection.id
        if let observer {
            switch outcome {
            case .closed(let frame?):
                observer.connectionClosed(
                    plugin: plugin.id, connection: id, code: Int(UInt16(webSocketErrorCode: frame.closeCode)),
                    reason: frame.reason ?? "")
            case .closed(nil): observer.connectionClosed(plugin: plugin.id, connection: id, code: 1006, reason: "unexpected EOF")
            case .failed(let error): observer.connectionClosed(plugin: plugin.id, connection: id, code: 1006, reason: Self.describe(error))
            }
        }
        switch outcome {
        case .closed(nil):
            // The connection ended without a close code we could read: dropped, or closed by the
            // frame decoder (e.g. a message over the limit). gorilla reports this as 1006.
            await Self.deliver(
                Self.onError, OnErrorRequest(connectionId: id, error: Self.closeErrorText(code: 1006, reason: "unexpected EOF")),
                to: plugin)
        case .closed(let frame?):
            let code = Int(UInt16(webSocketErrorCode: frame.closeCode))
            let reason = frame.reason ?? ""
            if code == 1000 || code == 1001 {
                await Self.deliver(Self.onClose, OnCloseRequest(connectionId: id, code: Int32(code), reason: reason), to: plugin)
            } else {
                await Self.deliver(
                    Self.onError, OnErrorRequest(connectionId: id, error: Self.closeErrorText(code: code, reason: reason)), to: plugin)
            }
        case .failed(let error):
            await Self.deliver(Self.onError, OnErrorRequest(connectionId: id, error: Self.describe(error)), to: plugin)
        }
    }

    private func remove(_ pluginID: String, _ connection: WebSocketConnection) {
        registry.withLock { registry in
            if registry[pluginID]?[connection.id] === connection { registry[pluginID]?[connection.id] = nil }
        }
    }

    static func deliver(_ export: String, _ payload: some NavidromePayload, to plugin: PluginContext) async {
        guard plugin.callbacks.exports(export) else { return }
        do {
            _ = try await plugin.callbacks.call(export: export, input: payload.goJSONBytes())
        } catch {
            plugin.logger.error("WebSocket callback \(export) failed: \(error)")
        }
    }

    /// gorilla/websocket's text for a close error, e.g. `websocket: close 4004: Authentication failed.`
    static func closeErrorText(code: Int, reason: String) -> String {
        let names = [
            1002: "protocol error", 1003: "unsupported data", 1006: "abnormal closure", 1007: "invalid payload data",
            1008: "policy violation", 1009: "message too big", 1010: "mandatory extension missing",
            1011: "internal server error", 1012: "service restart", 1013: "try again later", 1015: "TLS handshake",
        ]
        var text = "websocket: close \(code)"
        if let name = names[code] { text += " (\(name))" }
        if !reason.isEmpty { text += ": \(reason)" }
        return text
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? WebSocketClientError { return "\(error)" }
        if let error = error as? NIOWebSocketError, error == .invalidFrameLength {
            return "message too large"
        }
        return "\(error)"
    }
}

/// One client connection.
final class WebSocketConnection: Sendable {
    enum Outcome {
        case closed(WebSocketCloseFrame?)
        case failed(any Error)
    }

    private struct State {
        var writer: WebSocketOutboundWriter?
        var open = false
        var closed = false
        var handshakeDone = false
        var handshakeFailure: String?
        var timedOut = false
        var handshakeWaiter: CheckedContinuation<Void, Never>?
        var task: Task<Void, Never>?
    }

    let id: String
    private let state = Mutex(State())

    init(id: String) { self.id = id }

    var isOpen: Bool { state.withLock { $0.open && !$0.closed } }
    var wasOpened: Bool { state.withLock { $0.writer != nil } }

    var task: Task<Void, Never>? {
        get { state.withLock { $0.task } }
        set { state.withLock { $0.task = newValue } }
    }

    var handshakeFailure: String? { state.withLock { $0.handshakeFailure } }
    var timedOut: Bool { state.withLock { $0.timedOut } }

    /// The handshake succeeded: the connection is open.
    func opened(_ writer: WebSocketOutboundWriter) {
        let waiter = state.withLock { s in
            s.writer = writer
            s.open = true
            return finishHandshake(&s)
        }
        waiter?.resume()
    }

    /// The handshake failed for `reason`.
    func handshakeFailed(_ reason: String) {
        let waiter = state.withLock { s in
            s.handshakeFailure = reason
            return finishHandshake(&s)
        }
        waiter?.resume()
    }

    private func finishHandshake(_ s: inout State) -> CheckedContinuation<Void, Never>? {
        s.handshakeDone = true
        defer { s.handshakeWaiter = nil }
        return s.handshakeWaiter
    }

    /// Returns once the handshake succeeded or failed (one waiter).
    func handshakeFinished() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { s in
                if !s.handshakeDone { s.handshakeWaiter = continuation }
                return s.handshakeDone
            }
            if done { continuation.resume() }
        }
    }

    /// Marks the attempt timed out if the handshake is still running; false if it already finished.
    func markTimedOutIfConnecting() -> Bool {
        state.withLock { s in
            if s.handshakeDone { return false }
            s.timedOut = true
            return true
        }
    }

    /// Marks the connection closed; false if it already was.
    func markClosed() -> Bool {
        state.withLock { s in
            if s.closed { return false }
            s.closed = true
            return true
        }
    }

    func send(_ frame: WebSocketOutboundWriter.OutboundFrame) async throws {
        guard let writer = state.withLock({ $0.closed ? nil : $0.writer }) else {
            throw HostServiceError("connection ID \"\(id)\" not found")
        }
        do {
            try await writer.write(frame)
        } catch {
            throw HostServiceError("failed to send message: \(error)")
        }
    }

    /// Sends a close frame (without waiting longer than `timeout`) and stops deliveries.
    func close(code: Int32, reason: String, timeout: Duration) async {
        let writer = state.withLock { s -> WebSocketOutboundWriter? in
            s.closed = true
            return s.writer
        }
        guard let writer else { return }
        // 1005, 1006 and 1015 must not be sent on the wire; out-of-range codes neither.
        let sendable = (1000...4999).contains(code) && ![1004, 1005, 1006, 1015].contains(code)
        let errorCode = WebSocketErrorCode(codeNumber: sendable ? Int(code) : 1000)
        let task = self.task
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await writer.close(errorCode, reason: reason.isEmpty ? nil : reason) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        // The read side finishes the closing handshake on its own; make sure it stops in time.
        Task {
            try? await Task.sleep(for: timeout)
            task?.cancel()
        }
    }
}
