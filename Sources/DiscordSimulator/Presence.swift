import TonearmJSON

/// A user's presence as the simulator last applied it from a Presence Update (op 3).
public struct Presence: Sendable, Equatable {
    /// `online`, `idle`, `dnd` or `invisible` (activities are hidden while invisible).
    public var status: String
    /// The activities exactly as sent; empty once cleared.
    public var activities: [JSONValue]
    public var since: JSONValue
    public var afk: Bool
    /// The session that set it.
    public var sessionID: String
    /// Wall-clock time the update was applied, microseconds since the Unix epoch.
    public var appliedAtMicros: Int64
    /// Problems Discord would not reject but would not show either (e.g. a raw image URL).
    public var warnings: [String]

    /// The first activity, or nil when cleared.
    public var activity: JSONValue? { activities.first }

    var json: JSONValue {
        .object([
            "status": .string(status),
            "activities": .array(activities),
            "activity": activity ?? .null,
            "since": since,
            "afk": .bool(afk),
            "session_id": .string(sessionID),
            "applied_at_us": .integer(appliedAtMicros),
            "warnings": .array(warnings.map { .string($0) }),
        ])
    }
}
