import NavidromePDK

/// Whether the user chose "Invisible" in their own Discord client, as far as this gateway
/// session can tell: READY's `sessions` and every `SESSIONS_REPLACE` list the account's sessions
/// with their statuses. The user counts as invisible while one of their other sessions (not
/// this one, not the aggregate `"all"`) says `invisible`. A session cannot see a status set
/// while none of the user's clients is connected.
enum ClientVisibility {
    /// Whether the raw JSON of a session list has the word `invisible` anywhere: without it no
    /// session is invisible, which a scan tells without parsing the list.
    static func mentionsInvisible(_ raw: [UInt8]) -> Bool {
        ActivityText.withBytes("invisible") { ActivityText.contains(raw, $0) }
    }

    /// Whether `sessions` (an array of session objects) shows another session that is invisible.
    static func isInvisible(sessions: JSONValue, ownSessionID: String) -> Bool {
        guard let list = sessions.arrayValue else { return false }
        for session in list {
            guard let id = session["session_id"]?.stringValue, let status = session["status"]?.stringValue else { continue }
            if ActivityText.equal(id, ownSessionID) || ActivityText.equal(id, "all") { continue }
            if ActivityText.equal(status, "invisible") { return true }
        }
        return false
    }
}
