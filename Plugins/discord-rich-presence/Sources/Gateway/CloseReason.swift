import NavidromePDK

/// What to do after the gateway connection ended, by close code (Discord's table).
enum CloseReason {
    /// Reconnect to `resume_gateway_url` and send Resume.
    case resume
    /// Reconnect and Identify afresh (the session is gone).
    case reidentify
    /// Stop for this user until the configuration changes (e.g. 4004: bad token).
    case fatal(String)

    init(code: Int?) {
        guard let code else {
            self = .resume  // dropped without a close frame
            return
        }
        switch code {
        case 4004: self = .fatal("authentication failed (close 4004): the Discord token is invalid or revoked")
        case 4010: self = .fatal("invalid shard (close 4010)")
        case 4011: self = .fatal("sharding required (close 4011)")
        case 4012: self = .fatal("invalid API version (close 4012)")
        case 4013: self = .fatal("invalid intents (close 4013)")
        case 4014: self = .fatal("disallowed intents (close 4014)")
        case 4015: self = .fatal("too many sessions for this account (close 4015)")
        // 1005 "no status" is what a host reports for a socket that ended without a close
        // code: a drop, so resumable.
        case 1000, 1001, 4003, 4005, 4006, 4007, 4008, 4009: self = .reidentify
        default: self = .resume
        }
    }

    /// The close code in host error text such as "websocket: close 4004 Authentication failed."
    /// (how Navidrome reports every close code but 1000/1001/1005), or `nil` for a plain drop.
    static func code(inErrorText text: String) -> Int? {
        let bytes = Array(text.utf8)
        let marker = Array("close ".utf8)
        var i = 0
        while i + marker.count < bytes.count {
            if bytes[i..<(i + marker.count)].elementsEqual(marker) {
                var j = i + marker.count
                let (code, digits) = ActivityText.leadingDecimal(bytes, at: &j, maxDigits: 5)
                if digits == 4 { return code }
            }
            i += 1
        }
        return nil
    }
}
