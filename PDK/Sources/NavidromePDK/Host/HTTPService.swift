@_extern(wasm, module: "extism:host/user", name: "http_send") @_extern(c, "nd_host_http_send")
func nd_host_http_send(_ request: Int64) -> Int64

/// An HTTP request for ``HTTPService/send(_:)``.
public struct HTTPRequest {
    /// Method; empty means GET.
    public var method: String
    public var url: String
    public var headers: [(key: String, value: String)]
    public var body: [UInt8]
    /// Timeout in milliseconds; 0 = the host default (10 s).
    public var timeoutMs: Int32
    /// Return 3xx responses instead of following them.
    public var noFollowRedirects: Bool

    public init(method: String = "GET", url: String, headers: [(key: String, value: String)] = [],
                body: [UInt8] = [], timeoutMs: Int32 = 0, noFollowRedirects: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMs = timeoutMs
        self.noFollowRedirects = noFollowRedirects
    }
}

/// An HTTP response; 4xx and 5xx are ordinary responses.
public struct HTTPResponse {
    public var statusCode: Int32
    /// Headers in Go canonical form (`Content-Type`), first value per name.
    public var headers: [(key: String, value: String)]
    public var body: [UInt8]

    /// The first header named `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        for h in headers where asciiCaseInsensitiveEqual(h.key, name) { return h.value }
        return nil
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8) { x, y in
        let lx = x >= 0x41 && x <= 0x5A ? x + 32 : x
        let ly = y >= 0x41 && y <= 0x5A ? y + 32 : y
        return lx == ly
    }
}

/// Navidrome's HTTP service (`http_send`, permission `http`; Navidrome 0.61+).
public enum HTTPService {
    /// Sends `request`; network errors, timeouts and denied hosts throw.
    public static func send(_ request: HTTPRequest) throws(PluginError) -> HTTPResponse {
        var inner = JSONObjectWriter()
        inner.set("method", request.method)
        inner.set("url", request.url)
        inner.set("headers", pairs: request.headers, omitEmpty: true)
        inner.set("body", bytes: request.body, omitEmpty: true)
        inner.set("timeoutMs", request.timeoutMs, omitEmpty: true)
        inner.set("noFollowRedirects", request.noFollowRedirects, omitEmpty: true)
        var req = JSONObjectWriter()
        req.set("request", .object(inner.object))
        let r = try HostCall.call("http_send", nd_host_http_send, req)
        return try HostCall.read("http_send") { () throws(JSONError) -> HTTPResponse in
            guard let result = try r.optionalObject("result") else {
                throw JSONError.mismatch("missing 'result'")
            }
            return HTTPResponse(statusCode: try result.int32("statusCode"),
                                headers: try result.stringPairs("headers"),
                                body: try result.bytes("body"))
        }
    }
}
