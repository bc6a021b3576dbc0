/// The daemon's settings from `tonearm.toml`: every part but `DataFolder` and the plugin
/// sections (PluginSections.swift), which go to the plugin runtime's `PluginHostConfiguration`.
/// Every setting has a default, so an empty file — or none — is valid.
public struct ServerConfiguration: Sendable, Equatable {
    /// `trace`, `debug`, `info`, `warning` or `error`.
    public var logLevel: String = "info"

    /// `[Server]`: the HTTP server (artwork links, ListenBrainz API, health and status).
    public var address: String = "127.0.0.1"
    public var port: Int = 4534
    /// The base URL others (Discord's image proxy) use to reach this server; artwork links
    /// start with it. Empty: `http://<address>:<port>`.
    public var publicURL: String = ""
    /// Bearer token for operator endpoints; empty disables them.
    public var adminToken: String = ""

    /// `[Artwork]`: how long a signed artwork link stays valid, in seconds.
    public var artworkLinkLifetime: Double = 24 * 3600

    /// `[Subsonic]`: the upstream music server. Empty URL: no polling, no forwarding.
    public var subsonic: SubsonicSettings = SubsonicSettings()

    /// `[ListenBrainz]`: whether `/1/submit-listens` and `/1/validate-token` are served.
    public var listenBrainzEnabled: Bool = true

    /// `[[Users]]`: the people Tonearm acts for.
    public var users: [UserSettings] = []

    /// Set by `tonearm serve --demo` (never read from a file): the console offers a sign-in
    /// without a secret to clients on this machine, and a simulated listener plays.
    public var demo = false

    public init() {}

    /// The longest `Subsonic.PollInterval` accepted, in seconds (a day).
    public static let longestPollInterval: Double = 24 * 3600
    /// The longest `Artwork.LinkLifetime` accepted, in seconds (a year).
    public static let longestArtworkLinkLifetime: Double = 366 * 24 * 3600

    /// The upstream Subsonic/OpenSubsonic server.
    public struct SubsonicSettings: Sendable, Equatable {
        public var url: String = ""
        /// The account the poller uses for `getNowPlaying`.
        public var username: String = ""
        public var password: String = ""
        public var apiKey: String = ""
        public var pollInterval: Double = 5
        /// `Poll`: whether `getNowPlaying` is polled. Off, the server still completes pushed
        /// (ListenBrainz) tracks and answers the SubsonicAPI service, without a second feed of
        /// the same playback.
        public var poll: Bool = true
        /// `AllowHexPassword`: for a server without token authentication (Supysonic; LDAP users
        /// on Navidrome), send the password hex-encoded (`p=enc:<hex>`). That is reversible:
        /// anyone who sees the request URL (logs, proxies) has the password. Off by default;
        /// the server's refusal of token authentication is then an error naming this setting.
        public var allowHexPassword: Bool = false
        public init() {}
    }

    /// One user.
    public struct UserSettings: Sendable, Equatable {
        /// The username on the music server.
        public var name: String
        public var displayName: String
        public var isAdmin: Bool
        /// This user's upstream password or OpenSubsonic API key, for the SubsonicAPI host
        /// service (plugins never see them).
        public var password: String
        public var apiKey: String
        /// The token this user's player or server sends to Tonearm's ListenBrainz API.
        public var listenBrainzToken: String

        public init(
            name: String, displayName: String = "", isAdmin: Bool = false, password: String = "", apiKey: String = "",
            listenBrainzToken: String = ""
        ) {
            self.name = name
            self.displayName = displayName
            self.isAdmin = isAdmin
            self.password = password
            self.apiKey = apiKey
            self.listenBrainzToken = listenBrainzToken
        }
    }

