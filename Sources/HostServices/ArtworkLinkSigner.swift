import Crypto
import Foundation

/// The kinds of artwork a plugin can link to, with Navidrome's id prefixes.
public enum ArtworkKind: String, Sendable, CaseIterable {
    case artist = "ar"
    case album = "al"
    case track = "mf"
    case playlist = "pl"
}

/// What a verified artwork link asks for.
public struct ArtworkLink: Sendable, Equatable {
    public let kind: ArtworkKind
    public let id: String
    /// Requested edge length in pixels; 0 means the original size.
    public let size: Int
}

/// Why an artwork link was refused.
public enum ArtworkLinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The link is malformed or its signature does not match (tampered or foreign).
    case invalid(String)
    /// The link was valid but its lifetime has passed.
    case expired

    public var description: String {
        switch self {
        case .invalid(let why): "invalid artwork link: \(why)"
        case .expired: "artwork link expired"
        }
    }
}

/// Signs and verifies the expiring artwork links Tonearm hands to plugins:
/// `<publicBaseURL>/artwork/<kind>/<id>?size=N&exp=<unix seconds>&sig=<HMAC-SHA256, base64url>`.
///
/// The links carry no Subsonic credentials; Tonearm's HTTP server verifies them and fetches the
/// image from the upstream server itself.
public struct ArtworkLinkSigner: Sendable {
    /// Path segment under the public base URL where artwork is served.
    public static let pathPrefix = "artwork"

    private let secret: [UInt8]
    /// The externally reachable base URL of Tonearm's HTTP server (may include a path).
    public let publicBaseURL: URL
    /// How long a link stays valid.
    public let lifetime: Duration
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - secret: HMAC key; keep it stable across restarts so that handed-out links stay valid.
    ///   - publicBaseURL: base of the links, e.g. `https://tonearm.example.com`.
    ///   - lifetime: validity of a link (default 24 h).
    ///   - now: wall clock, injectable for tests.
    public init(
        secret: [UInt8], publicBaseURL: URL, lifetime: Duration = .seconds(24 * 3600),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.secret = secret
        self.publicBaseURL = publicBaseURL
        self.lifetime = lifetime
        self.now = now
    }

    /// A fresh random 32-byte secret.
    public static func randomSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A signed link to the artwork of `id`, valid for ``lifetime``; `size` ≤ 0 means original size.
    public func url(kind: ArtworkKind, id: String, size: Int) -> String {
        let size = max(size, 0)
        let expires = Int64(now().timeIntervalSince1970) + lifetime.components.seconds
        let signature = sign(kind: kind, id: id, size: size, expires: expires)
        var base = publicBaseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let encodedID = id.addingPercentEncoding(withAllowedCharacters: Self.pathSegmentCharacters) ?? id
        var query = ""
        if size > 0 { query += "size=\(size)&" }
        query += "exp=\(expires)&sig=\(signature)"
        return "\(base)/\(Self.pathPrefix)/\(kind.rawValue)/\(encodedID)?\(query)"
    }

    /// Verifies a link's parts as the HTTP server routes them: `kind` and `id` from the path
    /// (percent-decoded), `size`, `exp` and `sig` from the query.
    public func verify(kind kindText: String, id: String, query: [String: String]) throws(ArtworkLinkError) -> ArtworkLink {
        guard let kind = ArtworkKind(rawValue: kindText) else { throw .invalid("unknown artwork kind \"\(kindText)\"") }
        guard !id.isEmpty else { throw .invalid("missing id") }
        let sizeText = query["size"] ?? "0"
        guard let size = Int(sizeText), size >= 0 else { throw .invalid("bad size") }
        guard let expText = query["exp"], let expires = Int64(expText) else { throw .invalid("missing expiry") }
        guard let sigText = query["sig"], let signature = Self.base64URLDecode(sigText) else { throw .invalid("missing signature") }
        let message = Self.message(kind: kind, id: id, size: size, expires: expires)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: Array(message.utf8), using: SymmetricKey(data: secret)) else {
            throw .invalid("signature mismatch")
        }
        guard Int64(now().timeIntervalSince1970) <= expires else { throw .expired }
        return ArtworkLink(kind: kind, id: id, size: size)
    }

    /// Verifies a full link (for example one handed out by ``url(kind:id:size:)``).
    public func verify(url text: String) throws(ArtworkLinkError) -> ArtworkLink {
        guard let components = URLComponents(string: text) else { throw .invalid("not a URL") }
        let segments = components.path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 3, segments[segments.count - 3] == Self.pathPrefix[...] else {
            throw .invalid("not an artwork path")
        }
        let rawID = String(segments[segments.count - 1])
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] where query[item.name] == nil { query[item.name] = item.value ?? "" }
        return try verify(kind: String(segments[segments.count - 2]), id: rawID.removingPercentEncoding ?? rawID, query: query)
    }

    private static let pathSegmentCharacters: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "/?#")
        return set
    }()

    private static func message(kind: ArtworkKind, id: String, size: Int, expires: Int64) -> String {
        "\(kind.rawValue)\n\(id)\n\(size)\n\(expires)"
    }

    private func sign(kind: ArtworkKind, id: String, size: Int, expires: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(Self.message(kind: kind, id: id, size: size, expires: expires).utf8), using: SymmetricKey(data: secret))
        return Data(mac).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func base64URLDecode(_ text: String) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = s.count % 4
        if remainder != 0 { s += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: s)
    }
}
