import TonearmJSON

/// How the plugin runtime runs plugins: the plugin parts of `tonearm.toml` (`DataFolder`,
/// `[Plugins]`, `[Plugins.<id>]`, `[PluginSettings.<id>]`), which the daemon's configuration
/// reader (`TonearmConfiguration` in TonearmServer) fills. The runtime reads no file itself.
public struct PluginHostConfiguration: Sendable {
    public var dataFolder: String
    /// `.ndp` files; the plugin id is the file name.
    public var pluginsFolder: String
    /// Per-call deadline, seconds.
    public var callTimeout: Double
    /// CPU time of one call after which its plugin goes to the background, seconds (see
    /// ``PluginLimits/heavyCallCPU``).
    public var heavyCallCPU: Double
    /// Per-instance memory cap (plugin linear memory and kernel memory, each), bytes.
    public var memoryLimit: Int
    /// Whether added, replaced and removed files are picked up while running.
    public var autoReload: Bool
    /// Requests one client address may make to plugin endpoints per ``endpointRequestWindow``;
    /// 0 turns the limit off (Navidrome's `Plugins.EndpointRequestLimit`).
    public var endpointRequestLimit: Int
    /// The window of ``endpointRequestLimit``, seconds.
    public var endpointRequestWindow: Double
    /// `[Plugins.<id>]` tables.
    public var plugins: [String: PluginOptions]
    /// `[PluginSettings.<id>]` tables, unvalidated (see ``ConfigSchema``).
    public var pluginSettings: [String: [String: JSONValue]]

    /// The defaults: `./data`, `./plugins`, 30 s, 0.5 s, 128 MiB, auto-reload on, 60 endpoint
    /// requests a minute per address.
    public init(
        dataFolder: String = "./data", pluginsFolder: String = "./plugins", callTimeout: Double = 30,
        heavyCallCPU: Double = 0.5, memoryLimit: Int = 128 * 1024 * 1024, autoReload: Bool = true,
        endpointRequestLimit: Int = 60, endpointRequestWindow: Double = 60, plugins: [String: PluginOptions] = [:],
        pluginSettings: [String: [String: JSONValue]] = [:]
    ) {
        self.dataFolder = dataFolder
        self.pluginsFolder = pluginsFolder
        self.callTimeout = callTimeout
        self.heavyCallCPU = heavyCallCPU
        self.memoryLimit = memoryLimit
        self.autoReload = autoReload
        self.endpointRequestLimit = endpointRequestLimit
        self.endpointRequestWindow = endpointRequestWindow
        self.plugins = plugins
        self.pluginSettings = pluginSettings
    }

    /// The options for plugin `id` (defaults when it has no `[Plugins.<id>]` table).
    public func options(for id: String) -> PluginOptions { plugins[id] ?? PluginOptions() }
}

/// What the operator configured for one plugin in `[Plugins.<id>]`.
public struct PluginOptions: Sendable, Equatable {
    /// Usernames assigned to the plugin (case-insensitive).
    public var users: [String] = []
    /// Every user, present and future.
    public var allUsers = false
    /// Whether admin users are included.
    public var allowAdmins = false
    /// Hosts granted beyond the manifest's `requiredHosts` (same pattern syntax).
    public var extraHosts: [String] = []

    public init(users: [String] = [], allUsers: Bool = false, allowAdmins: Bool = false, extraHosts: [String] = []) {
        self.users = users
        self.allUsers = allUsers
        self.allowAdmins = allowAdmins
        self.extraHosts = extraHosts
    }
}
