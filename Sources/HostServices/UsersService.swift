import NavidromeABI
import PluginRuntime

/// Navidrome's Users service: the users assigned to the plugin (`users_getusers`) and the
/// admins among them (`users_getadmins`). No ids, emails or passwords are exposed.
public struct UsersService: HostService {
    public let permission: String? = "users"
    public let functionPrefix = "users"

    public init() {}

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let access = plugin.access
        return hostFunctions(
            hostFunction(UsersGetUsersRequest.self) { _ in
                UsersGetUsersResponse(result: access.assignedUsers().map(Self.user))
            },
            hostFunction(UsersGetAdminsRequest.self) { _ in
                UsersGetAdminsResponse(result: access.assignedUsers().filter(\.isAdmin).map(Self.user))
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}

    private static func user(_ user: TonearmUser) -> User {
        User(userName: user.userName, name: user.name, isAdmin: user.isAdmin)
    }
}
