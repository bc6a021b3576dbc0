import TonearmJSON

/// Something the simulator does to a user's gateway connection on request.
public enum GatewayFault: Sendable, Equatable {
    /// Close the TCP connection without a close frame; the session stays resumable.
    case dropConnection
    /// Send op 7 Reconnect; close with 4000 later if the client does not.
    case reconnect
    /// Send op 9 Invalid Session; `false` forgets the session (and its presence).
    case invalidSession(resumable: Bool)
    /// Stop answering heartbeats with op 11 (a zombie connection).
    case stopHeartbeatACKs
    /// Answer heartbeats again.
    case resumeHeartbeatACKs
    /// Close with this code; 4004 and other non-resumable codes also end the session.
    case close(code: UInt16)
    /// Send a dispatch to the user's session (queued for replay if no socket is attached).
    case dispatch(type: String, data: JSONValue)
}

/// A scripted answer for the next calls to `external-assets`.
public enum ExternalAssetsFault: Sendable, Equatable {
    /// 429 with `retry_after` seconds.
    case rateLimited(retryAfterSeconds: Double, global: Bool)
    /// 500.
    case serverError
}
