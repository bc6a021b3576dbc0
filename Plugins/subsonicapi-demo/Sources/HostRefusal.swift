import NavidromePDK

/// Turns a refused `subsonicapi_call` into a message that says who was refused, the host's own
/// reason, and what to change.
///
/// Reasons the hosts give (matched by their fixed part):
/// - Navidrome (`plugins/host_subsonicapi.go` `checkPermissions`): "no users configured for
///   plugin <id>", "username <u> not found", "user <u> is not authorized for this plugin";
///   `executeRequest`: "missing required parameter 'u' (username)".
/// - Tonearm additionally refuses an assigned admin unless the operator allows admins:
///   "user \"<u>\" is an admin and this plugin is not allowed to act for admin users".
enum HostRefusal {
    static func explain(_ error: PluginError, user: String, endpoint: String) -> PluginError {
        guard error.hostFunction != nil else { return error }
        let reason = error.message
        let hint: String
        if QueryText.contains(reason, "is an admin") {
            hint = "the host does not let this plugin act as an admin (Tonearm: AllowAdmins = true in [Plugins.<id>]); or set 'user' to a non-admin"
        } else if QueryText.contains(reason, "not authorized for this plugin") {
            hint = "assign '\(user)' to the plugin, or set 'user' to an assigned user"
        } else if QueryText.contains(reason, "no users configured") {
            hint = "assign at least one user to the plugin"
        } else if QueryText.contains(reason, "not found") {
            hint = "check the 'user' setting: there is no such user"
        } else {
            hint = "the host could not run the request"
        }
        return PluginError("Subsonic API refused \(endpoint) as '\(user)': \(reason) (\(hint))")
    }
}
