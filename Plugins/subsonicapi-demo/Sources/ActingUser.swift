import NavidromePDK

/// Chooses the user the Subsonic API is called as.
///
/// A configured `user` is used as given: the host, not the plugin, decides whether the plugin
/// may act as that user (Navidrome: the user must be assigned to the plugin; Tonearm also
/// refuses admins unless the operator sets `AllowAdmins`). Without one, the plugin takes the
/// first assigned user from the Users service, preferring non-admins: a call made as an admin
/// can reach admin-only endpoints, which a digest does not need.
enum ActingUser {
    static func resolve(configured: String) throws(PluginError) -> String {
        if !configured.utf8.isEmpty { return configured }
        let users = try UsersService.getUsers()
        if let user = users.first(where: { !$0.isAdmin }) ?? users.first {
            return user.userName
        }
        throw PluginError("no user to call the Subsonic API as: assign users to the plugin or set 'user'")
    }
}
