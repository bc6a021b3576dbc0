@testable import WebhookRelay
import NavidromePDK
import NavidromePDKTesting
import Testing

@Suite struct StatusPageTests {
    let host = TestHost()
    let admin = HTTPUser(id: "u-1", username: "root", name: "Root", isAdmin: true)
    let alice = HTTPUser(id: "u-2", username: "alice", name: "Alice", isAdmin: false)

    init() {
        host.config["url"] = "https://hooks.example.com/relay/t0ken"
        host.kvstore["stats/scrobble/alice"] = Array(#"{"delivered":3,"failed":1,"lastDeliveredAt":1700000000,"lastStatus":200,"lastFailedAt":1700000060,"lastError":"webhook https://hooks.example.com/… answered HTTP 503"}"#.utf8)
        host.kvstore["stats/scrobble/<b>ob"] = Array(#"{"delivered":5,"failed":0,"lastDeliveredAt":1700000100,"lastStatus":204}"#.utf8)
    }

    func get(_ request: HTTPHandleRequest) throws -> (json: JSONValue, body: [UInt8]) {
        let result = host.call(WebhookRelay.ndHttpHandleRequest, input: Frame.request(request))
        #expect(result.succeeded)
        return try Frame.response(result.output)
    }

    @Test func anAdminSeesEveryUserAsJSON() throws {
        let (meta, body) = try get(HTTPHandleRequest(method: "GET", path: "", query: "format=json", user: admin))
        #expect(meta == (try JSONValue.parse(#"{"status":200,"headers":{"Content-Type":["application/json"],"Cache-Control":["no-store"]}}"#)))
        #expect(try JSONValue.parse(body) == (try JSONValue.parse(#"""
            {"configured":true,"webhook":"https://hooks.example.com/…","nowPlaying":false,"secret":false,"delivered":8,"failed":1,
             "lastDelivery":{"event":"scrobble","username":"<b>ob","at":1700000100,"status":204},
             "lastFailure":{"event":"scrobble","username":"alice","at":1700000060,"error":"webhook https://hooks.example.com/… answered HTTP 503"},
             "users":[{"username":"<b>ob","event":"scrobble","delivered":5,"failed":0},{"username":"alice","event":"scrobble","delivered":3,"failed":1}]}
            """#)))
    }

    @Test func aUserSeesTotalsAndOnlyTheirOwnRows() throws {
        let (_, body) = try get(HTTPHandleRequest(method: "GET", path: "/", headers: [(key: "Accept", value: ["text/html, Application/JSON;q=0.9"])], user: alice))
        let status = try JSONValue.parse(body)
        #expect(status["delivered"] == .int(8))
        #expect(status["users"] == (try JSONValue.parse(#"[{"username":"alice","event":"scrobble","delivered":3,"failed":1}]"#)))
        #expect(status["lastDelivery"]?["username"] == .string("alice"))
    }

    @Test func withoutAUserOnlyTotalsAreShown() throws {
        let (_, body) = try get(HTTPHandleRequest(method: "GET", path: "", query: "x=1&format=json"))
        let status = try JSONValue.parse(body)
        #expect(status["users"] == .array([]))
        #expect(status["lastDelivery"] == nil)
        #expect(status["failed"] == .int(1))
    }

    @Test func theDefaultIsAnEscapedHTMLPage() throws {
        let (meta, body) = try get(HTTPHandleRequest(method: "GET", path: "", user: admin))
        #expect(meta["headers"]?["Content-Type"] == .array([.string("text/html; charset=utf-8")]))
        let page = String(decoding: body, as: UTF8.self)
        #expect(page.hasPrefix("<!doctype html>"))
        #expect(page.contains("<p>Delivered: 8 · Failed: 1</p>"))
        #expect(page.contains("<td>&lt;b&gt;ob</td>"))
        #expect(!page.contains("<b>ob"))
        #expect(page.contains("Last delivery: scrobble of &lt;b&gt;ob at 2023-11-14 22:15:00 UTC (HTTP 204)"))
        #expect(page.contains("<code>https://hooks.example.com/…</code>"))
        #expect(!page.contains("t0ken"))
    }

    @Test func headHasTheHeadersButNoBody() throws {
        let (meta, body) = try get(HTTPHandleRequest(method: "HEAD", path: "", user: admin))
        #expect(meta["status"] == .int(200))
        #expect(body.isEmpty)
    }

    @Test func otherMethodsAreNotAllowed() throws {
        let (meta, body) = try get(HTTPHandleRequest(method: "POST", path: "", body: Array("x".utf8), user: admin))
        #expect(meta == (try JSONValue.parse(#"{"status":405,"headers":{"Content-Type":["text/plain; charset=utf-8"],"Allow":["GET, HEAD"]}}"#)))
        #expect(body == Array("method not allowed\n".utf8))
    }

    @Test func otherPathsAreNotFound() throws {
        for path in ["/status", "/favicon.ico", "//"] {
            let (meta, body) = try get(HTTPHandleRequest(method: "GET", path: path, user: admin))
            #expect(meta["status"] == .int(404))
            #expect(body == Array("not found\n".utf8))
        }
    }

    @Test func anUnconfiguredRelaySaysSo() throws {
        host.config["url"] = nil
        let (_, body) = try get(HTTPHandleRequest(method: "GET", path: "", user: alice))
        #expect(String(decoding: body, as: UTF8.self).contains("<strong>Not configured:</strong>"))
    }

    @Test func aStoreFailureIsA500() throws {
        host.answer("kvstore_list", with: #"{"error":"database is locked"}"#)
        let (meta, body) = try get(HTTPHandleRequest(method: "GET", path: "", user: admin))
        #expect(meta["status"] == .int(500))
        #expect(body == Array("status unavailable\n".utf8))
        #expect(host.logs.map(\.message) == ["status page: kvstore_list: database is locked"])
    }
}
