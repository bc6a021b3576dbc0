import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import Synchronization
@_spi(WSInternal) import WSCore
import WSClient

/// Opens a WebSocket client connection to a given address while speaking to the URL's host:
/// the `Host` header, `Origin` and TLS server name carry the name, the TCP connection goes to the
/// address ``HostPolicy`` checked. (swift-websocket's `WebSocketClient` always connects by
/// name, which would let a second DNS answer replace the checked address.) Frames and the
/// closing handshake are swift-websocket's.
///
/// Cancelling the calling task closes the channel, whether it is still connecting, in the
/// upgrade, or open.
struct WebSocketDialer: Sendable {
    /// Where to connect and what to say.
    struct Target: Sendable {
        /// An IP address, or a host name when the operator granted it.
        var connectTo: String
        var port: Int
        var tls: Bool
        /// The TLS server name (SNI and certificate check); `nil` when the URL's host is an IP literal.
        var serverName: String?
        var hostHeader: String
        var origin: String
        /// Path and query, e.g. `/?v=10&encoding=json`.
        var requestURI: String
        var headers: HTTPHeaders

        /// The target for `url` (ws or wss), connecting to `address` (or by name when `nil`).
        init(url: URL, address: IPAddress?, headers: HTTPHeaders) throws {
            guard let scheme = url.scheme?.lowercased(), let rawHost = url.host, !rawHost.isEmpty else {
                throw HostServiceError("invalid WebSocket URL \"\(url.absoluteString)\"")
            }
            let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
            let hostForHeader = host.contains(":") ? "[\(host)]" : host
            tls = scheme == "wss"
            port = url.port ?? (tls ? 443 : 80)
            connectTo = address?.description ?? host
            serverName = IPAddress(literal: host) == nil ? host : nil
            hostHeader = url.port.map { "\(hostForHeader):\($0)" } ?? hostForHeader
            origin = "\(scheme)://\(hostForHeader)"
            let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            let path = components?.percentEncodedPath ?? ""
            requestURI = (path.isEmpty ? "/" : path) + (components?.percentEncodedQuery.map { "?\($0)" } ?? "")
            self.headers = headers
        }
    }

    struct Context: WebSocketContext {
        let logger: Logger
    }

    let target: Target
    let maxFrameSize: Int
    let closeTimeout: Duration

    /// Connects, upgrades and runs `handler` until the connection ends; returns the close frame
    /// the server sent, if any.
    func run(logger: Logger, handler: @escaping WebSocketDataHandler<Context>) async throws -> WebSocketCloseFrame? {
        let sslContext = try target.tls ? NIOSSLContext(configuration: .makeClientConfiguration()) : nil
        let channel = ChannelHolder()
        let upgrading = UpgradingChannel(
            target: target, sslContext: sslContext, maxFrameSize: maxFrameSize, closeTimeout: closeTimeout,
            holder: channel, handler: handler)
        return try await withTaskCancellationHandler {
            try await ClientConnection(upgrading, address: .hostname(target.connectTo, port: target.port), logger: logger).run()
        } onCancel: {
            channel.cancel()
        }
    }
}

/// The channel of one connection attempt, closed when the attempt is cancelled.
private final class ChannelHolder: Sendable {
    private let state = Mutex<(channel: (any Channel)?, cancelled: Bool)>((nil, false))

    func set(_ channel: any Channel) {
        let cancelled = state.withLock { state in
            state.channel = channel
            return state.cancelled
        }
        if cancelled { channel.close(promise: nil) }
    }

    func cancel() {
        let channel = state.withLock { state in
            state.cancelled = true
            return state.channel
        }
        channel?.close(promise: nil)
    }
}

private struct UpgradingChannel: ClientConnectionChannel {
    enum Upgrade: Sendable {
        case websocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case declined
    }

    let target: WebSocketDialer.Target
    let sslContext: NIOSSLContext?
    let maxFrameSize: Int
    let closeTimeout: Duration
    let holder: ChannelHolder
    let handler: WebSocketDataHandler<WebSocketDialer.Context>

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<EventLoopFuture<Upgrade>> {
        holder.set(channel)
        return channel.eventLoop.makeCompletedFuture {
            if let sslContext {
                let tls = try NIOSSLClientHandler(context: sslContext, serverHostname: target.serverName)
                try channel.pipeline.syncOperations.addHandler(tls, position: .first)
            }
            let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(maxFrameSize: maxFrameSize) { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    .websocket(try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel))
                }
            }
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: target.hostHeader)
            headers.add(name: "Origin", value: target.origin)
            for (name, value) in target.headers { headers.replaceOrAdd(name: name, value: value) }
            let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target.requestURI, headers: headers)
            let upgrade = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                upgradeRequestHead: head, upgraders: [upgrader],
                notUpgradingCompletionHandler: { $0.eventLoop.makeSucceededFuture(.declined) })
            var configuration = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
            configuration.leftOverBytesStrategy = .forwardBytes
            return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: configuration)
        }
    }

    func handle(value: EventLoopFuture<Upgrade>, logger: Logger) async throws -> WebSocketCloseFrame? {
        switch try await value.get() {
        case .websocket(let channel):
            return try await WebSocketHandler.handle(
                type: .client,
                configuration: .init(
                    extensions: [], autoPing: .disabled, closeTimeout: closeTimeout, validateUTF8: false,
                    maxFrameSize: maxFrameSize),
                asyncChannel: channel, context: WebSocketDialer.Context(logger: logger), handler: handler)
        case .declined:
            throw HostServiceError("the server did not accept the WebSocket upgrade")
        }
    }
}
