import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TonearmJSON

/// A client for a Subsonic / OpenSubsonic server's REST API (`/rest/<method>.view`, JSON
/// with `f=json`), as one of several users.
///
/// Every request carries `v=1.16.1` and `c=<clientName>` and authenticates as the given
/// `SubsonicCredentials`: a password goes out as token + salt (a fresh salt per request).
/// A server without token authentication (Supysonic answers error 10, LDAP users on
/// Navidrome error 41) would need the password itself, only hex-encoded (`p=enc:<hex>`,
/// readable by anyone who sees the URL): the client switches that user to it, once, and logs
/// it, only when created with `allowsHexPassword: true`; otherwise every call fails with
/// `SubsonicError.tokenAuthenticationRefused`, which tells the operator what to set. An
/// `apiKey` is sent as the OpenSubsonic `apiKey` parameter.
///
/// Credentials never appear in logs or errors: URLs are printed with `p`, `t`, `s` and
/// `apiKey` redacted.
public final class SubsonicClient: Sendable {
    /// The Subsonic API version Tonearm speaks.
    public static let apiVersion = "1.16.1"

    /// The HTTP client used when none is given, for the whole process: a refused connection
    /// fails at once (no retries until the deadline), so an outage is noticed on the first
    /// poll; connecting gives up after 10 s.
    public static let defaultHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The server's base URL as configured, with any password in it redacted.
    public let serverURL: String
    private let base: String
    private let clientName: String
    private let httpClient: HTTPClient
    private let timeout: TimeAmount
    private let maxResponseBytes: Int
    private let logger: Logger
    /// Whether a password may be sent hex-encoded to a server that refuses token authentication.
    public let allowsHexPassword: Bool
    private let passwordModes = Mutex<[String: SubsonicCredentials.PasswordMode]>([:])

