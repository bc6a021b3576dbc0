import Foundation
import HostServices
import Hummingbird
import NIOCore

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
    /// IPv6 (`::ffff:127.0.0.1`). False for nil and for anything that is not an IP address in
    /// its usual form (as a socket reports it).
    static func isLoopback(_ ipAddress: String?) -> Bool {
        guard let ipAddress, let address = IPAddress(literal: ipAddress),
            address.isIPv4 ? ipAddress.split(separator: ".").count == 4 : true
        else { return false }
        return address.isLoopback
    }
}
