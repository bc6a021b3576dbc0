import NavidromePDK

/// The plugin's configuration, read afresh on every call (the plugin keeps no state of its own).
struct PluginSettings {
    /// What "Listening to …" shows (`activityname`).
    enum ActivityName {
        /// The music server's name (`servername`, else what the server says it is, else "Music"),
        /// with the member list showing the track title.
        case standard
        case track, album, artist
        /// `activitynametemplate` filled in (see ``ActivityTemplate``).
        case custom(template: ActivityTemplate)
    }

    static let defaultGatewayURL = "wss://gateway.discord.gg"
    static let defaultAPIBaseURL = "https://discord.com/api"
    static let defaultPauseTimeoutSeconds = 600

    /// The Discord application id (`clientid`).
    var clientID: String
    var users: [DiscordUser]
    var activityName: ActivityName = .standard
    /// The member-list line (`statusdisplay`); `nil` follows the activity name mode.
    var statusDisplay: StatusDisplay?
    /// The activity name in `Default` mode (`servername`); `nil` asks the server.
    var serverName: String?
    /// Image shown when a track has no art (`defaultimage`); `nil` is Navidrome's logo beside
    /// Navidrome and the Discord application's own icon elsewhere.
    var defaultImageURL: String?
    /// Whether a small logo overlays the album art while playing (`overlay`).
    var overlay = false
    /// The overlay's image (`overlayimage`); `nil` is the default image.
    var overlayImageURL: String?
    var detailsTemplate = ActivityTemplate.details
    var stateTemplate = ActivityTemplate.state
    var largeTextTemplate = ActivityTemplate.largeText
    var links = ActivityLinks.musicBrainz
    var filter = PrivacyFilter()
    var filterAction = PrivacyFilter.Action.clear
    var coverArtArchive = false
    var uguuUpload = false
    /// Player names ignored for every user (`ignoredplayers`).
    var ignoredPlayers: [String] = []
    /// Seconds after which a paused presence is cleared; 0 keeps it (`pausetimeout`).
    var pauseTimeoutSeconds = PluginSettings.defaultPauseTimeoutSeconds
    /// Gateway WebSocket URL without query (`gatewayurl`).
    var gatewayURL = PluginSettings.defaultGatewayURL
    /// REST API base URL without version (`apibaseurl`).
    var apiBaseURL = PluginSettings.defaultAPIBaseURL
    /// Problems with optional keys that fell back to their defaults, one log line each.
    var warnings: [String] = []

    /// How much of the configuration a call reads. Each key is a host round trip (the key and
    /// the value copied through the kernel), so a call that only decides whether a user may
    /// connect reads four keys instead of twenty-six.
    enum Scope {
        /// `clientid`, `users`, `gatewayurl` and `apibaseurl`; every other setting keeps its
        /// default.
        case connection
        /// Every key: what building a presence needs.
        case presence
    }

