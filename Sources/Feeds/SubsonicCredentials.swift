import Crypto
import Foundation

/// How one user signs in to the upstream Subsonic server. Tonearm keeps one per username,
/// since forwarding a plugin's Subsonic call must authenticate as that user.
public struct SubsonicCredentials: Sendable, Hashable, CustomStringConvertible {
    public enum Secret: Sendable, Hashable {
        /// Sent as token and salt (`t` = md5(password + salt), `s` a fresh random salt per
        /// request); for servers without token auth (e.g. Supysonic), as `p=enc:<hex>`, only
        /// when the client allows it (`SubsonicClient`'s `allowsHexPassword`).
        case password(String)
        /// The OpenSubsonic `apiKey` extension; no `u` is sent.
        case apiKey(String)
    }

    public var username: String
    public var secret: Secret

    public init(username: String, password: String) {
        self.username = username
        self.secret = .password(password)
    }

    public init(username: String, apiKey: String) {
        self.username = username
        self.secret = .apiKey(apiKey)
    }

    /// Names the user and the kind of secret, never the secret.
    public var description: String {
        switch secret {
        case .password: "\(username) (password)"
        case .apiKey: "\(username) (apiKey)"
        }
    }

    /// How a password is put on the wire.
    enum PasswordMode: Sendable {
        case token
        case hexEncoded
    }

    /// The authentication query items for one request.
    func queryItems(mode: PasswordMode) -> [(String, String)] {
        switch secret {
        case .apiKey(let key):
            return [("apiKey", key)]
        case .password(let password):
            switch mode {
            case .token:
                let salt = Self.randomSalt()
                return [("u", username), ("t", Self.token(password: password, salt: salt)), ("s", salt)]
            case .hexEncoded:
                return [("u", username), ("p", "enc:" + Self.hex(Data(password.utf8)))]
            }
        }
    }

    /// The Subsonic token: hex md5(password + salt).
    package static func token(password: String, salt: String) -> String {
        hex(Insecure.MD5.hash(data: Data((password + salt).utf8)))
    }

    static func randomSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return hex(bytes)
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
