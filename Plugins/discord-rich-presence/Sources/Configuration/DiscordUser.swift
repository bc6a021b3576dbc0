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
    /// This user's member-list line (`statusdisplay`), over the global setting.
    var statusDisplay: StatusDisplay?
    /// This user's privacy rules, added to the global ones.
    var filter = PrivacyFilter()

    init(username: String, token: String) {
        self.username = username
        self.token = token
    }

    /// Parses the `users` value: a JSON array of `{"username","token"}` objects (optionally with
    /// `status`, `hidedetails`, `ignoredplayers`, `statusdisplay` and the `filter…` keys) or the text form `alice:token1,bob:token2`.
    ///
    /// With `only`, just that user's entry is returned (or none): the text form is then scanned
    /// without building the other entries or checking them — a list of a thousand users costs
    /// a scan, not a thousand parses, on calls that concern one user. The full check runs where
    /// every playback event passes first (`is_authorized`).
    static func parseList(_ value: String, only wanted: String? = nil) throws(ConfigError) -> [DiscordUser] {
        let text = ActivityText.trimmed(value)
        if text.isEmpty { throw ConfigError(key: "users", "is empty; add at least one username and token") }
        let users: [DiscordUser]
        if text.utf8.first == UInt8(ascii: "[") {
            users = try parseArray(text)
        } else if let wanted {
            return try parsePairs(text, only: wanted)
        } else {
            users = try parsePairs(text)
        }
        // Duplicates, found by sorting hashes of the case-folded names (a thousand users must
        // not cost a million comparisons on every call).
        var hashes = users.indices.map { (hash: foldedHash(users[$0].username), index: $0) }
        hashes.sort { $0.hash < $1.hash }
        var first: Int?
        for position in hashes.indices.dropFirst() where hashes[position].hash == hashes[position - 1].hash {
            let (a, b) = (hashes[position - 1].index, hashes[position].index)
            if ActivityText.equalIgnoringASCIICase(users[a].username, users[b].username) {
                first = min(first ?? Int.max, max(a, b))
            }
        }
        if let first { throw ConfigError(key: "users", "user '\(users[first].username)' is listed twice") }
        return users
    }

    /// A `users` value holding only `user`'s entry of `value`, the list `user` was read from:
    /// `name:token` in the text form, the user's object as a one-element array in the JSON form.
    static func entryList(of user: DiscordUser, in value: String) -> String? {
        let text = ActivityText.trimmed(value)
        guard text.utf8.first == UInt8(ascii: "[") else { return user.username + ":" + user.token }
        guard let items = (try? JSONValue.parse(text))?.arrayValue else { return nil }
        for item in items {
            guard let name = item["username"]?.stringValue.map(ActivityText.trimmed),
                  ActivityText.equalIgnoringASCIICase(name, user.username) else { continue }
            return "[" + item.serializedString() + "]"
        }
        return nil
    }

    /// FNV-1a of the name's UTF-8 with ASCII letters lowercased.
    static func foldedHash(_ name: String) -> UInt64 {
        ActivityText.withBytes(name) { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(ActivityText.foldASCII(byte))) &* 0x100_0000_01b3 }
            return hash
        }
    }

    /// The `alice:token1,bob:token2` form, in one pass over the bytes (empty entries skipped).
    static func parsePairs(_ text: String, only wanted: String? = nil) throws(ConfigError) -> [DiscordUser] {
        // The bytes in place: a list of a thousand users is tens of KB.
        var text = text
        return try text.withUTF8 { bytes in
            Result { () throws(ConfigError) -> [DiscordUser] in try parsePairs(bytes, only: wanted) }
        }.get()
    }

    private static func parsePairs(_ bytes: UnsafeBufferPointer<UInt8>, only wanted: String?) throws(ConfigError) -> [DiscordUser] {
        let wantedBytes = wanted.map { Array($0.utf8) }
        func isWanted(_ range: Range<Int>) -> Bool {
            guard let wantedBytes else { return true }
            guard range.count == wantedBytes.count else { return false }
            for (offset, byte) in wantedBytes.enumerated() where ActivityText.foldASCII(bytes[range.lowerBound + offset]) != ActivityText.foldASCII(byte) {
                return false
            }
            return true
        }
        func trimmed(_ range: Range<Int>) -> Range<Int> {
            var (lower, upper) = (range.lowerBound, range.upperBound)
            while lower < upper, ActivityText.isSpace(bytes[lower]) { lower += 1 }
            while upper > lower, ActivityText.isSpace(bytes[upper - 1]) { upper -= 1 }
            return lower..<upper
        }
        var users: [DiscordUser] = []
        var position = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
            let entry = trimmed(start..<end)
            start = end + 1
            if entry.isEmpty { continue }
            position += 1
            guard let colon = bytes[entry].firstIndex(of: UInt8(ascii: ":")) else {
                if wanted != nil { continue }
                throw ConfigError(key: "users", "entry \(position) is not 'username:token'")
            }
            let name = trimmed(entry.lowerBound..<colon)
            if !isWanted(name) { continue }
            let token = trimmed((colon + 1)..<entry.upperBound)
            if name.isEmpty { throw ConfigError(key: "users", "entry \(position) has no username") }
            let username = String(decoding: bytes[name], as: UTF8.self)
            if token.isEmpty { throw ConfigError(key: "users[\(username)].token", "is empty") }
            users.append(DiscordUser(username: username, token: String(decoding: bytes[token], as: UTF8.self)))
        }
        if users.isEmpty && wanted == nil { throw ConfigError(key: "users", "has no 'username:token' entries") }
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
            if let display = object["statusdisplay"], !display.isNull {
                guard let text = display.stringValue else {
                    throw ConfigError(key: "users[\(name)].statusdisplay", "is a \(display.kindName), not a string")
                }
                if !ActivityText.trimmed(text).isEmpty {
                    guard let parsed = StatusDisplay(setting: text) else {
                        throw ConfigError(key: "users[\(name)].statusdisplay", "'\(text)' is not one of Name, State, Details")
                    }
                    user.statusDisplay = parsed
                }
            }
            var filterProblem: String?
            user.filter = try PrivacyFilter.read({ key in
                guard let value = object[key], !value.isNull else { return nil }
                guard let text = value.stringValue else {
                    filterProblem = filterProblem ?? key
                    return nil
                }
                return text
            }, keyPrefix: "users[\(name)].")
            if let filterProblem {
                throw ConfigError(key: "users[\(name)].\(filterProblem)", "is not a string of rules")
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
