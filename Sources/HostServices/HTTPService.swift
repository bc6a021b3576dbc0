import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NavidromeABI
import PluginRuntime

/// Navidrome's HTTP service (`http_send`): outgoing HTTP(S) requests to allowed hosts only.
///
/// Hosts must match `permissions.http.requiredHosts` or an operator grant; an empty list allows
/// any public host. Redirects are followed
/// here (at most 5 requests, as Navidrome), re-checking every hop against the same policy.
/// A response body larger than ``Limits/maxResponseBytes`` is an error (Navidrome truncates).
/// Unless the operator granted the host, the connection goes only to an address that passed
/// ``HostPolicy``'s public-address check (see there).
public final class HTTPService: HostService {
    public struct Limits: Sendable {
        /// Timeout of one `http_send` (all hops) when the request sets no `timeoutMs`.
        public var defaultTimeout: Duration
        /// Largest response body returned to a plugin.
        public var maxResponseBytes: Int

        public init(defaultTimeout: Duration = .seconds(10), maxResponseBytes: Int = 10 << 20) {
            self.defaultTimeout = defaultTimeout
            self.maxResponseBytes = maxResponseBytes
        }
    }

    public let permission: String? = "http"
    public let functionPrefix = "http"

    /// Requests made per `http_send`, redirects included.
    static let maxRequests = 5
    /// Headers not forwarded when a redirect leaves the original host (as Go's client does).
    static let credentialHeaders: Set<String> = ["authorization", "cookie", "www-authenticate", "proxy-authorization"]

    /// Client for operator-granted hosts (connected by name); checked hosts get a client pinned
    /// to their checked address for one request.
    private let client: HTTPClient
    private let configuration: HTTPClient.Configuration
    private let limits: Limits
    private let pluginLimits: HostServiceLimits
    private let resolver: HostResolver

    /// - Parameters:
    ///   - limits: default timeout and response cap.
    ///   - pluginLimits: the largest timeout a plugin may ask for (``HostServiceLimits/maxHTTPTimeout``).
    public convenience init(limits: Limits = Limits(), pluginLimits: HostServiceLimits = HostServiceLimits()) {
        self.init(limits: limits, pluginLimits: pluginLimits, resolver: .system)
    }

