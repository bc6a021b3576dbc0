import Console
import Feeds
import PluginRuntime

/// Who calls a plugin's HTTP endpoint, by the plugin's `permissions.endpoints.auth` — Navidrome's
/// authentication modes mapped to Tonearm's `[[Users]]`:
///
/// - `subsonic`: Subsonic credentials in the query (or a form body), checked as Navidrome's
///   `ValidateAuth` checks them — `u` with `p` (plain or `enc:`-hex) or with `t` = md5(password +
///   `s`) — against the user's `Password`; or the OpenSubsonic `apiKey` against a user's `ApiKey`.
/// - `native`: Navidrome takes its web UI's JWT (`X-ND-Authorization: Bearer …`); Tonearm has no
///   web login, so it takes the user's `ListenBrainzToken` there, or in
///   `Authorization: Bearer …` / `Authorization: Token …`.
/// - `none`: anyone.
///
/// I/O-free: the caller reads the request and answers the outcome.
enum EndpointAuthentication {
    enum Outcome: Equatable {
        /// `auth` is `none`: no user.
        case anonymous
        case user(ServerConfiguration.UserSettings)
        /// 401; the reason is for the log only (it never names a secret).
        case refused(String)
    }

    /// Authenticates a request with `parameters` (query, then form fields) and `header(name)`.
    static func authenticate(
        _ auth: EndpointsAuth, parameters: [(String, String)], header: (String) -> String?,
        users: [ServerConfiguration.UserSettings]
    ) -> Outcome {
        switch auth {
        case .none: .anonymous
        case .subsonic: subsonic(parameters, users)
        case .native: native(header, users)
        }
    }

    private static func subsonic(_ parameters: [(String, String)], _ users: [ServerConfiguration.UserSettings]) -> Outcome {
        func value(_ name: String) -> String? { parameters.first { $0.0 == name }?.1 }
        if let apiKey = value("apiKey"), !apiKey.isEmpty {
            guard value("u") == nil else { return .refused("apiKey given together with u") }
            let match = users.first { !$0.apiKey.isEmpty && ConstantTime.equal(Array($0.apiKey.utf8), Array(apiKey.utf8)) }
            return match.map { .user($0) } ?? .refused("unknown apiKey")
        }
        guard let username = value("u"), !username.isEmpty else { return .refused("no u parameter") }
        guard let user = users.first(where: { $0.name.lowercased() == username.lowercased() }) else {
            return .refused("user \(username) is not in [[Users]]")
        }
        guard !user.password.isEmpty else { return .refused("user \(user.name) has no Password in [[Users]]") }
        if let parameter = value("p"), !parameter.isEmpty {
            let password = SubsonicCredentials.password(fromParameter: parameter)
            return ConstantTime.equal(Array(password.utf8), Array(user.password.utf8))
                ? .user(user) : .refused("wrong password for \(user.name)")
        }
        if let token = value("t"), !token.isEmpty {
            let expected = SubsonicCredentials.token(password: user.password, salt: value("s") ?? "")
            return ConstantTime.equal(Array(token.lowercased().utf8), Array(expected.utf8))
                ? .user(user) : .refused("wrong token for \(user.name)")
        }
        if value("jwt") != nil { return .refused("jwt credentials are Navidrome's; Tonearm has none") }
        return .refused("no p, t or apiKey parameter")
    }

    private static func native(_ header: (String) -> String?, _ users: [ServerConfiguration.UserSettings]) -> Outcome {
        var token: Substring?
        if let value = header("X-ND-Authorization") {
            token = bearer(value, schemes: ["bearer"])
        } else if let value = header("Authorization") {
            token = bearer(value, schemes: ["bearer", "token"])
        }
        guard let token, !token.isEmpty else { return .refused("no X-ND-Authorization or Authorization token") }
        let match = users.first {
            !$0.listenBrainzToken.isEmpty && ConstantTime.equal(Array($0.listenBrainzToken.utf8), Array(token.utf8))
        }
        return match.map { .user($0) } ?? .refused("unknown token")
    }

    /// The credential of `<scheme> <credential>` when the scheme is one of `schemes`.
    private static func bearer(_ value: String, schemes: [String]) -> Substring? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, schemes.contains(parts[0].lowercased()) else { return nil }
        return parts[1].drop { $0 == " " }
    }
}
