import NavidromePDK

/// Frames the plugin sends to the gateway, as JSON text.
enum GatewayFrame {
    /// Op 2 for a user token. The token goes only into this frame, never into a log line.
    static func identify(token: String) -> String {
        var properties = JSONObject()
        properties["os"] = .string("Linux")
        properties["browser"] = .string("Discord Client")
        properties["device"] = .string("Navidrome")
        var presence = JSONObject()
        presence["status"] = .string("unknown")
        presence["since"] = .int(0)
        presence["activities"] = .array([])
        presence["afk"] = .bool(true)
        var d = JSONObject()
        d["token"] = .string(token)
        d["capabilities"] = .int(0)
        d["properties"] = .object(properties)
        d["presence"] = .object(presence)
        d["compress"] = .bool(false)
        return frame(GatewayEvent.Opcode.identify, .object(d))
    }

    /// Op 6: resume `sessionID` from `sequence`.
    static func resume(token: String, sessionID: String, sequence: Int64) -> String {
        var d = JSONObject()
        d["token"] = .string(token)
        d["session_id"] = .string(sessionID)
        d["seq"] = .int(sequence)
        return frame(GatewayEvent.Opcode.resume, .object(d))
    }

    /// Op 1 with the last sequence number seen (`null` before the first dispatch).
    static func heartbeat(sequence: Int64?) -> String {
        frame(GatewayEvent.Opcode.heartbeat, sequence.map { JSONValue.int($0) } ?? .null)
    }

    /// Op 3 showing `activity`, or clearing the activity when `nil`.
    static func presenceUpdate(_ activity: Activity?, status: DiscordUser.Status) -> String {
        var d = JSONObject()
        d["since"] = .int(0)
        d["activities"] = .array(activity.map { [$0.json()] } ?? [])
        d["status"] = .string(status.name)
        // A headless session: don't divert the user's mobile push notifications.
        d["afk"] = .bool(true)
        return frame(GatewayEvent.Opcode.presenceUpdate, .object(d))
    }

    static func frame(_ op: Int, _ d: JSONValue) -> String {
        var object = JSONObject()
        object["op"] = .int(Int64(op))
        object["d"] = d
        return JSONValue.object(object).serializedString()
    }
}
