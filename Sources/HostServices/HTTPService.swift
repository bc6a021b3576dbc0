import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PluginRuntime

/// Navidrome's HTTP service (`http_send`): outgoing HTTP(S) requests to allowed hosts only.
///
/// Hosts must match `permissions.http.requiredHosts` or an operator grant; an empty list allows
/// any public host but not `localhost` or literal loopback/private IPs. Redirects are followed
/// here (at most 5 requests, as Navidrome), re-checking every hop against the same policy.
/// A response body larger than ``Limits/maxResponseBytes`` is an error (Navidrome truncates).
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

    private let client: HTTPClient
    private let limits: Limits

    public init(limits: Limits = Limits()) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.limits = limits
    }

    /// Shuts the shared HTTP client down; call once when the host stops.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let policy = HostPolicy(
            required: plugin.permissions.httpRequiredHosts, granted: plugin.extraHosts, emptyMeansPublic: true,
            permission: "http")
        let client = self.client
        let limits = self.limits
        let logger = plugin.logger
        return [
            "http_send": hostFunction { request in
                let outgoing = try OutgoingRequest(try request.object("request"), defaultTimeout: limits.defaultTimeout)
                let result = try HostCallBridge.wait {
                    try await Self.send(outgoing, client: client, policy: policy, limits: limits, logger: logger)
                }
                var response = JSONResponse()
                response.set("result", result)
                return response
            }
        ]
    }

    public func pluginUnloaded(_ pluginID: String) async {}

    struct OutgoingRequest: Sendable {
        var method: String
        var url: URL
        var headers: [String: String]
        var body: [UInt8]
        var timeout: Duration
        var followRedirects: Bool

        init(_ r: JSONRequest, defaultTimeout: Duration) throws {
            let method = try r.string("method").uppercased()
            self.method = method.isEmpty ? "GET" : method
            let text = try r.string("url")
            guard let url = URL(string: text), url.host != nil else {
                throw HostServiceError("invalid URL \"\(text)\"")
            }
            self.url = url
            headers = try r.stringMap("headers")
            body = try r.bytes("body")
            let timeoutMs = try r.int64("timeoutMs")
            timeout = timeoutMs > 0 ? .milliseconds(timeoutMs) : defaultTimeout
            followRedirects = !(try r.bool("noFollowRedirects"))
        }
    }

    static func send(
        _ original: OutgoingRequest, client: HTTPClient, policy: HostPolicy, limits: Limits, logger: Logger
    ) async throws -> JSONValue {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(original.timeout.components.seconds) * 1_000_000_000
            + original.timeout.components.attoseconds / 1_000_000_000)
        var current = original
        let originalHost = HostPolicy.normalize(original.url.host ?? "")
        for attempt in 1...maxRequests {
            guard let scheme = current.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
                throw HostServiceError("unsupported URL scheme \"\(current.url.scheme ?? "")\": only http and https are allowed")
            }
            try policy.check(host: current.url.host ?? "")
            var outgoing = HTTPClientRequest(url: current.url.absoluteString)
            outgoing.method = HTTPMethod(rawValue: current.method)
            for (name, value) in current.headers { outgoing.headers.replaceOrAdd(name: name, value: value) }
            if !current.body.isEmpty { outgoing.body = .bytes(current.body) }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(outgoing, deadline: deadline, logger: logger)
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout
                || error == .connectTimeout
            {
                throw HostServiceError("request to \(current.url.host ?? "") timed out after \(original.timeout)")
            } catch {
                throw HostServiceError("request to \(current.url.host ?? "") failed: \(error)")
            }
            let status = Int(response.status.code)
            let isRedirect = [301, 302, 303, 307, 308].contains(status)
            if isRedirect, current.followRedirects, attempt < maxRequests,
                let location = response.headers.first(name: "location"),
                let next = URL(string: location, relativeTo: current.url)?.absoluteURL
            {
                // Drain the redirect body before the next hop.
                _ = try? await response.body.collect(upTo: limits.maxResponseBytes)
                if status == 301 || status == 302 || status == 303, current.method != "HEAD" {
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
            var body: [UInt8] = []
            do {
                for try await chunk in response.body {
                    body.append(contentsOf: chunk.readableBytesView)
                    if body.count > limits.maxResponseBytes {
                        throw HostServiceError(
                            "response body from \(current.url.host ?? "") exceeds the limit of \(limits.maxResponseBytes) bytes")
                    }
                }
            } catch let error as HostServiceError {
                throw error
            } catch {
                throw HostServiceError("reading the response from \(current.url.host ?? "") failed: \(error)")
            }
            var headers: [String: JSONValue] = [:]
            for header in response.headers {
                let key = canonicalHeaderKey(header.name)
                if headers[key] == nil { headers[key] = .string(header.value) }
            }
            var result = JSONResponse()
            result.set("statusCode", .int(Int64(status)), omitEmpty: false)
            result.set("headers", .map(headers))
            result.set("body", .bytes(body))
            return result.value
        }
        throw HostServiceError("too many redirects")
    }

    /// Go's `CanonicalMIMEHeaderKey`: `content-type` → `Content-Type`.
    static func canonicalHeaderKey(_ name: String) -> String {
        var upperNext = true
        var out = ""
        for c in name {
            out.append(upperNext ? Character(c.uppercased()) : Character(c.lowercased()))
            upperNext = c == "-"
        }
        return out
    }
}
