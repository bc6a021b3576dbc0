import Foundation
import HostServices
import Hummingbird
import Logging
import NavidromeABI
import PluginRuntime

extension TonearmDaemon {
    /// The largest request body a plugin endpoint takes (Navidrome's `maxEndpointBodySize`).
    static let maxEndpointBodySize = 1 << 20

    /// HTTPEndpoint plugins, served as Navidrome serves them (branch `plugins-endpoints`,
    /// plugins/http_endpoint.go) at `/ext/<plugin-id>/…` and `/rest/ext/<plugin-id>/…`: callers
    /// authenticate as the manifest's `permissions.endpoints.auth` says
    /// (``EndpointAuthentication``), must be assigned to the plugin (`[Plugins.<id>]`), and each
    /// client address may make `Plugins.EndpointRequestLimit` requests per window.
    func addPluginEndpoints(to router: Router<TonearmRequestContext>) {
        let rateLimit = RequestRateLimit(
            limit: configuration.plugins.endpointRequestLimit, window: configuration.plugins.endpointRequestWindow)
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .delete, .patch, .head, .options]
        for path in ["ext/:plugin", "ext/:plugin/**", "rest/ext/:plugin", "rest/ext/:plugin/**"] {
            for method in methods {
                router.on(RouterPath(path), method: method) { request, context in
                    await self.servePluginEndpoint(request, context: context, rateLimit: rateLimit)
                }
            }
        }
    }

    private func servePluginEndpoint(
        _ request: Request, context: TonearmRequestContext, rateLimit: RequestRateLimit
    ) async -> Response {
        if let retryAfter = rateLimit.admit(context.remoteAddress?.ipAddress) {
            var response = Self.text(.tooManyRequests, "Too Many Requests")
            response.headers[.retryAfter] = "\(retryAfter)"
            return response
        }
        let id = context.parameters.get("plugin") ?? ""
        guard let plugin = pluginManager.loadedPlugin(id), plugin.capabilities.contains(.httpEndpoint),
            let auth = plugin.context.permissions.endpointsAuth
        else { return Self.text(.notFound, "404 page not found") }

        let declared = request.headers[.contentLength].flatMap { Int($0) } ?? 0
        guard declared <= Self.maxEndpointBodySize else { return Self.bodyTooLarge() }
        let body: [UInt8]
        do {
            body = Array(try await request.body.collect(upTo: Self.maxEndpointBodySize).readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.bodyTooLarge()
        } catch {
            return Self.text(.badRequest, "Failed to read request body")
        }

        var parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        if request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            let form = URLComponents(string: "?" + String(decoding: body, as: UTF8.self))?.queryItems ?? []
            parameters += form.map { ($0.name, $0.value ?? "") }
        }
        var user: HTTPUser?
        switch EndpointAuthentication.authenticate(
            auth, parameters: parameters, header: { name in HTTPFields.Element.Name(name).flatMap { request.headers[$0] } },
            users: configuration.server.users)
        {
        case .anonymous: break
        case .refused(let reason):
            logger.warning(
                "plugin endpoint auth failed",
                metadata: ["plugin": "\(id)", "auth": "\(auth.rawValue)", "reason": "\(reason)"])
            return Self.text(.unauthorized, "Unauthorized")
        case .user(let settings):
            guard let known = plugin.context.access.assignedUser(named: settings.name) else {
                logger.warning("plugin endpoint access denied", metadata: ["plugin": "\(id)", "user": "\(settings.name)"])
                return Self.text(.forbidden, "Forbidden")
            }
            user = HTTPUser(id: known.userName, username: known.userName, name: known.name, isAdmin: known.isAdmin)
        }

        var headers: [String: [String]] = [:]
        for field in request.headers {
            headers[HTTPService.canonicalHeaderKey(field.name.rawName), default: []].append(field.value)
        }
        let call = HTTPHandleRequest(
            method: request.method.rawValue, path: Self.relativePath(request.uri.path, plugin: id),
            query: request.uri.query ?? "", headers: headers, body: body, user: user)
        let answer: HTTPHandleResponse
        do {
            let output = try await pluginManager.call(
                plugin: id, export: HTTPEndpointCapability.handleRequest, input: try call.inputFrame())
            answer = try HTTPHandleResponse(outputFrame: output)
        } catch {
            logger.error(
                "plugin endpoint call failed", metadata: ["plugin": "\(id)", "path": "\(call.path)", "error": "\(error)"])
            return Self.text(.internalServerError, "Internal Server Error")
        }
        let status = answer.status == 0 ? 200 : Int(answer.status)
        guard (100...599).contains(status) else {
            logger.error(
                "plugin endpoint answered an invalid HTTP status",
                metadata: ["plugin": "\(id)", "path": "\(call.path)", "status": "\(answer.status)"])
            return Self.text(.internalServerError, "Internal Server Error")
        }
        var fields = HTTPFields()
        for (name, values) in answer.headers.sorted(by: { $0.key < $1.key }) {
            guard let field = HTTPFields.Element.Name(name) else {
                logger.warning(
                    "plugin endpoint header dropped: not a valid header name",
                    metadata: ["plugin": "\(id)", "header": "\(name.debugDescription)"])
                continue
            }
            for value in values { fields.append(HTTPFields.Element(name: field, value: value)) }
        }
        // As Navidrome: the plugin cannot turn off these protections.
        fields[.xContentTypeOptions] = "nosniff"
        fields[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
        fields[.contentLength] = "\(answer.body.count)"
        return Response(
            status: .init(code: status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: request.method == .head ? [] : answer.body)))
    }

    /// The path below `/ext/<plugin>` (or `/rest/ext/<plugin>`), percent-decoded, with its
    /// leading slash; empty for the plugin's base URL with or without a trailing slash.
    static func relativePath(_ path: String, plugin: String) -> String {
        var rest = Substring(path)
        for prefix in ["/rest/ext/", "/ext/"] where rest.hasPrefix(prefix) {
            rest = rest.dropFirst(prefix.count)
            break
        }
        // The plugin id as it appears in the path, which may be percent-encoded.
        rest = rest.drop { $0 != "/" }
        guard rest.count > 1 else { return "" }
        return rest.removingPercentEncoding ?? String(rest)
    }

    private static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    private static func bodyTooLarge() -> Response {
        text(.contentTooLarge, "Request body over \(maxEndpointBodySize) bytes")
    }
}