    /// - Parameters:
    ///   - serverURL: e.g. `http://127.0.0.1:4533` or `https://music.example.com/navidrome`.
    ///   - clientName: the `c` parameter.
    ///   - timeout: per request.
    ///   - maxResponseBytes: bodies beyond this fail with `SubsonicError.responseTooLarge`.
    ///   - allowsHexPassword: whether, for a server that refuses token authentication (e.g.
    ///     Supysonic), the password may be sent as `p=enc:<hex>`: reversible, so anyone who sees
    ///     the request (proxy logs, plain HTTP) learns it. Off unless the operator asks for it.
    public init(
        serverURL: String, clientName: String = "tonearm", httpClient: HTTPClient = SubsonicClient.defaultHTTPClient,
        timeout: Duration = .seconds(15), maxResponseBytes: Int = 32 << 20, allowsHexPassword: Bool = false,
        logger: Logger
    ) throws(SubsonicError) {
        guard let components = URLComponents(string: serverURL),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw .invalidServerURL("\(Self.redact(serverURL)) is not an http(s) URL with a host")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidServerURL("\(Self.redact(serverURL)) must not carry a query or fragment")
        }
        var trimmed = serverURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        if trimmed.hasSuffix("/rest") { trimmed.removeLast(5) }
        self.base = trimmed
        self.serverURL = Self.redact(trimmed)
        self.clientName = clientName
        self.httpClient = httpClient
        // Between 1 ms and a day, so no configured value can overflow the conversion.
        self.timeout = .milliseconds(Int64(min(max(timeout / .milliseconds(1), 1), 86_400_000)))
        self.maxResponseBytes = maxResponseBytes
        self.allowsHexPassword = allowsHexPassword
        self.logger = logger
    }

    // MARK: Methods

    /// `ping`, then `getOpenSubsonicExtensions` when the server says it is OpenSubsonic.
    /// Throws `SubsonicError.failed` (e.g. code 40) when the credentials are refused.
    public func ping(as credentials: SubsonicCredentials) async throws(SubsonicError) -> SubsonicServerInfo {
        let response = try await call("ping", as: credentials)
        var info = SubsonicServerInfo(
            apiVersion: LenientJSON.text(response["version"]) ?? "",
            type: LenientJSON.text(response["type"]),
            serverVersion: LenientJSON.text(response["serverVersion"]),
            openSubsonic: response["openSubsonic"]?.boolValue ?? false,
            extensions: [:]
        )
        if info.openSubsonic {
            do {
                let body = try await call("getOpenSubsonicExtensions", as: credentials)
                for item in LenientJSON.array(body["openSubsonicExtensions"]) {
                    guard let ext = item.objectValue, let name = LenientJSON.text(ext["name"]) else { continue }
                    info.extensions[name] = LenientJSON.array(ext["versions"]).compactMap { LenientJSON.int($0) }
                }
            } catch {
                logger.debug("OpenSubsonic extensions unavailable", metadata: ["server": "\(serverURL)", "error": "\(error)"])
            }
        }
        return info
    }

    /// `getNowPlaying`: what every user is playing, as the server sees it.
    public func getNowPlaying(as credentials: SubsonicCredentials) async throws(SubsonicError) -> [NowPlayingEntry] {
        let response = try await call("getNowPlaying", as: credentials)
        guard let nowPlaying = response["nowPlaying"]?.objectValue else {
            throw .invalidResponse(endpoint: "getNowPlaying", reason: "no nowPlaying object")
        }
        return LenientJSON.array(nowPlaying["entry"]).compactMap { item in
            item.objectValue.flatMap { NowPlayingEntry(json: $0) }
        }
    }

    /// `getSong`: one song's metadata.
    public func getSong(id: String, as credentials: SubsonicCredentials) async throws(SubsonicError) -> PlaybackTrack {
        let response = try await call("getSong", query: [("id", id)], as: credentials)
        guard let song = response["song"]?.objectValue, let track = PlaybackTrack(subsonicChild: song) else {
            throw .invalidResponse(endpoint: "getSong", reason: "no song object with an id")
        }
        return track
    }

    /// `search3` for songs only: up to `songCount` songs matching `query` (Subsonic servers
    /// search titles; Navidrome also artists and albums). Entries without an id are skipped.
    public func searchSongs(
        _ query: String, songCount: Int, as credentials: SubsonicCredentials
    ) async throws(SubsonicError) -> [PlaybackTrack] {
        let response = try await call(
            "search3", query: [("query", query), ("songCount", "\(songCount)"), ("artistCount", "0"), ("albumCount", "0")],
            as: credentials)
        // A server with no result may leave out the songs, or the whole searchResult3.
        return LenientJSON.array(response["searchResult3"]?.objectValue?["song"]).compactMap { item in
            item.objectValue.flatMap { PlaybackTrack(subsonicChild: $0) }
        }
    }

    /// Any Subsonic method, answered as it came: HTTP status, content type and bytes
    /// (for forwarding a plugin's call, or `getCoverArt`). Subsonic failures are inside the
    /// body, not thrown; only an unreachable server or an oversized body throws.
    ///
    /// Authentication is this client's: `u`, `p`, `t`, `s` and `apiKey` in `query` are
    /// dropped. `c`, `v` and `f` in `query` win over the defaults (`f` is not set by default).
    /// - Parameter endpoint: a method name (`getAlbum`); a trailing `.view` is accepted.
    public func get(
        endpoint: String, query: [(String, String)] = [], as credentials: SubsonicCredentials
    ) async throws(SubsonicError) -> SubsonicResponse {
        let method = try Self.methodName(endpoint)
        let mode = try await passwordMode(for: credentials)
        let authNames: Set = ["u", "p", "t", "s", "apiKey"]
        var items = query.filter { !authNames.contains($0.0) }
        if !items.contains(where: { $0.0 == "v" }) { items.append(("v", Self.apiVersion)) }
        if !items.contains(where: { $0.0 == "c" }) { items.append(("c", clientName)) }
        items += credentials.queryItems(mode: mode)
        return try await send(method: method, items: items)
    }

    // MARK: Internals

    /// Calls a JSON method and returns the `subsonic-response` object, after checking `status`.
    func call(
        _ method: String, query: [(String, String)] = [], as credentials: SubsonicCredentials
    ) async throws(SubsonicError) -> JSONObject {
        let mode = try await passwordMode(for: credentials)
        return try await call(method, query: query, credentials: credentials, mode: mode)
    }

    private func call(
        _ method: String, query: [(String, String)], credentials: SubsonicCredentials,
        mode: SubsonicCredentials.PasswordMode
    ) async throws(SubsonicError) -> JSONObject {
        let items = query + [("v", Self.apiVersion), ("c", clientName), ("f", "json")] + credentials.queryItems(mode: mode)
        let response = try await send(method: method, items: items)
        let root: JSONObject
        do {
            root = try LenientJSON.object(response.body)
        } catch {
            if !(200..<300).contains(response.status) {
                throw .httpStatus(endpoint: method, status: response.status, url: serverURL)
            }
            throw .invalidResponse(endpoint: method, reason: "body is not a JSON object (\(response.contentType ?? "no content type"))")
        }
        guard let body = root["subsonic-response"]?.objectValue else {
            if !(200..<300).contains(response.status) {
                throw .httpStatus(endpoint: method, status: response.status, url: serverURL)
            }
            throw .invalidResponse(endpoint: method, reason: "no subsonic-response object")
        }
        let status = LenientJSON.text(body["status"])
        if status == "ok" { return body }
        if status == "failed" {
            let error = body["error"]?.objectValue
            throw .failed(
                endpoint: method, code: LenientJSON.int(error?["code"]) ?? 0,
                message: LenientJSON.text(error?["message"]) ?? "no message")
        }
        throw .invalidResponse(endpoint: method, reason: "status is \(status.map { "\"\($0)\"" } ?? "missing")")
    }

    /// Token + salt unless this server refused it for this user before and hex-encoded
    /// passwords are allowed.
    private func passwordMode(for credentials: SubsonicCredentials) async throws(SubsonicError) -> SubsonicCredentials.PasswordMode {
        guard case .password = credentials.secret else { return .token }
        if let known = passwordModes.withLock({ $0[credentials.username] }) { return known }
        do {
            _ = try await call("ping", query: [], credentials: credentials, mode: .token)
        } catch let error where [10, 41, 42].contains(error.code ?? -1) {
            guard allowsHexPassword else {
                guard case .failed(_, let code, let message) = error else { throw error }
                throw .tokenAuthenticationRefused(url: serverURL, user: credentials.username, code: code, message: message)
            }
            _ = try await call("ping", query: [], credentials: credentials, mode: .hexEncoded)
            logger.info(
                "Subsonic server does not accept token authentication; sending the password hex-encoded instead",
                metadata: ["server": "\(serverURL)", "user": "\(credentials.username)", "tokenError": "\(error)"])
            passwordModes.withLock { $0[credentials.username] = .hexEncoded }
            return .hexEncoded
        }
        passwordModes.withLock { $0[credentials.username] = .token }
        return .token
    }

    private func send(method: String, items: [(String, String)]) async throws(SubsonicError) -> SubsonicResponse {
        let url = "\(base)/rest/\(method).view?" + items.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        logger.trace("Subsonic request", metadata: ["url": "\(Self.redact(url))"])
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json, */*")
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: maxResponseBytes)
            } catch is NIOTooManyBytesError {
                throw SubsonicError.responseTooLarge(endpoint: method, limit: maxResponseBytes)
            }
            return SubsonicResponse(
                status: Int(response.status.code),
                contentType: response.headers.first(name: "Content-Type"),
                body: Data(buffer.readableBytesView))
        } catch let error as SubsonicError {
            throw error
        } catch {
            throw .unreachable(endpoint: method, url: serverURL, reason: Self.redact("\(error)"))
        }
    }

    static func methodName(_ endpoint: String) throws(SubsonicError) -> String {
        var name = endpoint
        if name.hasSuffix(".view") { name.removeLast(5) }
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
        else { throw .invalidEndpoint(endpoint) }
        return name
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// `text` with the values of the query parameters `p`, `t`, `s`, `apiKey` and any
    /// password in a URL's user info replaced by `REDACTED`.
    public static func redact(_ text: String) -> String {
        var out = text
        for name in ["p", "t", "s", "apiKey"] {
            out = out.replacingOccurrences(
                of: "([?&]\(name)=)[^&#\\s\"']*", with: "$1REDACTED", options: .regularExpression)
        }
        return out.replacingOccurrences(
            of: "(://[^/@:\\s]+:)[^/@\\s]+@", with: "$1REDACTED@", options: .regularExpression)
    }
}

/// A raw Subsonic answer (see `SubsonicClient.get`).
public struct SubsonicResponse: Sendable, Hashable {
    public var status: Int
    public var contentType: String?
    public var body: Data
}

/// What `ping` learnt about the server.
public struct SubsonicServerInfo: Sendable, Hashable {
    /// The server's Subsonic API version (`version`).
    public var apiVersion: String
    /// OpenSubsonic `type` (e.g. `navidrome`, `gonic`).
    public var type: String?
    /// OpenSubsonic `serverVersion`.
    public var serverVersion: String?
    public var openSubsonic: Bool
    /// OpenSubsonic extensions by name, with their versions.
    public var extensions: [String: [Int]]

    /// Whether the server announces the OpenSubsonic `playbackReport` extension (Navidrome 0.62+).
    public var supportsPlaybackReport: Bool { extensions["playbackReport"] != nil }
}
