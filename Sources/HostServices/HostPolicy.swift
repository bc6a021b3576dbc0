import Foundation

/// Which hosts a plugin may reach: the manifest's `requiredHosts` patterns plus hosts the
/// operator grants. Patterns are Navidrome's: `*` (any host), an exact host name, or
/// `*.example.com` (any subdomain at any depth, but not `example.com` itself). Hosts compare
/// without their port, ignoring ASCII case and a trailing dot, and IP literals in their
/// canonical form (`127.1` is `127.0.0.1`).
///
/// Only the operator can open the host's own networks to a plugin: unless a host matches an
/// operator grant, every address it resolves to must be public — not loopback, private,
/// link-local, carrier-grade NAT, unique-local, unspecified, multicast or reserved, nor an
/// IPv6 form embedding such an IPv4 address. The check runs on the resolved addresses at connect
/// time (see ``destination(for:resolver:)``), and the connection goes to the checked address.
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

    /// How a host passed the name check.
    enum Access: Equatable {
        /// An operator grant: connect by name, to any address.
        case granted
        /// Allowed by the manifest: every resolved address must be public.
        case publicOnly
    }

    /// Checks the host name against the patterns; throws a ``HostServiceError`` naming the host
    /// and the reason it is refused. A literal address or `localhost` that is not public is
    /// refused here already unless granted.
    func check(host rawHost: String) throws -> Access {
        let host = Self.normalize(rawHost)
        guard !host.isEmpty else { throw HostServiceError("URL has no host") }
        if granted.contains(where: { Self.matches(pattern: $0, host: host) }) { return .granted }
        if !required.isEmpty {
            guard required.contains(where: { Self.matches(pattern: $0, host: host) }) else {
                throw HostServiceError(
                    "host \"\(host)\" is not allowed: it matches no entry of permissions.\(permission).requiredHosts "
                        + "(\(required.joined(separator: ", ")))")
            }
        } else if !emptyMeansPublic {
            throw HostServiceError(
                "host \"\(host)\" is not allowed: permissions.\(permission).requiredHosts is empty")
        }
        if host == "localhost" || host.hasSuffix(".localhost") {
            throw refusal(host, kind: "loopback")
        }
        if let literal = IPAddress(literal: host), let kind = literal.nonPublicKind {
            throw refusal(host, kind: kind)
        }
        return .publicOnly
    }

    /// Checks `host` and, unless the operator granted it, the addresses it resolves to.
    /// Returns the address to connect to, or `nil` to connect by name (granted hosts).
    func destination(for rawHost: String, resolver: HostResolver) async throws -> IPAddress? {
        guard try check(host: rawHost) == .publicOnly else { return nil }
        let host = Self.normalize(rawHost)
        if let literal = IPAddress(literal: host) { return literal }
        let addresses = try await resolver.lookup(host)
        for address in addresses {
            guard let kind = address.nonPublicKind else { continue }
            if granted.contains(where: { Self.normalize($0) == address.description }) { continue }
            throw refusal(host, kind: kind, resolvedTo: address)
        }
        guard let first = addresses.first else { throw HostServiceError("could not resolve host \"\(host)\": no addresses") }
        return first
    }

    private func refusal(_ host: String, kind: String, resolvedTo address: IPAddress? = nil) -> HostServiceError {
        let article = "aeiouAEIOU".contains(kind.first ?? "x") ? "an" : "a"
        let what = address.map { "it resolves to \($0), \(article) \(kind) address" } ?? "it is \(article) \(kind) address"
        return HostServiceError(
            "host \"\(host)\" is not allowed: \(what); loopback and private addresses need an operator grant "
                + "(ExtraHosts in the plugin's section of tonearm.toml)")
    }

    /// Lower-cased, without brackets or one trailing dot; IP literals in canonical form.
    static func normalize(_ host: String) -> String {
        var h = host.lowercased()
        if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        if h.hasSuffix("."), h.count > 1 { h.removeLast() }
        if let literal = IPAddress(literal: h) { return literal.description }
        return h
    }

    static func matches(pattern rawPattern: String, host: String) -> Bool {
        let pattern = rawPattern == "*" ? "*" : normalize(rawPattern)
        if pattern == "*" || pattern == host { return true }
        if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst()) }
        return false
    }
}
