import PluginRuntime

/// What the dispatcher needs from the plugin host: which Scrobbler plugins act for a user,
/// and a way to call them. ``PluginManager`` is the real one.
protocol ScrobblerPluginHost: Sendable {
    /// Ids of loaded plugins with the Scrobbler capability to which `username` is assigned.
    func scrobblerPlugins(for username: String) -> [String]
    /// Calls `export` of `plugin` on a pristine instance; while every call slot of the plugin is
    /// taken, the call waits as if it had queued at `queuedSince` (nil: now).
    func call(
        plugin: String, export: String, input: [UInt8], queuedSince: ContinuousClock.Instant?
    ) async throws(PluginCallError) -> [UInt8]
}

extension PluginManager: ScrobblerPluginHost {
    func scrobblerPlugins(for username: String) -> [String] {
        plugins(withCapability: .scrobbler).filter { id in
            loadedPlugin(id)?.context.access.assignedUser(named: username) != nil
        }
    }

    func call(
        plugin: String, export: String, input: [UInt8], queuedSince: ContinuousClock.Instant?
    ) async throws(PluginCallError) -> [UInt8] {
        try await call(plugin: plugin, export: export, input: input, trace: nil, precedence: .queued(since: queuedSince))
    }
}
