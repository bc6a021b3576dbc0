import Logging

/// A Navidrome host service as the runtime sees it: a set of functions in the import module
/// `extism:host/user`, each taking one JSON request and returning one JSON response.
///
/// The runtime registers a service's functions for a plugin only when the plugin's manifest
/// declares ``permission`` (services with no permission, such as Config, are always present).
/// A module that imports a function of an undeclared service fails to load, naming the service
/// and the missing permission.
public protocol HostService: Sendable {
    /// Navidrome's permission key that unlocks this service (`"cache"`, `"websocket"`, …), or
    /// `nil` for a service every plugin gets.
    var permission: String? { get }

    /// The import-name prefix of this service's functions (`"cache"` for `cache_setstring`).
    var functionPrefix: String { get }

    /// The functions this service offers to one loaded plugin, keyed by import name
    /// (`"cache_setstring"`). Called once per plugin load.
    func functions(for plugin: PluginContext) -> [String: HostFunction]

    /// The plugin was unloaded (disabled, replaced or removed): release what it held,
    /// e.g. close its connections and drop its schedules.
    func pluginUnloaded(_ pluginID: String) async
}

/// One host function: raw JSON request bytes in, raw JSON response bytes out.
///
/// It runs on the thread executing the plugin call. It may block, but only through
/// ``HostCallBridge`` (`wait` or `blocking`): that moves the export's next calls off the Swift
/// concurrency pool, where quick calls run (see ``CallExecutor``).
/// Failures are reported inside the response as `{"error":"…"}`, never thrown, exactly as
/// Navidrome does.
public typealias HostFunction = @Sendable (_ request: [UInt8]) -> [UInt8]

/// What a host service knows about the plugin it serves.
public struct PluginContext: Sendable {
    /// The plugin id: the `.ndp` file name without its extension.
    public let id: String
    /// The parsed permissions section of the manifest.
    public let permissions: PluginPermissions
    /// The plugin's validated configuration, flattened to strings as Navidrome does.
    public let config: [String: String]
    /// Which users the operator assigned to the plugin.
    public let access: PluginAccess
    /// Hosts the operator grants beyond the manifest's `requiredHosts` (same pattern syntax).
    public let extraHosts: [String]
    /// Calls an export of this plugin on a fresh instance (WebSocket and scheduler callbacks).
    public let callbacks: any PluginCallbacks
    /// Logger labelled with the plugin id.
    public let logger: Logger

    public init(
        id: String, permissions: PluginPermissions, config: [String: String], access: PluginAccess,
        extraHosts: [String], callbacks: any PluginCallbacks, logger: Logger
    ) {
        self.id = id
        self.permissions = permissions
        self.config = config
        self.access = access
        self.extraHosts = extraHosts
        self.callbacks = callbacks
        self.logger = logger
    }
}

/// Calls back into a loaded plugin. Each call runs on a fresh (pristine) instance.
public protocol PluginCallbacks: Sendable {
    /// Calls `export` with `input`; returns its output, or throws a ``PluginCallError``.
    /// Fails with `.pluginUnloaded` once the plugin is gone (callbacks of an unloaded plugin
    /// are dropped).
    func call(export: String, input: [UInt8]) async throws -> [UInt8]

    /// Whether the plugin exports `export`.
    func exports(_ export: String) -> Bool
}

/// A user known to Tonearm.
public struct TonearmUser: Sendable, Hashable {
    public let userName: String
    public let name: String
    public let isAdmin: Bool

    public init(userName: String, name: String, isAdmin: Bool) {
        self.userName = userName
        self.name = name
        self.isAdmin = isAdmin
    }
}

/// Which users a plugin may act for, as the operator configured it.
public struct PluginAccess: Sendable {
    /// Every user, present and future.
    public let allUsers: Bool
    /// Usernames assigned explicitly (case-insensitive), when not `allUsers`.
    public let users: [String]
    /// Whether admin users are included (default false).
    public let allowAdmins: Bool
    /// The directory the users come from.
    public let directory: any UserDirectory

    public init(allUsers: Bool, users: [String], allowAdmins: Bool, directory: any UserDirectory) {
        self.allUsers = allUsers
        self.users = users
        self.allowAdmins = allowAdmins
        self.directory = directory
    }

    /// The users assigned to the plugin, in directory order.
    public func assignedUsers() -> [TonearmUser] {
        directory.users().filter { isAssigned($0) }
    }

    /// Whether `user` is assigned to the plugin.
    public func isAssigned(_ user: TonearmUser) -> Bool {
        if user.isAdmin && !allowAdmins { return false }
        if allUsers { return true }
        let wanted = user.userName.lowercased()
        return users.contains { $0.lowercased() == wanted }
    }

    /// The assigned user with this username (case-insensitive), if any.
    public func assignedUser(named userName: String) -> TonearmUser? {
        let wanted = userName.lowercased()
        return assignedUsers().first { $0.userName.lowercased() == wanted }
    }
}

/// Where Tonearm's users come from (the configuration, and users seen in feeds).
public protocol UserDirectory: Sendable {
    func users() -> [TonearmUser]
}
