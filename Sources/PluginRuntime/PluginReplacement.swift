/// What installing a package over an installed plugin of the same id changes: the new package
/// inherits the old one's user grants and settings (tokens included), so `tonearm plugin install`
/// replaces a plugin only when asked (`--force`) and shows how its permissions change.
package struct PluginReplacement: Sendable, Equatable {
    /// Permissions the new manifest declares and the old one does not, sorted.
    package var addedPermissions: [String] = []
    package var removedPermissions: [String] = []
    package var addedHTTPHosts: [String] = []
    package var removedHTTPHosts: [String] = []
    package var addedWebSocketHosts: [String] = []
    package var removedWebSocketHosts: [String] = []
    /// `permissions.kvstore.maxSize` before and after, when it changes.
    package var kvStoreMaxSize: SizeChange?

    /// A setting before and after (`nil`: the default).
    package struct SizeChange: Sendable, Equatable {
        package var old: String?
        package var new: String?
    }

    /// The difference from `old` to `new`.
    package init(old: PluginPermissions, new: PluginPermissions) {
        func difference(_ from: [String], _ to: [String]) -> (added: [String], removed: [String]) {
            (Set(to).subtracting(from).sorted(), Set(from).subtracting(to).sorted())
        }
        (addedPermissions, removedPermissions) = difference(Array(old.declared), Array(new.declared))
        (addedHTTPHosts, removedHTTPHosts) = difference(old.httpRequiredHosts, new.httpRequiredHosts)
        (addedWebSocketHosts, removedWebSocketHosts) = difference(old.webSocketRequiredHosts, new.webSocketRequiredHosts)
        if old.kvStoreMaxSize != new.kvStoreMaxSize { kvStoreMaxSize = SizeChange(old: old.kvStoreMaxSize, new: new.kvStoreMaxSize) }
    }

    /// Whether the new package asks for anything the old one did not have.
    package var widensAccess: Bool {
        !addedPermissions.isEmpty || !addedHTTPHosts.isEmpty || !addedWebSocketHosts.isEmpty || kvStoreMaxSize != nil
    }

    /// Whether the permissions are the same.
    package var isEmpty: Bool { !widensAccess && removedPermissions.isEmpty && removedHTTPHosts.isEmpty && removedWebSocketHosts.isEmpty }

    /// One line per change (`+ permission http`, `- http host api.example.com`, …), or a line
    /// saying nothing changes.
    package var lines: [String] {
        var lines: [String] = []
        lines += addedPermissions.map { "+ permission \($0)" }
        lines += removedPermissions.map { "- permission \($0)" }
        lines += addedHTTPHosts.map { "+ http host \($0)" }
        lines += removedHTTPHosts.map { "- http host \($0)" }
        lines += addedWebSocketHosts.map { "+ websocket host \($0)" }
        lines += removedWebSocketHosts.map { "- websocket host \($0)" }
        if let size = kvStoreMaxSize {
            lines.append("~ kvstore maxSize \(size.old ?? "default") → \(size.new ?? "default")")
        }
        return lines.isEmpty ? ["permissions unchanged"] : lines
    }

    /// What `install` does about an installed plugin of the same id.
    package enum Decision: Sendable, Equatable {
        /// No plugin of that id is installed.
        case install
        /// Replace it (`--force` was given); `changes` are printed.
        case replace(changes: PluginReplacement)
        /// Refuse: the message explains and shows the changes.
        case refuse(message: String)
    }

    /// Decides whether installing `new` as plugin `id` may go ahead: always when nothing of that
    /// id is installed (`old == nil`), else only with `force`. An installed package whose manifest
    /// cannot be read counts as granting nothing, so every new permission shows as added.
    package static func decide(id: String, old: PluginPermissions?, oldIsInstalled: Bool, new: PluginPermissions, force: Bool) -> Decision {
        guard oldIsInstalled else { return .install }
        let changes = PluginReplacement(old: old ?? PluginPermissions(), new: new)
        if force { return .replace(changes: changes) }
        var message = "plugin \"\(id)\" is already installed; the new package would keep its user grants and settings (tokens included)."
        message += "\npermission changes:\n" + changes.lines.map { "  " + $0 }.joined(separator: "\n")
        message += "\nrun again with --force to replace it"
        return .refuse(message: message)
    }
}
