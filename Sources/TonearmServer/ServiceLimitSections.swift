import HostServices

extension HostServiceLimits {
    /// The host-service bounds of `[Plugins]` (see ``PluginHostConfiguration/init(reading:)``):
    /// `MaxWebSocketConnections` (1 to 1,000,000) and `MaxSchedules` (1 to 10,000,000). A server
    /// for more than a thousand Discord users raises both: one connection and up to three
    /// schedules per user.
    init(reading root: ConfigurationTable) throws(ConfigurationError) {
        self.init()
        guard case .table(let table)? = root.raw("Plugins") else { return }
        for (key, item) in table {
            switch key.lowercased() {
            case "maxwebsocketconnections":
                guard case .int(let count) = item, count >= 1, count <= 1_000_000 else {
                    throw root.fail("Plugins.MaxWebSocketConnections must be a whole number between 1 and 1000000")
                }
                maxWebSocketConnections = count
            case "maxschedules":
                guard case .int(let count) = item, count >= 1, count <= 10_000_000 else {
                    throw root.fail("Plugins.MaxSchedules must be a whole number between 1 and 10000000")
                }
                maxSchedules = count
            default:
                break
            }
        }
    }
}
