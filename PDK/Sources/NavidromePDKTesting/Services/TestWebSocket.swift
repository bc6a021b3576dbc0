import NavidromeJSON
import NavidromePDK

/// The in-memory WebSocket service (`websocket_*`): connections open at once, frames the
/// plugin sends and closes it asks for are recorded; a test delivers messages and closes with
/// ``deliver(text:on:to:)`` and ``closeFromServer(_:code:reason:to:)``.
public struct TestWebSocket: Sendable {
    let host: TestHost

    /// A connection the plugin opened.
    public struct Connection: Sendable, Equatable {
        public var id: String
        public var url: String
        public var headers: [String: String]
    }

    /// A frame the plugin sent.
    public struct Frame: Sendable, Equatable {
        public var connectionId: String
        /// The text of a text frame (`nil` for a binary one).
        public var text: String?
        /// The bytes of a binary frame (`nil` for a text one).
        public var data: [UInt8]?
    }

    /// A close the plugin asked for.
    public struct Close: Sendable, Equatable {
        public var connectionId: String
        public var code: Int32
        public var reason: String
    }

    /// The connections open now.
    public var connections: [Connection] {
        host.withState { $0.openConnections }
    }

    /// Every connect the plugin made, oldest first (including ones closed since).
    public var connects: [Connection] {
        host.withState { $0.connects }
    }

    /// Every frame the plugin sent, oldest first.
    public var sent: [Frame] {
        host.withState { $0.sentFrames }
    }

    /// The texts sent on one connection, oldest first.
    public func sentText(on connectionId: String) -> [String] {
        sent.compactMap { $0.connectionId == connectionId ? $0.text : nil }
    }

    /// Every close the plugin asked for, oldest first.
    public var closes: [Close] {
        host.withState { $0.closes }
    }

    /// When set, every `websocket_connect` fails with this message (e.g. a refused handshake).
    public var connectError: String? {
        get { host.withState { $0.connectError } }
        nonmutating set { host.withState { $0.connectError = newValue } }
    }

    /// Opens a connection as if the plugin had opened it in an earlier call.
    public func open(_ id: String, url: String) {
        host.withState { $0.openConnections.append(Connection(id: id, url: url, headers: [:])) }
    }

    /// Delivers a text message from the server: calls the plugin's text-message export (e.g.
    /// `MyPlugin.ndWebsocketOnTextMessage`).
    @discardableResult
    public func deliver(text: String, on connectionId: String, to export: () -> Int32) -> CallResult {
        host.call(export, OnTextMessageRequest(connectionId: connectionId, message: text))
    }

    /// Closes a connection from the server's side and calls the plugin's close export (e.g.
    /// `MyPlugin.ndWebsocketOnClose`).
    @discardableResult
    public func closeFromServer(_ connectionId: String, code: Int32, reason: String = "", to export: () -> Int32) -> CallResult {
        host.withState { $0.openConnections.removeAll { $0.id == connectionId } }
        return host.call(export, OnCloseRequest(connectionId: connectionId, code: code, reason: reason))
    }
}

extension HostState {
    mutating func handleWebSocket(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        let id = try request.string("connectionId")
        let isOpen = openConnections.contains { $0.id == id }
        switch function {
        case "websocket_connect":
            if let connectError { throw HostError(connectError) }
            var newID = id
            if newID.isEmpty {
                connectionCount += 1
                newID = "connection-\(connectionCount)"
            } else if isOpen {
                throw HostError("connection ID \"\(id)\" already exists")
            }
            var headers: [String: String] = [:]
            for (name, value) in try request.stringPairs("headers") { headers[name] = value }
            let connection = TestWebSocket.Connection(id: newID, url: try request.string("url"), headers: headers)
            openConnections.append(connection)
            connects.append(connection)
            response.set("newConnectionId", newID, omitEmpty: true)
        case "websocket_sendtext", "websocket_sendbinary", "websocket_closeconnection":
            guard isOpen else { throw HostError("connection ID \"\(id)\" not found") }
            if function == "websocket_sendtext" {
                sentFrames.append(TestWebSocket.Frame(connectionId: id, text: try request.string("message"), data: nil))
            } else if function == "websocket_sendbinary" {
                sentFrames.append(TestWebSocket.Frame(connectionId: id, text: nil, data: try request.bytes("data")))
            } else {
                closes.append(TestWebSocket.Close(connectionId: id, code: try request.int32("code"), reason: try request.string("reason")))
                openConnections.removeAll { $0.id == id }
            }
        default:
            throw HostError.noAnswer(function)
        }
    }
}
