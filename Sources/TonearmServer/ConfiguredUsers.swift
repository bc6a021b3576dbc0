import PluginRuntime
import Synchronization

/// Tonearm's users: those listed in `[[Users]]`, then anyone a feed reported playing who is not
/// listed (as a non-admin user), so that `AllUsers = true` plugins act for them too.
public final class ConfiguredUsers: UserDirectory {
    private let configured: [TonearmUser]
    private let seen = Mutex<[TonearmUser]>([])

    init(_ users: [ServerConfiguration.UserSettings]) {
        configured = users.map {
            TonearmUser(userName: $0.name, name: $0.displayName.isEmpty ? $0.name : $0.displayName, isAdmin: $0.isAdmin)
        }
    }

    public func users() -> [TonearmUser] {
        configured + seen.withLock { $0 }
    }

    /// Records a username a feed reported, if it is not known yet.
    func noteSeen(_ userName: String) {
        let wanted = userName.lowercased()
        guard !configured.contains(where: { $0.userName.lowercased() == wanted }) else { return }
        seen.withLock { seen in
            guard !seen.contains(where: { $0.userName.lowercased() == wanted }) else { return }
            seen.append(TonearmUser(userName: userName, name: userName, isAdmin: false))
        }
    }
}