    /// Reads the keys of `scope` through `lookup` (which returns `nil` for a missing key).
    /// Missing or invalid `clientid`, `users`, `gatewayurl` or `apibaseurl` is an error; a bad
    /// optional key falls back to its default and adds a warning.
    /// With `onlyUser`, ``users`` holds just that user (see ``DiscordUser/parseList(_:only:)``).
    static func load(_ lookup: (String) -> String?, onlyUser: String? = nil,
                     scope: Scope = .presence) throws(ConfigError) -> PluginSettings {
        guard let rawID = lookup("clientid").map(ActivityText.trimmed), !rawID.isEmpty else {
            throw ConfigError(key: "clientid", "is missing; set it to your Discord application's id")
        }
        guard ActivityText.isDigits(rawID), rawID.utf8.count >= 17, rawID.utf8.count <= 20 else {
            throw ConfigError(key: "clientid", "must be the 17 to 20 digit application id")
        }
        guard let rawUsers = lookup("users") else {
            throw ConfigError(key: "users", "is missing; add at least one username and Discord token")
        }
        var settings = PluginSettings(clientID: rawID, users: try DiscordUser.parseList(rawUsers, only: onlyUser))
        if let url = lookup("gatewayurl").map(ActivityText.trimmed), !url.isEmpty {
            guard ActivityText.hasPrefix(url, "wss://") || ActivityText.hasPrefix(url, "ws://") else {
                throw ConfigError(key: "gatewayurl", "must start with wss:// or ws://")
            }
            settings.gatewayURL = withoutTrailingSlash(url)
        }
        if let url = lookup("apibaseurl").map(ActivityText.trimmed), !url.isEmpty {
            guard ActivityText.hasPrefix(url, "https://") || ActivityText.hasPrefix(url, "http://") else {
                throw ConfigError(key: "apibaseurl", "must start with https:// or http://")
            }
            settings.apiBaseURL = withoutTrailingSlash(url)
        }
        if case .connection = scope { return settings }


        if let name = lookup("activityname").map(ActivityText.trimmed), !name.isEmpty {
            let folded = ActivityText.asciiLowercased(name)
            if ActivityText.equal(folded, "default") {
                settings.activityName = .standard
            } else if ActivityText.equal(folded, "track") {
                settings.activityName = .track
            } else if ActivityText.equal(folded, "album") {
                settings.activityName = .album
            } else if ActivityText.equal(folded, "artist") {
                settings.activityName = .artist
            } else if ActivityText.equal(folded, "custom") {
                let template = lookup("activitynametemplate").map(ActivityText.trimmed) ?? ""
                if template.isEmpty {
                    settings.warnings.append("configuration key 'activitynametemplate': is empty while 'activityname' is Custom; using Default")
                } else {
                    settings.activityName = .custom(template: ActivityTemplate(template))
                }
            } else {
                settings.warnings.append("configuration key 'activityname': '\(name)' is not one of Default, Track, Album, Artist, Custom; using Default")
            }
        }
        if let text = lookup("statusdisplay").map(ActivityText.trimmed), !text.isEmpty {
            if let display = StatusDisplay(setting: text) {
                settings.statusDisplay = display
            } else {
                settings.warnings.append("configuration key 'statusdisplay': '\(text)' is not one of Name, State, Details; following 'activityname'")
            }
        }
        if let name = lookup("servername").flatMap(Activity.text) { settings.serverName = name }
        settings.defaultImageURL = settings.readURL("defaultimage", lookup)
        settings.overlay = settings.readFlag("overlay", lookup)
        settings.overlayImageURL = settings.readURL("overlayimage", lookup)
        if let text = lookup("detailstemplate").map(ActivityText.trimmed), !text.isEmpty { settings.detailsTemplate = ActivityTemplate(text) }
        if let text = lookup("statetemplate").map(ActivityText.trimmed), !text.isEmpty { settings.stateTemplate = ActivityTemplate(text) }
        if let text = lookup("largetexttemplate").map(ActivityText.trimmed), !text.isEmpty { settings.largeTextTemplate = ActivityTemplate(text) }
        let spotifyLinks = settings.readFlag("spotifylinks", lookup)
        if let text = lookup("links").map(ActivityText.trimmed), !text.isEmpty {
            if let links = ActivityLinks(setting: text) {
                settings.links = links
            } else {
                settings.warnings.append("configuration key 'links': '\(text)' is not one of MusicBrainz, ListenBrainz, Spotify, None; using MusicBrainz")
            }
        } else if spotifyLinks {
            settings.links = .spotify
        }
        settings.filter = try PrivacyFilter.read(lookup)
        if let text = lookup("filteraction").map(ActivityText.trimmed), !text.isEmpty {
            let folded = ActivityText.asciiLowercased(text)
            if ActivityText.equal(folded, "generic") {
                settings.filterAction = .generic
            } else if !ActivityText.equal(folded, "clear") {
                settings.warnings.append("configuration key 'filteraction': '\(text)' is not Clear or Generic; using Clear")
            }
        }
        settings.coverArtArchive = settings.readFlag("caaenabled", lookup)
        settings.uguuUpload = settings.readFlag("uguuenabled", lookup)
        if let players = lookup("ignoredplayers") {
            settings.ignoredPlayers = ActivityText.split(players, on: UInt8(ascii: ","))
        }
        if let text = lookup("pausetimeout").map(ActivityText.trimmed), !text.isEmpty {
            if let seconds = parseSeconds(text) {
                settings.pauseTimeoutSeconds = seconds
            } else {
                settings.warnings.append("configuration key 'pausetimeout': '\(text)' is not a whole number of seconds; using \(defaultPauseTimeoutSeconds)")
            }
        }
        return settings
    }