    /// The effective public base URL, without a trailing slash.
    public var publicBaseURL: String {
        let base = publicURL.isEmpty ? "http://\(address):\(port)" : publicURL
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// Reads the daemon's settings; rejects unknown keys at the root and in its tables.
    init(reading root: ConfigurationTable) throws(ConfigurationError) {
        func fail(_ message: String) -> ConfigurationError { root.fail(message) }
        try root.rejectUnknownKeys([
            "DataFolder", "LogLevel", "Server", "Artwork", "Subsonic", "ListenBrainz", "Users", "Plugins",
            "PluginSettings",
        ])
        if let value = try root.string("LogLevel") {
            let levels = ["trace", "debug", "info", "warning", "error"]
            guard levels.contains(value.lowercased()) else {
                throw fail("LogLevel must be one of \(levels.joined(separator: ", ")); got \"\(value)\"")
            }
            logLevel = value.lowercased()
        }
        if let server = try root.table("Server") {
            try server.rejectUnknownKeys(["Address", "Port", "PublicURL", "AdminToken"])
            if let value = try server.string("Address") { address = value }
            if let value = try server.int("Port") {
                guard (0...65535).contains(value) else { throw fail("Server.Port must be 0…65535; got \(value)") }
                port = value
            }
            if let value = try server.string("PublicURL") {
                guard value.isEmpty || value.hasPrefix("http://") || value.hasPrefix("https://") else {
                    throw fail("Server.PublicURL must start with http:// or https://")
                }
                publicURL = value
            }
            if let value = try server.string("AdminToken") { adminToken = value }
        }
        if let artwork = try root.table("Artwork") {
            try artwork.rejectUnknownKeys(["LinkLifetime"])
            if let value = try artwork.seconds("LinkLifetime") {
                guard value >= 60, value <= Self.longestArtworkLinkLifetime else {
                    throw fail("Artwork.LinkLifetime must be from 1 minute to 366 days")
                }
                artworkLinkLifetime = value
            }
        }
        if let table = try root.table("Subsonic") {
            try table.rejectUnknownKeys(["URL", "Username", "Password", "APIKey", "Poll", "PollInterval", "AllowHexPassword"])
            if let value = try table.string("URL") {
                guard value.isEmpty || value.hasPrefix("http://") || value.hasPrefix("https://") else {
                    throw fail("Subsonic.URL must start with http:// or https://")
                }
                subsonic.url = value
            }
            if let value = try table.string("Username") { subsonic.username = value }
            if let value = try table.string("Password") { subsonic.password = value }
            if let value = try table.string("APIKey") { subsonic.apiKey = value }
            if let value = try table.bool("AllowHexPassword") { subsonic.allowHexPassword = value }
            if let value = try table.bool("Poll") { subsonic.poll = value }
            if let value = try table.seconds("PollInterval") {
                guard value >= 0.1, value <= Self.longestPollInterval else {
                    throw fail("Subsonic.PollInterval must be from 0.1 s to 24 h")
                }
                subsonic.pollInterval = value
            }
            if !subsonic.url.isEmpty && subsonic.username.isEmpty {
                throw fail("Subsonic.Username is required when Subsonic.URL is set")
            }
            if !subsonic.url.isEmpty && subsonic.password.isEmpty && subsonic.apiKey.isEmpty {
                throw fail("Subsonic.Password or Subsonic.APIKey is required when Subsonic.URL is set")
            }
        }
        if let table = try root.table("ListenBrainz") {
            try table.rejectUnknownKeys(["Enabled"])
            if let value = try table.bool("Enabled") { listenBrainzEnabled = value }
        }
        for table in try root.tables("Users") ?? [] {
            try table.rejectUnknownKeys(["Name", "DisplayName", "IsAdmin", "Password", "APIKey", "ListenBrainzToken"])
            guard let name = try table.string("Name"), !name.isEmpty else {
                throw fail("\(table.path).Name is required")
            }
            if users.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                throw fail("\(table.path).Name \"\(name)\" is listed twice")
            }
            let user = UserSettings(
                name: name, displayName: try table.string("DisplayName") ?? "", isAdmin: try table.bool("IsAdmin") ?? false,
                password: try table.string("Password") ?? "", apiKey: try table.string("APIKey") ?? "",
                listenBrainzToken: try table.string("ListenBrainzToken") ?? "")
            if !user.listenBrainzToken.isEmpty,
                users.contains(where: { $0.listenBrainzToken == user.listenBrainzToken })
            {
                throw fail("\(table.path).ListenBrainzToken is the same as another user's")
            }
            users.append(user)
        }
    }
}
