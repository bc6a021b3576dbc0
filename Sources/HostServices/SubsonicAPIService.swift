import Foundation
import NavidromeABI
import PluginRuntime
import TonearmJSON

/// The upstream Subsonic/OpenSubsonic server, as the SubsonicAPI service reaches it. The
/// daemon implements it with its Subsonic client, authenticating as `user` with the
/// credentials the operator configured; plugins never see them.
public protocol SubsonicUpstream: Sendable {
    /// Sends `GET <server>/rest/<endpoint>` with `query` (no credentials in it) as `user`
    /// and returns the raw response, whatever its status.
    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse
}

/// A raw upstream response.
public struct SubsonicUpstreamResponse: Sendable, Equatable {
    public var statusCode: Int
    public var contentType: String
    public var body: [UInt8]

    public init(statusCode: Int, contentType: String, body: [UInt8]) {
        self.statusCode = statusCode
        self.contentType = contentType
        self.body = body
    }
}

/// Navidrome's SubsonicAPI service (`subsonicapi_call`, `subsonicapi_callraw`): the plugin
/// names a Subsonic endpoint and query with `u=<username>`; Tonearm forwards it upstream
/// authenticated as that user.
///
/// Refused unless the user is assigned to the plugin; admin users only when the operator allows
/// admins (``PluginAccess/allowAdmins``). The host forces `c=<plugin id>` and `v=1.16.1`, plus
/// `f=json` for `call` only. Credential parameters the plugin sends (`p`, `t`, `s`, `apiKey`)
/// are dropped. Subsonic failures come back inside the response body, not as errors.
public struct SubsonicAPIService: HostService {
    public let permission: String? = "subsonicapi"
    public let functionPrefix = "subsonicapi"

    static let apiVersion = "1.16.1"
    /// Parameters the host sets itself or never forwards from a plugin.
    static let reserved: Set<String> = ["u", "p", "t", "s", "apiKey", "c", "v"]

    private let upstream: any SubsonicUpstream

    public init(upstream: any SubsonicUpstream) {
        self.upstream = upstream
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let upstream = self.upstream
        return hostFunctions(
            hostFunction(SubsonicAPICallRequest.self) { r in
                let response = try Self.forward(r.uri, json: true, plugin: plugin, upstream: upstream)
                return SubsonicAPICallResponse(responseJson: String(decoding: response.body, as: UTF8.self))
            },
            hostFunction(SubsonicAPICallRawRequest.self) { r in
                let response = try Self.forward(r.uri, json: false, plugin: plugin, upstream: upstream)
                return SubsonicAPICallRawResponse(contentType: response.contentType, data: response.body)
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}

    /// Parses the plugin's uri, checks the user, and forwards the request.
    static func forward(
        _ uri: String, json: Bool, plugin: PluginContext, upstream: any SubsonicUpstream
    ) throws -> SubsonicUpstreamResponse {
        guard let components = URLComponents(string: uri) else { throw HostServiceError("invalid uri \"\(uri)\"") }
        var endpoint = String(components.path.split(separator: "/").last ?? "")
        if endpoint.hasSuffix(".view") { endpoint.removeLast(".view".count) }
        guard !endpoint.isEmpty else { throw HostServiceError("uri \"\(uri)\" names no Subsonic endpoint") }
        let items = components.queryItems ?? []
        guard let userName = items.first(where: { $0.name == "u" })?.value, !userName.isEmpty else {
            throw HostServiceError("missing required parameter 'u' (the username) in uri")
        }
        let user = try authorizedUser(userName, access: plugin.access)
        var query: [(String, String)] = items.compactMap { item in
            if reserved.contains(item.name) || (json && item.name == "f") { return nil }
            return (item.name, item.value ?? "")
        }
        query.append(("c", plugin.id))
        query.append(("v", apiVersion))
        if json { query.append(("f", "json")) }
        let (name, request) = (endpoint, query)
        do {
            return try HostCallBridge.wait { try await upstream.get(endpoint: name, query: request, as: user.userName) }
        } catch {
            throw HostServiceError("Subsonic request \(endpoint) failed: \(error)")
        }
    }

    /// The assigned user named `userName`, or an error saying why the plugin may not act for it.
    static func authorizedUser(_ userName: String, access: PluginAccess) throws -> TonearmUser {
        if let user = access.assignedUser(named: userName) { return user }
        let wanted = userName.lowercased()
        guard let known = access.directory.users().first(where: { $0.userName.lowercased() == wanted }) else {
            throw HostServiceError("username \"\(userName)\" not found")
        }
        if !access.allUsers && access.users.isEmpty {
            throw HostServiceError("no users configured for this plugin")
        }
        let listed = access.allUsers || access.users.contains { $0.lowercased() == wanted }
        if listed && known.isAdmin && !access.allowAdmins {
            throw HostServiceError(
                "user \"\(known.userName)\" is an admin and this plugin is not allowed to act for admin users")
        }
        throw HostServiceError("user \"\(known.userName)\" is not authorized for this plugin")
    }
}
