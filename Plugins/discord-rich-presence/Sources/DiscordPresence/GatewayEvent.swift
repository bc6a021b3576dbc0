import NavidromeJSON

/// A gateway frame read lazily: a user account's READY is hundreds of kilobytes and unrelated
/// dispatches keep arriving, so only `op`, `s`, `t` and the few `d` members asked for are ever
/// parsed (``JSONLazyObject``).
public struct GatewayEvent {
    public enum Opcode {
        public static let dispatch = 0
        public static let heartbeat = 1
        public static let identify = 2
        public static let presenceUpdate = 3
        public static let resume = 6
        public static let reconnect = 7
        public static let invalidSession = 9
        public static let hello = 10
        public static let heartbeatACK = 11
    }

    let frame: JSONLazyObject
    public let op: Int
    /// `s`: the sequence number of a dispatch.
    public let sequence: Int64?

    public init(_ bytes: [UInt8]) throws(JSONError) {
        frame = try JSONLazyObject(bytes: bytes)
        guard let op = try frame.int64("op") else { throw JSONError.mismatch("gateway frame has no 'op'") }
        self.op = Int(op)
        sequence = try frame.int64("s")
    }

    /// `t`: the dispatch name (READY, RESUMED, …).
    public func type() throws(JSONError) -> String? {
        try frame.string("t")
    }

    /// Whether this is a dispatch named `name`.
    public func isDispatch(_ name: String) throws(JSONError) -> Bool {
        guard op == Opcode.dispatch, let t = try type() else { return false }
        return ActivityText.equal(t, name)
    }

    /// The `d` value when it is not an object (op 9's resumable flag).
    public func dataValue() throws(JSONError) -> JSONValue? {
        try frame.value("d")
    }

    /// The `d` object, read lazily.
    public func data() throws(JSONError) -> JSONLazyObject? {
        try frame.object("d")
    }
}