    init(clientID: String, users: [DiscordUser]) {
        self.clientID = clientID
        self.users = users
    }

    /// The configured user whose name matches `username` (ASCII case-insensitive).
    func user(named username: String) -> DiscordUser? {
        users.first { ActivityText.equalIgnoringASCIICase($0.username, username) }
    }

    /// The member-list line for `user`: theirs, else `statusdisplay`, else the track title with
    /// the `Default` activity name and the name itself otherwise.
    func statusDisplay(for user: DiscordUser) -> StatusDisplay {
        if let display = user.statusDisplay ?? statusDisplay { return display }
        if case .standard = activityName { return .details }
        return .name
    }

    /// What `user`'s presence shows of `track`: all of it, only that music plays, or nothing.
    func privacy(of track: TrackSummary, for user: DiscordUser) -> PrivacyFilter.Action? {
        guard filter.adding(user.filter).matches(track) else { return nil }
        return filterAction
    }

    /// Whether playback from `playerName` is ignored for `user` (global or per-user list).
    func ignores(player playerName: String, for user: DiscordUser) -> Bool {
        let folded = ActivityText.asciiLowercased(ActivityText.trimmed(playerName))
        if folded.isEmpty { return false }
        for name in ignoredPlayers + user.ignoredPlayers where ActivityText.equal(ActivityText.asciiLowercased(name), folded) {
            return true
        }
        return false
    }

    /// The gateway URL to open for a new session.
    var gatewayConnectURL: String { Self.connectURL(gatewayURL) }

    /// `<base>/?v=10&encoding=json` for a gateway or resume base URL.
    static func connectURL(_ base: String) -> String {
        withoutTrailingSlash(base) + "/?v=10&encoding=json"
    }

    /// Booleans arrive as "true"/"false" (Navidrome re-encodes JSON booleans) or as JSON
    /// booleans inside `users`.
    static func flag(_ value: JSONValue) -> Bool? {
        if let b = value.boolValue { return b }
        if let s = value.stringValue { return parseFlag(ActivityText.trimmed(s)) }
        return nil
    }

    static func parseFlag(_ text: String) -> Bool? {
        let folded = ActivityText.asciiLowercased(text)
        if ActivityText.equal(folded, "true") || ActivityText.equal(folded, "1") { return true }
        if ActivityText.equal(folded, "false") || ActivityText.equal(folded, "0") || folded.isEmpty { return false }
        return nil
    }

    mutating func readFlag(_ key: String, _ lookup: (String) -> String?) -> Bool {
        guard let text = lookup(key) else { return false }
        if let flag = Self.parseFlag(ActivityText.trimmed(text)) { return flag }
        warnings.append("configuration key '\(key)': '\(text)' is not true or false; using false")
        return false
    }

    /// An http(s) URL Discord accepts (at most 256 bytes), or `nil` with a warning.
    mutating func readURL(_ key: String, _ lookup: (String) -> String?) -> String? {
        guard let text = lookup(key).map(ActivityText.trimmed), !text.isEmpty else { return nil }
        if let url = ActivityText.limitedURL(text) { return url }
        warnings.append("configuration key '\(key)': is not an http(s) URL of at most \(ActivityText.maxURLLength) bytes; ignoring it")
        return nil
    }

    static func parseSeconds(_ text: String) -> Int? {
        ActivityText.withBytes(text) { bytes in
            var value = 0
            for b in bytes {
                guard b >= 0x30 && b <= 0x39, value < 100_000_000 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            return value
        }
    }

    static func withoutTrailingSlash(_ url: String) -> String {
        var bytes = Array(url.utf8)
        while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
