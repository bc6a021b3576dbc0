import Foundation
import Hummingbird
import NIOCore

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The request context of Tonearm's HTTP server: Hummingbird's basics plus the address of the
/// client, for endpoints that answer clients on this machine differently (`/api/status`) and
/// for per-address limits.
struct TonearmRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's address; nil when the connection has none.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Whether the client connects from this machine (a loopback address).
    var isLoopback: Bool { Self.isLoopback(remoteAddress?.ipAddress) }

    /// Whether `ipAddress` is a loopback address: 127.0.0.0/8, `::1`, or 127.0.0.0/8 mapped into
    /// IPv6 (`::ffff:127.0.0.1`). False for nil and for anything that is not an IP address.
    static func isLoopback(_ ipAddress: String?) -> Bool {
        guard let ipAddress else { return false }
        var v4 = in_addr()
        if inet_pton(AF_INET, ipAddress, &v4) == 1 {
            return withUnsafeBytes(of: v4) { $0[0] } == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, ipAddress, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes == Array(repeating: 0, count: 15) + [1] { return true }
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
        return Array(bytes.prefix(12)) == mappedPrefix && bytes[12] == 127
    }
}
