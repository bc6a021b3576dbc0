/// What the host sees of plugins' WebSocket traffic, for the console's live views (the Discord
/// presence preview). Called on the connection's own path, so an observer must return quickly;
/// it sees frames a plugin sends, which may hold credentials (a Discord Identify carries the
/// token): an observer keeps only what it shows.
public protocol WebSocketObserver: Sendable {
    /// Connection `connection` of plugin `plugin` finished its handshake.
    func connectionOpened(plugin: String, connection: String)
    /// The plugin sent a text message on the connection.
    func textSent(plugin: String, connection: String, message: String)
    /// The connection ended: `code` is the close code (1006 when it dropped without one).
    func connectionClosed(plugin: String, connection: String, code: Int, reason: String)
    /// The plugin was unloaded: every connection it had is closed.
    func pluginUnloaded(plugin: String)
}
