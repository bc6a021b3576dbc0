import Foundation
import HTTPTypes
import Hummingbird
import PluginRuntime
import Testing

@testable import HostServices

@Suite(.serialized, .timeLimit(.minutes(3))) struct HTTPServiceTests {
    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/hello") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain"
            headers.append(HTTPField(name: HTTPField.Name("x-multi")!, value: "first"))
            headers.append(HTTPField(name: HTTPField.Name("x-multi")!, value: "second"))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "hi")))
        }
        router.post("/echo") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1 << 20)
            return "\(request.method.rawValue) \(request.headers[HTTPField.Name("x-token")!] ?? "-") \(String(buffer: body))"
        }
        router.get("/status/:code") { _, context -> Response in
            Response(status: .init(code: Int(context.parameters.get("code")!)!))
        }
        router.get("/redirect/:n") { _, context -> Response in
            let n = Int(context.parameters.get("n")!)!
            if n == 0 { return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "arrived"))) }
            return Response(status: .found, headers: [.location: "/redirect/\(n - 1)"])
        }
        router.get("/redirect-to") { request, _ -> Response in
            Response(status: .found, headers: [.location: request.uri.queryParameters.get("url")!])
        }
        router.post("/see-other") { _, _ -> Response in
            Response(status: .seeOther, headers: [.location: "/echo-get"])
        }
        router.get("/echo-get") { request, _ -> String in
            "\(request.method.rawValue) auth=\(request.headers[.authorization] ?? "-")"
        }
        router.get("/big") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(repeating: 0x61, count: 3 << 20)))
        }
        router.get("/slow") { _, _ -> String in
            try await Task.sleep(for: .seconds(5))
            return "late"
        }
        return router
    }

    func send(_ f: [String: HostFunction], _ request: [String: Any]) async throws -> [String: Any] {
        try await invoke(f["http_send"], ["request": request]).json
    }

    @Test func sendsRequestsAndReturnsGoShapedResults() async throws {
        let service = HTTPService()
        let f = service.functions(for: makeContext(permissions: .init(declared: ["http"]), extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(Self.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            let hello = try await invoke(f["http_send"], ["request": ["method": "get", "url": "\(base)/hello"]])
            let result = try #require(hello.json["result"] as? [String: Any])
            #expect(result["statusCode"] as? Int == 200)
            #expect(result["body"] as? String == base64("hi"))
            let headers = try #require(result["headers"] as? [String: String])
            #expect(headers["Content-Type"] == "text/plain")
            #expect(headers["X-Multi"] == "first")

            let echo = try await send(f, [
                "method": "POST", "url": "\(base)/echo", "headers": ["X-Token": "abc"], "body": base64("payload"),
            ])
            #expect((echo["result"] as? [String: Any])?["body"] as? String == base64("POST abc payload"))

            // 4xx/5xx are results, not errors; an empty body is left out.
            let failed = try await invoke(f["http_send"], ["request": ["url": "\(base)/status/503", "headers": NSNull()]])
            let failedResult = try #require(failed.json["result"] as? [String: Any])
            #expect(failedResult["statusCode"] as? Int == 503)
            #expect(failedResult["body"] == nil)
            #expect(failed.json["error"] == nil)
        }
        try await service.shutdown()
    }

    @Test func followsRedirectsAtMostFiveRequests() async throws {
        let service = HTTPService()
        let f = service.functions(for: makeContext(extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(Self.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            let four = try await send(f, ["url": "\(base)/redirect/4"])
            #expect((four["result"] as? [String: Any])?["body"] as? String == base64("arrived"))
            // Five hops need six requests: the fifth response (a 302) is returned as is.
            let five = try await send(f, ["url": "\(base)/redirect/5"])
            #expect((five["result"] as? [String: Any])?["statusCode"] as? Int == 302)
            let unfollowed = try await send(f, ["url": "\(base)/redirect/1", "noFollowRedirects": true])
            #expect((unfollowed["result"] as? [String: Any])?["statusCode"] as? Int == 302)
            // 303 turns a POST into a GET without body.
            let other = try await send(f, ["method": "POST", "url": "\(base)/see-other", "body": base64("x"), "headers": ["Authorization": "secret"]])
            #expect((other["result"] as? [String: Any])?["body"] as? String == base64("GET auth=secret"))
        }
        try await service.shutdown()
    }

    @Test func redirectToAForbiddenHostIsRefused() async throws {
        let service = HTTPService()
        let f = service.functions(for: makeContext(extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(Self.router()) { port in
            let target = "http://localhost:\(port)/hello"
            let refused = try await send(f, ["url": "http://127.0.0.1:\(port)/redirect-to?url=\(target)"])
            let error = try #require(refused["error"] as? String)
            #expect(error.contains("host \"localhost\" is not allowed"))
            #expect(refused["result"] == nil)
        }
        try await service.shutdown()
    }

    @Test func hostPolicyRefusals() async throws {
        let service = HTTPService()
        // Empty requiredHosts: public hosts only, loopback refused without a grant.
        let open = service.functions(for: makeContext())
        let loopback = try await send(open, ["url": "http://127.0.0.1:1/x"])
        #expect((loopback["error"] as? String)?.contains("loopback and private addresses") == true)
        #expect((try await send(open, ["url": "http://10.1.2.3/x"])["error"] as? String)?.contains("not allowed") == true)
        #expect((try await send(open, ["url": "http://localhost/x"])["error"] as? String)?.contains("not allowed") == true)
        #expect((try await send(open, ["url": "ftp://example.com/x"])["error"] as? String)?.contains("scheme") == true)
        #expect((try await send(open, ["url": "not a url"])["error"] as? String)?.contains("invalid URL") == true)
        // Listed hosts only.
        let listed = service.functions(for: makeContext(permissions: .init(declared: ["http"], httpRequiredHosts: ["*.discord.com"])))
        let denied = try await send(listed, ["url": "http://127.0.0.1:1/x"])
        #expect(denied["error"] as? String == "host \"127.0.0.1\" is not allowed: it matches no entry of permissions.http.requiredHosts (*.discord.com)")
        try await service.shutdown()

        #expect(HostPolicy.matches(pattern: "*.discord.com", host: "gateway.discord.com"))
        #expect(HostPolicy.matches(pattern: "*.discord.com", host: "a.b.discord.com"))
        #expect(!HostPolicy.matches(pattern: "*.discord.com", host: "discord.com"))
        #expect(!HostPolicy.matches(pattern: "*.discord.com", host: "evil-discord.com"))
        #expect(HostPolicy.matches(pattern: "*", host: "anything.org"))
        #expect(HostPolicy.matches(pattern: "API.example.com", host: "api.example.com"))
        func isLocal(_ text: String) -> Bool { IPAddress(literal: text)?.nonPublicKind != nil }
        #expect(isLocal("::1") && isLocal("fe80::1") && isLocal("192.168.0.4"))
        #expect(isLocal("172.16.0.1") && !isLocal("172.32.0.1") && !isLocal("8.8.8.8"))
    }

    @Test func timeoutAndResponseCap() async throws {
        let service = HTTPService(limits: .init(defaultTimeout: .seconds(10), maxResponseBytes: 1 << 20))
        let f = service.functions(for: makeContext(extraHosts: ["127.0.0.1"]))
        try await withHTTPServer(Self.router()) { port in
            let slow = try await send(f, ["url": "http://127.0.0.1:\(port)/slow", "timeoutMs": 300])
            #expect((slow["error"] as? String)?.contains("timed out") == true)
            let refused = try await send(f, ["url": "http://127.0.0.1:1/nothing-listens"])
            #expect((refused["error"] as? String)?.hasPrefix("request to 127.0.0.1 failed") == true)
            let big = try await send(f, ["url": "http://127.0.0.1:\(port)/big"])
            #expect((big["error"] as? String)?.contains("exceeds the limit of 1048576 bytes") == true)
        }
        try await service.shutdown()
    }
}
