import NavidromePDK

/// One Navidrome user's Discord settings from the `users` configuration key.
struct DiscordUser {
    /// The Discord status sent with the presence (`online`, `idle`, `dnd` or `invisible`).
    enum Status {
        case online, idle, dnd, invisible

        /// The status named by `text` (lower case), if any.
        init?(name text: String) {
            switch text.utf8.count {
            case 3 where ActivityText.equal(text, "dnd"): self = .dnd
            case 4 where ActivityText.equal(text, "idle"): self = .idle
            case 6 where ActivityText.equal(text, "online"): self = .online
            case 9 where ActivityText.equal(text, "invisible"): self = .invisible
            default: return nil
            }
        }

        /// The name Discord expects in a Presence Update.
        var name: String {
            switch self {
            case .online: return "online"
            case .idle: return "idle"
            case .dnd: return "dnd"
            case .invisible: return "invisible"
            }
        }
    }

    var username: String
    /// The raw Discord user token. Secret: never log it or put it in a URL.
    var token: String
    var status: Status = .online
    /// Privacy mode: the presence says only that music is playing.
    var hideDetails = false
    /// Player names (case-insensitive) whose playback this user's presence ignores.
    var ignoredPlayers: [String] = []

    init(username: String, token: String) {
        self.username = username
        self.token = token
    }

    /// Parses the `users` value: a JSON array of `{"username","token"}` objects (optionally with
    /// `status`, `hidedetails`, `ignoredplayers`) or the text form `alice:token1,bob:token2`.
    static func parseList(_ value: String) throws(ConfigError) -> [DiscordUser] {
        let text = ActivityText.trimmed(value)
        if text.isEmpty { throw ConfigError(key: "users", "is empty; add at least one username and token") }
        let users: [DiscordUser]
        if text.utf8.first == UInt8(ascii: "[") {
            users = try parseArray(text)
        } else {
            users = try parsePairs(text)
        }
        var seen: [String] = []
        for user in users {
            let folded = ActivityText.asciiLowercased(user.username)
            if seen.contains(where: { ActivityText.equal($0, folded) }) {
                throw ConfigError(key: "users", "user '\(user.username)' is listed twice")
            }
            seen.append(folded)
        }
        return users
    }

    static func parsePairs(_ text: String) throws(ConfigError) -> [DiscordUser] {
        var users: [DiscordUser] = []
        var position = 0
        for entry in ActivityText.split(text, on: UInt8(ascii: ",")) {
            position += 1
            let bytes = Array(entry.utf8)
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
                throw ConfigError(key: "users", "entry \(position) is not 'username:token'")
            }
            let name = ActivityText.trimmed(String(decoding: bytes[..<colon], as: UTF8.self))
            let token = ActivityText.trimmed(String(decoding: bytes[(colon + 1)...], as: UTF8.self))
            if name.isEmpty { throw ConfigError(key: "users", "entry \(position) has no username") }
            if token.isEmpty { throw ConfigError(key: "users[\(name)].token", "is empty") }
            users.append(DiscordUser(username: name, token: token))
        }
        if users.isEmpty { throw ConfigError(key: "users", "has no 'username:token' entries") }
        return users
    }

    static func parseArray(_ text: String) throws(ConfigError) -> [DiscordUser] {
        let json: JSONValue
        do {
            json = try JSONValue.parse(text)
        } catch {
            throw ConfigError(key: "users", error.message)
        }
        guard let items = json.arrayValue else { throw ConfigError(key: "users", "is not a JSON array") }
        if items.isEmpty { throw ConfigError(key: "users", "is an empty list; add at least one user") }
        var users: [DiscordUser] = []
        var position = 0
        for item in items {
            position += 1
            guard let object = item.objectValue else {
                throw ConfigError(key: "users", "entry \(position) is a \(item.kindName), not an object")
            }
            guard let name = object["username"]?.stringValue.map(ActivityText.trimmed), !name.isEmpty else {
                throw ConfigError(key: "users", "entry \(position) has no 'username'")
            }
            guard let token = object["token"]?.stringValue.map(ActivityText.trimmed), !token.isEmpty else {
                throw ConfigError(key: "users[\(name)].token", "is missing or empty")
            }
            var user = DiscordUser(username: name, token: token)
            if let status = object["status"], !status.isNull {
                guard let text = status.stringValue else {
                    throw ConfigError(key: "users[\(name)].status", "is a \(status.kindName), not a string")
                }
                let folded = ActivityText.asciiLowercased(ActivityText.trimmed(text))
                if !folded.isEmpty {
                    guard let parsed = Status(name: folded) else {
                        throw ConfigError(key: "users[\(name)].status", "'\(text)' is not one of online, idle, dnd, invisible")
                    }
                    user.status = parsed
                }
            }
            if let hide = object["hidedetails"], !hide.isNull {
                guard let flag = PluginSettings.flag(hide) else {
                    throw ConfigError(key: "users[\(name)].hidedetails", "is not true or false")
                }
                user.hideDetails = flag
            }
            if let players = object["ignoredplayers"], !players.isNull {
                guard let list = players.stringValue else {
                    throw ConfigError(key: "users[\(name)].ignoredplayers", "is not a comma-separated string")
                }
                user.ignoredPlayers = ActivityText.split(list, on: UInt8(ascii: ","))
            }
            users.append(user)
        }
        return users
    }
}
