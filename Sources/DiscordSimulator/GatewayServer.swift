import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import Synchronization

/// Remembers whether (and with which code) the client sent a close frame; the WebSocket layer
/// answers close frames itself and does not hand their code to the handler.
final class ClientCloseObservation: Sendable {
    private let value = NIOLockedValueBox<(sent: Bool, code: UInt16?)>((false, nil))

    func observe(code: UInt16?) { value.withLockedValue { $0 = (true, code) } }
    var current: (sent: Bool, code: UInt16?) { value.withLockedValue { $0 } }
}

/// Pipeline handler placed after the frame decoder that notes a client's close code.
final class ClientCloseSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    let observation: ClientCloseObservation

    init(_ observation: ClientCloseObservation) { self.observation = observation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.opcode == .connectionClose {
            var payload = frame.unmaskedData
            observation.observe(code: payload.readInteger(as: UInt16.self))
        }
        context.fireChannelRead(data)
    }
}

extension DiscordSimulator {
    /// Where a WebSocket upgrade request is headed.
    struct GatewayTarget: Sendable {
        var viaResumeURL: Bool
        var apiVersion: Int
        var problem: (code: UInt16, reason: String)?
    }

    /// Accepts `/` (the gateway URL) and `/resume` (the resume URL), each with an optional trailing
    /// slash and `?v=&encoding=json`; anything else is not upgraded.
    static func gatewayTarget(path rawPath: String) -> GatewayTarget? {
        let parts = rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var path = String(parts[0])
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let viaResumeURL: Bool
        switch path {
        case "", "/": viaResumeURL = false
        case "/resume": viaResumeURL = true
        default: return nil
        }
        var target = GatewayTarget(viaResumeURL: viaResumeURL, apiVersion: 10)
        let query = parts.count > 1 ? parts[1] : ""
        for pair in query.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = keyValue[0]
            let value = keyValue.count > 1 ? String(keyValue[1]) : ""
            switch key {
            case "v":
                if let version = Int(value), version == 9 || version == 10 {
                    target.apiVersion = version
                } else {
                    target.problem = (4012, "Invalid API version \(value).")
                }
            case "encoding" where value != "json":
                target.problem = (4002, "Error while decoding payload: the simulator speaks encoding=json only.")
            case "compress":
                target.problem = (4002, "Error while decoding payload: the simulator does not compress (drop compress=).")
            default:
                break
            }
        }
        return target
    }

    func shouldUpgrade(_ request: HTTPRequest, channel: any Channel) -> ShouldUpgradeResult<
        WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>
    > {
        guard let target = Self.gatewayTarget(path: request.path ?? "/") else { return .dontUpgrade }
        return .upgrade([:]) { inbound, outbound, _ in
            await self.serve(inbound: inbound, outbound: outbound, channel: channel, target: target)
        }
    }

    /// Runs one gateway connection: Hello, then every client frame through the state machine.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, channel: any Channel, target: GatewayTarget) async {
        let observation = ClientCloseObservation()
        try? await channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<WebSocketFrameDecoder>.self)
            try pipeline.addHandler(ClientCloseSniffer(observation), position: .after(decoder))
        }.get()
        let transport = ConnectionTransport(writer: outbound, channel: channel)
        let (id, greeting) = state.withLock {
            $0.open(transport: transport, viaResumeURL: target.viaResumeURL, apiVersion: target.apiVersion, urlProblem: target.problem)
        }
        await execute(greeting)
        do {
            for try await message in inbound.messages(maxSize: 1 << 20) {
                let actions: [GatewayAction]
                switch message {
                case .text(let text):
                    actions = state.withLock { $0.receive(id, text: text) }
                case .binary(let buffer):
                    let size = buffer.readableBytes
                    actions = state.withLock { $0.receiveBinary(id, bytes: size) }
                }
                await execute(actions)
            }
        } catch {
            logger.debug("gateway connection \(id) ended with \(error)")
        }
        let close = observation.current
        state.withLock { $0.ended(id, clientCloseCode: close.code, clientSentClose: close.sent) }
    }

    static let closeHandshakeTimeout = TimeAmount.seconds(5)

    /// Carries out socket work decided under the lock.
    func execute(_ actions: [GatewayAction]) async {
        for action in actions {
            switch action {
            case .send(let transport, let text):
                try? await transport.writer.write(.text(text))
            case .close(let transport, let code, let reason):
                try? await transport.writer.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                // A peer that never answers the close frame must not hold the socket forever.
                let channel = transport.channel
                channel.eventLoop.scheduleTask(in: Self.closeHandshakeTimeout) { channel.close(promise: nil) }
            case .drop(let transport):
                try? await transport.channel.close()
            case .readyAfter(let id, let milliseconds):
                Task {
                    try? await Task.sleep(for: .milliseconds(milliseconds))
                    await self.execute(self.state.withLock { $0.sendReady(id) })
                }
            case .closeIfOpenAfter(let id, let milliseconds, let code):
                Task {
                    try? await Task.sleep(for: .milliseconds(milliseconds))
                    await self.execute(self.state.withLock { $0.closeIfOpen(id, code: code) })
                }
            }
        }
    }
}
