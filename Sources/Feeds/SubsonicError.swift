/// Why a Subsonic request failed. Messages name the server (with credentials redacted) and
/// the endpoint, never a password, token, salt or API key.
public enum SubsonicError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered `status:"failed"` with this Subsonic error code and message
    /// (e.g. 40 wrong username or password, 70 not found).
    case failed(endpoint: String, code: Int, message: String)
    /// The server answered an HTTP error without a Subsonic body.
    case httpStatus(endpoint: String, status: Int, url: String)
    /// The body was not the Subsonic JSON expected.
    case invalidResponse(endpoint: String, reason: String)
    /// The server could not be reached (connection refused, timeout, TLS…).
    case unreachable(endpoint: String, url: String, reason: String)
    /// The configured server URL cannot be used.
    case invalidServerURL(String)
    /// The endpoint name is not a Subsonic method name (letters and digits only).
    case invalidEndpoint(String)
    /// The response body exceeded the client's limit.
    case responseTooLarge(endpoint: String, limit: Int)
    /// The server refused token authentication (Subsonic error `code`: 10 on Supysonic, 41 for
    /// LDAP users on Navidrome, 42) and the client may not send the password reversibly
    /// encoded (`SubsonicClient`'s `allowsHexPassword` is false).
    case tokenAuthenticationRefused(url: String, user: String, code: Int, message: String)

    /// The Subsonic error code, when the server sent one.
    public var code: Int? {
        switch self {
        case .failed(_, let code, _), .tokenAuthenticationRefused(_, _, let code, _): code
        default: nil
        }
    }

    /// Whether the server said the credentials are wrong (codes 40, 41, 42, 43, 44).
    public var isAuthenticationFailure: Bool {
        guard let code else { return false }
        return (40...44).contains(code)
    }

    public var description: String {
        switch self {
        case .failed(let endpoint, let code, let message):
            "Subsonic \(endpoint) failed: error \(code): \(message)"
        case .httpStatus(let endpoint, let status, let url):
            "Subsonic \(endpoint) failed: HTTP \(status) from \(url)"
        case .invalidResponse(let endpoint, let reason):
            "Subsonic \(endpoint) returned an invalid response: \(reason)"
        case .unreachable(let endpoint, let url, let reason):
            "Subsonic server unreachable (\(endpoint) at \(url)): \(reason)"
        case .invalidServerURL(let reason):
            "invalid Subsonic server URL: \(reason)"
        case .invalidEndpoint(let endpoint):
            "invalid Subsonic endpoint \"\(endpoint)\": expected a method name such as getSong"
        case .responseTooLarge(let endpoint, let limit):
            "Subsonic \(endpoint) response is larger than \(limit) bytes"
        case .tokenAuthenticationRefused(let url, let user, let code, let message):
            "Subsonic server \(url) does not accept token authentication for \(user) (error \(code): \(message)); "
                + "Tonearm sends a password reversibly hex-encoded (p=enc:…) only when the operator allows it: "
                + "set AllowHexPassword = true under [Subsonic] in tonearm.toml, or use an API key"
        }
    }
}