    init(limits: Limits, pluginLimits: HostServiceLimits, resolver: HostResolver) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // A refused connection fails at once, as in Navidrome, instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.limits = limits
        self.pluginLimits = pluginLimits
        self.resolver = resolver
    }

    /// Shuts the shared HTTP client down; call once when the host stops.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let policy = HostPolicy(
            required: plugin.permissions.httpRequiredHosts, granted: plugin.extraHosts, emptyMeansPublic: true,
            permission: "http")
        let logger = plugin.logger
        let maxTimeout = pluginLimits.maxHTTPTimeout
        let defaultTimeout = limits.defaultTimeout
        return hostFunctions(
            hostFunction(HTTPSendRequest.self) { request in
                let outgoing = try OutgoingRequest(request.request, defaultTimeout: defaultTimeout, maxTimeout: maxTimeout)
                let result = try HostCallBridge.wait { [self] in try await send(outgoing, policy: policy, logger: logger) }
                return HTTPSendResponse(result: result)
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}

    /// Sends one request (following redirects) under `policy`. Cancelling the calling task stops
    /// the lookup, connection and transfer.
    func send(_ request: OutgoingRequest, policy: HostPolicy, logger: Logger) async throws -> HTTPResponse {
        let transport = Transport(
            shared: client, configuration: configuration, resolver: resolver, limits: limits, logger: logger)
        return try await transport.send(request, policy: policy)
    }

    struct OutgoingRequest: Sendable {
        var method: String
        var url: URL
        var headers: [String: String]
        var body: [UInt8]
        var timeout: Duration
        var followRedirects: Bool

        /// - Parameters:
        ///   - defaultTimeout: used when `timeoutMs` is 0 or negative (as Navidrome).
        ///   - maxTimeout: a larger `timeoutMs` is clamped to it.
        init(_ r: HTTPRequest, defaultTimeout: Duration, maxTimeout: Duration) throws {
            let method = r.method.uppercased()
            self.method = method.isEmpty ? "GET" : method
            guard let url = URL(string: r.url), url.host != nil else {
                throw HostServiceError("invalid URL \"\(r.url)\"")
            }
            self.url = url
            headers = r.headers
            body = r.body
            timeout = r.timeoutMs > 0 ? min(.milliseconds(Int64(r.timeoutMs)), maxTimeout) : defaultTimeout
            followRedirects = !r.noFollowRedirects
        }
    }

    /// One response with its body read (or the reason it could not be).
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Result<[UInt8], HostServiceError>
    }

    /// Sends requests for one plugin. Everything it awaits honours task cancellation: when the
    /// plugin call ends, the lookup, connection and transfer stop with it.
    struct Transport: Sendable {
        let shared: HTTPClient
        let configuration: HTTPClient.Configuration
        let resolver: HostResolver
        let limits: Limits
        let logger: Logger

        func send(_ original: OutgoingRequest, policy: HostPolicy) async throws -> HTTPResponse {
            let deadline = NIODeadline.now() + .nanoseconds(original.timeout.clampedNanoseconds)
            var current = original
            let originalHost = HostPolicy.normalize(original.url.host ?? "")
            for attempt in 1...maxRequests {
                guard let scheme = current.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                    throw HostServiceError("unsupported URL scheme \"\(current.url.scheme ?? "")\": only http and https are allowed")
                }
                let host = current.url.host ?? ""
                let pinned = try await policy.destination(for: host, resolver: resolver)
                let reply = try await exchange(current, pinnedTo: pinned, deadline: deadline, timeout: original.timeout)
                let isRedirect = [301, 302, 303, 307, 308].contains(reply.status)
                if isRedirect, current.followRedirects, attempt < maxRequests,
                    let location = reply.headers.first(name: "location"),
                    let next = URL(string: location, relativeTo: current.url)?.absoluteURL
                {
                    if reply.status == 301 || reply.status == 302 || reply.status == 303, current.method != "HEAD" {
                        current.method = "GET"
                        current.body = []
                        current.headers = current.headers.filter { $0.key.lowercased() != "content-type" }
                    }
                    if HostPolicy.normalize(next.host ?? "") != originalHost {
                        current.headers = current.headers.filter { !credentialHeaders.contains($0.key.lowercased()) }
                    }
                    current.url = next
                    continue
                }
                let body = try reply.body.get()
                var headers: [String: String] = [:]
                for header in reply.headers {
                    let key = canonicalHeaderKey(header.name)
                    if headers[key] == nil { headers[key] = header.value }
                }
                return HTTPResponse(statusCode: Int32(reply.status), headers: headers, body: body)
            }
            throw HostServiceError("too many redirects")
        }

        /// One request: to a granted host through the shared client, otherwise through a client
        /// whose only name-to-address mapping is the checked address (the `Host` header and TLS
        /// server name stay the URL's host).
        private func exchange(
            _ request: OutgoingRequest, pinnedTo pinned: IPAddress?, deadline: NIODeadline, timeout: Duration
        ) async throws -> Reply {
            let urlHost = trimmedBrackets(request.url.host ?? "")
            guard let pinned, urlHost != pinned.description else {
                return try await exchange(request, client: shared, deadline: deadline, timeout: timeout)
            }
            var configuration = configuration
            configuration.dnsOverride = [urlHost: pinned.description]
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            let reply: Result<Reply, any Error>
            do {
                reply = .success(try await exchange(request, client: client, deadline: deadline, timeout: timeout))
            } catch {
                reply = .failure(error)
            }
            try? await client.shutdown()
            return try reply.get()
        }

        private func trimmedBrackets(_ host: String) -> String {
            host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        }

        private func exchange(
            _ request: OutgoingRequest, client: HTTPClient, deadline: NIODeadline, timeout: Duration
        ) async throws -> Reply {
            let host = request.url.host ?? ""
            var outgoing = HTTPClientRequest(url: request.url.absoluteString)
            outgoing.method = HTTPMethod(rawValue: request.method)
            for (name, value) in request.headers { outgoing.headers.replaceOrAdd(name: name, value: value) }
            if !request.body.isEmpty { outgoing.body = .bytes(request.body) }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(outgoing, deadline: deadline, logger: logger)
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
                || error == .connectTimeout
            {
                throw HostServiceError("request to \(host) timed out after \(timeout)")
            } catch {
                try Self.checkCancellation(host)
                throw HostServiceError("request to \(host) failed: \(error)")
            }
            var body: [UInt8] = []
            var failure: HostServiceError?
            do {
                for try await chunk in response.body {
                    body.append(contentsOf: chunk.readableBytesView)
                    if body.count > limits.maxResponseBytes {
                        failure = HostServiceError(
                            "response body from \(host) exceeds the limit of \(limits.maxResponseBytes) bytes")
                        break
                    }
                }
            } catch {
                try Self.checkCancellation(host)
                failure = HostServiceError("reading the response from \(host) failed: \(error)")
            }
            // A cancelled body stream may just end: never hand back a cut-off body as complete.
            try Self.checkCancellation(host)
            return Reply(
                status: Int(response.status.code), headers: response.headers,
                body: failure.map { .failure($0) } ?? .success(body))
        }

        private static func checkCancellation(_ host: String) throws {
            if Task.isCancelled { throw HostServiceError("request to \(host) cancelled: the plugin call ended") }
        }
    }

    /// Go's `CanonicalMIMEHeaderKey`: `content-type` → `Content-Type`.
    package static func canonicalHeaderKey(_ name: String) -> String {
        var upperNext = true
        var out = ""
        for c in name {
            out.append(upperNext ? Character(c.uppercased()) : Character(c.lowercased()))
            upperNext = c == "-"
        }
        return out
    }
}
