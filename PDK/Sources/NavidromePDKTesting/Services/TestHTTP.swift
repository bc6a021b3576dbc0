import NavidromeJSON

/// The in-memory HTTP service (`http_send`): answers from canned responses by method and URL,
/// and records every request. A request without a canned response fails with
/// "no canned response for <METHOD> <url>".
public struct TestHTTP: Sendable {
    let host: TestHost

    /// A request the plugin sent (method upper-cased, empty meaning GET, as Navidrome does).
    public struct Request: Sendable, Equatable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: [UInt8]
        public var timeoutMs: Int32
        public var noFollowRedirects: Bool

        /// The body as UTF-8 text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// Answers `method` `url` with a response (every time it is asked).
    public func respond(_ method: String = "GET", _ url: String, status: Int32 = 200,
                        headers: [String: String] = [:], body: [UInt8]) {
        host.withState { $0.httpResponses[HostState.httpKey(method, url)] = .response(status, headers, body) }
    }

    /// Answers `method` `url` with a response whose body is `body` as UTF-8.
    public func respond(_ method: String = "GET", _ url: String, status: Int32 = 200,
                        headers: [String: String] = [:], body: String = "") {
        respond(method, url, status: status, headers: headers, body: Array(body.utf8))
    }

    /// Makes `method` `url` fail as a network error would (the host function's error).
    public func fail(_ method: String = "GET", _ url: String, error: String) {
        host.withState { $0.httpResponses[HostState.httpKey(method, url)] = .failure(error) }
    }

    /// Every request the plugin sent, oldest first.
    public var requests: [Request] {
        host.withState { $0.httpRequests }
    }
}

enum CannedHTTP {
    case response(Int32, [String: String], [UInt8])
    case failure(String)
}

extension HostState {
    static func httpKey(_ method: String, _ url: String) -> String {
        (method.isEmpty ? "GET" : method.uppercased()) + " " + url
    }

    mutating func handleHTTP(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        guard function == "http_send" else { throw HostError.noAnswer(function) }
        let json = try request.decode("request", as: JSONObjectReaderBox.self).reader
        var headers: [String: String] = [:]
        for (name, value) in try json.stringPairs("headers") { headers[name] = value }
        let method = try json.string("method")
        let sent = TestHTTP.Request(method: method.isEmpty ? "GET" : method.uppercased(), url: try json.string("url"),
                                    headers: headers, body: try json.bytes("body"), timeoutMs: try json.int32("timeoutMs"),
                                    noFollowRedirects: try json.bool("noFollowRedirects"))
        httpRequests.append(sent)
        switch httpResponses[Self.httpKey(sent.method, sent.url)] {
        case .response(let status, let responseHeaders, let body)?:
            var result = JSONObjectWriter()
            result.set("statusCode", status)
            result.set("headers", pairs: responseHeaders.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }, omitEmpty: true)
            result.set("body", bytes: body, omitEmpty: true)
            response.set("result", .object(result.object))
        case .failure(let message)?:
            throw HostError(message)
        case nil:
            throw HostError("no canned response for \(sent.method) \(sent.url)")
        }
    }
}

/// A nested object kept as a reader.
struct JSONObjectReaderBox: JSONDecodable {
    var reader: JSONObjectReader

    init(json: JSONObjectReader) throws(JSONError) {
        reader = json
    }
}
