import NavidromeJSON

/// A Navidrome user assigned to the plugin (``TestHost/users``; `users_getusers`,
/// `users_getadmins`).
public struct TestUser: Sendable, Equatable {
    public var userName: String
    public var name: String
    public var isAdmin: Bool

    public init(userName: String, name: String = "", isAdmin: Bool = false) {
        self.userName = userName
        self.name = name.isEmpty ? userName : name
        self.isAdmin = isAdmin
    }
}

extension HostState {
    mutating func handleUsers(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        let listed: [TestUser]
        switch function {
        case "users_getusers": listed = users
        case "users_getadmins": listed = users.filter(\.isAdmin)
        default: throw HostError.noAnswer(function)
        }
        guard !listed.isEmpty else { return }
        response.set("result", .array(listed.map { user in
            var json = JSONObjectWriter()
            json.set("userName", user.userName)
            json.set("name", user.name)
            json.set("isAdmin", user.isAdmin)
            return .object(json.object)
        }))
    }
}
