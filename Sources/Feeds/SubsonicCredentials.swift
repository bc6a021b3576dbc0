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
                return [("u", username), ("p", Self.hexPrefix + Self.hex(Data(password.utf8)))]
            }
        }
    }

    /// What marks a hex-encoded password in `p` (`p=enc:<hex>`).
    static let hexPrefix = "enc:"

    /// The password a `p` parameter carries: plain, or `enc:` followed by its UTF-8 bytes in hex
    /// (as Navidrome reads it: `enc:` text that is not hex stays as it is).
    package static func password(fromParameter parameter: String) -> String {
        guard parameter.hasPrefix(hexPrefix) else { return parameter }
        let digits = Array(parameter.utf8.dropFirst(hexPrefix.utf8.count))
        guard digits.count % 2 == 0 else { return parameter }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return parameter }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
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
