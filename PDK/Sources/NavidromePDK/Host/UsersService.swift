@_extern(wasm, module: "extism:host/user", name: "users_getusers") @_extern(c, "nd_host_users_getusers")
func nd_host_users_getusers(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "users_getadmins") @_extern(c, "nd_host_users_getadmins")
func nd_host_users_getadmins(_ request: Int64) -> Int64

/// A Navidrome user as the Users service exposes it.
public struct User: JSONDecodable {
    public var userName: String
    public var name: String
    public var isAdmin: Bool

    public init(json: JSONObjectReader) throws(JSONError) {
        userName = try json.string("userName")
        name = try json.string("name")
        isAdmin = try json.bool("isAdmin")
    }
}

/// Navidrome's Users service (permission `users`): the users assigned to the plugin.
public enum UsersService {
    public static func getUsers() throws(PluginError) -> [User] {
        let r = try HostCall.call("users_getusers", nd_host_users_getusers, JSONObjectWriter())
        return try HostCall.read("users_getusers") { () throws(JSONError) -> [User] in try r.array("result") }
    }

    public static func getAdmins() throws(PluginError) -> [User] {
        let r = try HostCall.call("users_getadmins", nd_host_users_getadmins, JSONObjectWriter())
        return try HostCall.read("users_getadmins") { () throws(JSONError) -> [User] in try r.array("result") }
    }
}
