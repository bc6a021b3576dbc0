import Foundation

/// Which hosts a plugin may reach: the manifest's `requiredHosts` patterns plus hosts the
/// operator grants. Patterns are Navidrome's: `*` (any host), an exact host name, or
/// `*.example.com` (any subdomain at any depth, but not `example.com` itself). Hosts compare
/// without their port and ignoring ASCII case.
struct HostPolicy: Sendable {
    /// `requiredHosts` from the manifest.
    let required: [String]
    /// Patterns the operator grants beyond the manifest.
    let granted: [String]
    /// Whether an empty `requiredHosts` means "any public host" (HTTP) rather than "nothing"
    /// (WebSocket).
    let emptyMeansPublic: Bool
    /// Name of the permission, for error messages (`"http"`, `"websocket"`).
    let permission: String

    /// Throws a ``HostServiceError`` naming the host and the reason it is refused.
    func check(host rawHost: String) throws {
        let host = Self.normalize(rawHost)
        guard !host.isEmpty else { throw HostServiceError("URL has no host") }
        if granted.contains(where: { Self.matches(pattern: $0, host: host) }) { return }
        if !required.isEmpty {
            if required.contains(where: { Self.matches(pattern: $0, host: host) }) { return }
            throw HostServiceError(
                "host \"\(host)\" is not allowed: it matches no entry of permissions.\(permission).requiredHosts "
                    + "(\(required.joined(separator: ", ")))")
        }
        guard emptyMeansPublic else {
            throw HostServiceError(
                "host \"\(host)\" is not allowed: permissions.\(permission).requiredHosts is empty")
        }
        if Self.isLocal(host) {
            throw HostServiceError(
                "host \"\(host)\" is not allowed: loopback and private addresses need an explicit entry in "
                    + "permissions.\(permission).requiredHosts or an operator grant")
        }
    }

    static func normalize(_ host: String) -> String {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        return h
    }

    static func matches(pattern rawPattern: String, host: String) -> Bool {
        let pattern = normalize(rawPattern)
        if pattern == "*" || pattern == host { return true }
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) }
        return false
    }

    /// `localhost`, or a literal loopback, private, link-local or unspecified IP (no DNS lookup).
    static func isLocal(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            let b = withUnsafeBytes(of: v4.s_addr) { Array($0) }
            return b[0] == 127 || b[0] == 10 || b[0] == 0
                || (b[0] == 172 && (16...31).contains(b[1]))
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let b = withUnsafeBytes(of: v6) { Array($0) }
            if b.allSatisfy({ $0 == 0 }) { return true }  // ::
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }  // ::1
            if b[0] & 0xFE == 0xFC { return true }  // fc00::/7
            if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return true }  // fe80::/10
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {  // ::ffff:a.b.c.d
                return isLocal("\(b[12]).\(b[13]).\(b[14]).\(b[15])")
            }
        }
        return false
    }
}
