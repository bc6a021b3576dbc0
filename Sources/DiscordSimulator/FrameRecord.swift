import TonearmJSON

/// One entry of the simulator's traffic log.
public struct FrameRecord: Sendable, Equatable {
    public enum Direction: String, Sendable {
        /// A gateway frame from the client.
        case received
        /// A gateway frame to the client.
        case sent
        /// A REST request (text = method and path, op = HTTP status).
        case http
        /// A connection event: open, close (op = close code), drop.
        case event
    }

    /// Position in the log, increasing from 1.
    public var index: Int
    /// Wall-clock time, microseconds since the Unix epoch (taken as the frame was read or queued).
    public var timestampMicros: Int64
    public var connectionID: Int
    /// The user, once the connection identified or resumed.
    public var user: String?
    public var direction: Direction
    /// Gateway opcode when the frame parsed (for `http`: the status; for close events: the code).
    public var op: Int?
    /// Dispatch type (`READY`, `RESUMED`, …) for op 0.
    public var type: String?
    /// Dispatch sequence number for op 0.
    public var sequence: Int?
    public var bytes: Int
    /// The frame text (or a description for http/event entries).
    public var text: String

    var json: JSONValue {
        .object([
            "index": .integer(Int64(index)),
            "timestamp_us": .integer(timestampMicros),
            "connection": .integer(Int64(connectionID)),
            "user": user.map { .string($0) } ?? .null,
            "direction": .string(direction.rawValue),
            "op": op.map { .integer(Int64($0)) } ?? .null,
            "t": type.map { .string($0) } ?? .null,
            "s": sequence.map { .integer(Int64($0)) } ?? .null,
            "bytes": .integer(Int64(bytes)),
            "text": .string(text),
        ])
    }
}

/// Bounded, append-only frame log.
struct FrameLog {
    private(set) var records: [FrameRecord] = []
    private var start = 0
    private(set) var nextIndex = 1
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    mutating func append(_ make: (Int) -> FrameRecord) {
        guard capacity > 0 else {
            nextIndex += 1
            return
        }
        let record = make(nextIndex)
        nextIndex += 1
        if records.count < capacity {
            records.append(record)
        } else {
            records[start] = record
            start = (start + 1) % capacity
        }
    }

    /// Records in order, optionally only those with `index > after`.
    func ordered(after: Int = 0) -> [FrameRecord] {
        let all = Array(records[start...] + records[..<start])
        return after > 0 ? all.filter { $0.index > after } : all
    }
}
