import NavidromePDK

/// A gateway frame read lazily: a user account's READY is hundreds of kilobytes and unrelated
/// dispatches keep arriving, so only `op`, `s`, `t` and the few `d` members asked for are ever
/// parsed (``JSONLazyObject``).
struct GatewayEvent {
    enum Opcode {
        static let dispatch = 0
        static let heartbeat = 1
        static let identify = 2
        static let presenceUpdate = 3
        static let resume = 6
        static let reconnect = 7
        static let invalidSession = 9
        static let hello = 10
        static let heartbeatACK = 11
    }

    let frame: JSONLazyObject
    let op: Int
    /// `s`: the sequence number of a dispatch.
    let sequence: Int64?

    init(_ bytes: [UInt8]) throws(JSONError) {
        frame = try JSONLazyObject(bytes: bytes)
        guard let op = try frame.int64("op") else { throw JSONError.mismatch("gateway frame has no 'op'") }
        self.op = Int(op)
        sequence = try frame.int64("s")
    }

    /// `t`: the dispatch name (READY, RESUMED, …).
    func type() throws(JSONError) -> String? {
        try frame.string("t")
    }

    /// Whether this is a dispatch named `name`.
    func isDispatch(_ name: String) throws(JSONError) -> Bool {
        guard op == Opcode.dispatch, let t = try type() else { return false }
        return ActivityText.equal(t, name)
    }

    /// `d` as a boolean (op 9's "resumable" flag), `nil` when it is not one.
    func dataFlag() -> Bool? {
        guard let value = try? frame.value("d") else { return nil }
        return value.boolValue
    }

    /// The `d` object, read lazily.
    func data() throws(JSONError) -> JSONLazyObject? {
        try frame.object("d")
    }
}
