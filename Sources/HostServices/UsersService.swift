import PluginRuntime
import TonearmJSON

/// Navidrome's Users service: the users assigned to the plugin (`users_getusers`) and the
/// admins among them (`users_getadmins`). No ids, emails or passwords are exposed.
public struct UsersService: HostService {
    public let permission: String? = "users"
    public let functionPrefix = "users"

    public init() {}

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let access = plugin.access
        return [
            "users_getusers": hostFunction { _ in
                Self.response(access.assignedUsers())
            },
            "users_getadmins": hostFunction { _ in
                Self.response(access.assignedUsers().filter(\.isAdmin))
            },
        ]
    }

    public func pluginUnloaded(_ pluginID: String) async {}

    private static func response(_ users: [TonearmUser]) -> JSONResponse {
        var response = JSONResponse()
        response.set(
            "result",
            .array(users.map {
                .object([("userName", .string($0.userName)), ("name", .string($0.name)), ("isAdmin", .bool($0.isAdmin))])
            }))
        return response
    }
}
