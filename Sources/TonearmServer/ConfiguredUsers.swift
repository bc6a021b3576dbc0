import Feeds
import Foundation
import Logging
import PluginRuntime
import Synchronization
import TonearmJSON

/// Tonearm's users: those listed in `[[Users]]`, then anyone a feed reported playing who is not
/// listed, so that `AllUsers = true` plugins act for them too.
///
/// Whether a user first seen in a feed is an admin is unknown — `getNowPlaying` does not say —
/// so such a user counts as an admin (the safe side: a plugin with `AllowAdmins = false` does not
/// act for them) until the music server confirms otherwise through `getUser`
/// (``learnAdminRole(of:client:credentials:logger:)``; Subsonic servers answer it for other
/// users only to an admin account). To let such plugins act for a user the server will not
/// describe, list the user in `[[Users]]` with `IsAdmin = false`.
public final class ConfiguredUsers: UserDirectory {
    private struct Seen {
        var user: TonearmUser
        /// Whether the music server said whether the user is an admin.
        var confirmed: Bool
    }

    private let configured: [TonearmUser]
    private let seen = Mutex<[Seen]>([])

    init(_ users: [ServerConfiguration.UserSettings]) {
        configured = users.map {
            TonearmUser(userName: $0.name, name: $0.displayName.isEmpty ? $0.name : $0.displayName, isAdmin: $0.isAdmin)
        }
    }

    public func users() -> [TonearmUser] {
        configured + seen.withLock { $0.map(\.user) }
    }

    /// Records a username a feed reported, if it is not known yet, as a possible admin.
    /// - Returns: whether the user was new.
    @discardableResult
    func noteSeen(_ userName: String) -> Bool {
        let wanted = userName.lowercased()
        guard !configured.contains(where: { $0.userName.lowercased() == wanted }) else { return false }
        return seen.withLock { seen in
            guard !seen.contains(where: { $0.user.userName.lowercased() == wanted }) else { return false }
            seen.append(Seen(user: TonearmUser(userName: userName, name: userName, isAdmin: true), confirmed: false))
            return true
        }
    }

    /// Records what the music server said about a user first seen in a feed.
    func confirm(_ userName: String, isAdmin: Bool) {
        let wanted = userName.lowercased()
        seen.withLock { seen in
            guard let index = seen.firstIndex(where: { $0.user.userName.lowercased() == wanted }) else { return }
            let user = seen[index].user
            seen[index] = Seen(user: TonearmUser(userName: user.userName, name: user.name, isAdmin: isAdmin), confirmed: true)
        }
    }

    /// Whether the admin role of `userName` is known: listed in `[[Users]]`, or confirmed by the
    /// music server.
    func knowsAdminRole(of userName: String) -> Bool {
        let wanted = userName.lowercased()
        if configured.contains(where: { $0.userName.lowercased() == wanted }) { return true }
        return seen.withLock { $0.first { $0.user.userName.lowercased() == wanted }?.confirmed ?? false }
    }

    /// Asks the music server (`getUser`) whether `userName`, first seen in a feed, is an admin.
    /// When it does not say (the poller's account is not an admin, or the server fails), the
    /// user stays a possible admin, with a log line saying how to change that.
    func learnAdminRole(
        of userName: String, client: SubsonicClient, credentials: SubsonicCredentials, logger: Logger
    ) async {
        let reason: String
        do {
            let response = try await client.get(
                endpoint: "getUser", query: [("username", userName), ("f", "json")], as: credentials)
            switch Self.adminRole(fromGetUser: response.body) {
            case .success(let isAdmin):
                confirm(userName, isAdmin: isAdmin)
                logger.info("user seen playing", metadata: ["user": "\(userName)", "admin": "\(isAdmin)"])
                return
            case .failure(let problem):
                reason = problem.description
            }
        } catch {
            reason = "\(error)"
        }
        logger.warning(
            "user \(userName) is not in [[Users]] and the music server did not say whether they are an admin; plugins with AllowAdmins = false will not act for them until a [[Users]] entry (IsAdmin = false) lists them",
            metadata: ["user": "\(userName)", "getUser": "\(reason)"])
    }

    /// Why a `getUser` answer told nothing.
    struct RoleUnknown: Error, CustomStringConvertible {
        let description: String
    }

    /// `adminRole` from a JSON `getUser` answer (a JSON `true`/`false` or the strings
    /// `"true"`/`"false"`).
    static func adminRole(fromGetUser body: Data) -> Result<Bool, RoleUnknown> {
        guard let response = (try? JSONValue.parse(Array(body)))?["subsonic-response"]?.objectValue
        else { return .failure(RoleUnknown(description: "not a Subsonic JSON answer")) }
        if let error = response["error"]?.objectValue {
            func text(_ value: JSONValue?, _ absent: String) -> String {
                switch value {
                case .string(let text)?: text
                case let other?: other.goJSON
                case nil: absent
                }
            }
            return .failure(RoleUnknown(description: "error \(text(error["code"], "?")): \(text(error["message"], "no message"))"))
        }
        guard let user = response["user"]?.objectValue else {
            return .failure(RoleUnknown(description: "the answer had no user"))
        }
        switch user["adminRole"] {
        case .bool(let flag)?: return .success(flag)
        case .string(let text)? where text == "true" || text == "false": return .success(text == "true")
        default: return .failure(RoleUnknown(description: "the answer had no adminRole"))
        }
    }
}
