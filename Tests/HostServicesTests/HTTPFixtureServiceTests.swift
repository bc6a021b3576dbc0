import Foundation
import HostServices
import Testing

/// `tonearm plugin call --http-fixtures`: canned HTTP answers from a folder.
@Suite(.timeLimit(.minutes(1))) struct HTTPFixtureServiceTests {
    func folder(_ files: [String: String]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url.path
    }

    @Test func answersByMethodAndURLInFileOrder() async throws {
        let path = try folder([
            "a.json": #"{"url": "https://api.test/items?*", "status": 200, "headers": {"Content-Type": "application/json"}, "body": {"n": 1}}"#,
            "b.json": #"{"method": "post", "url": "https://api.test/items", "status": 201, "body": "made"}"#,
            "c.json": #"{"url": "https://api.test/items?id=2", "bodyBase64": "AP8="}"#,
        ])
        let service = try HTTPFixtureService(folder: path)
        #expect(service.fixtures.map(\.file) == ["a.json", "b.json", "c.json"])
        let send = service.functions(for: makeContext())["http_send"]
        let get = try await invoke(send, ["request": ["url": "https://api.test/items?id=2"]])
        let result = try #require(get.json["result"] as? [String: Any], "\(get.text)")
        #expect(result["statusCode"] as? Int == 200)
        #expect(result["headers"] as? [String: String] == ["Content-Type": "application/json"])
        #expect(result["body"] as? String == Data(#"{"n":1}"#.utf8).base64EncodedString())
        let post = try await invoke(send, ["request": ["method": "POST", "url": "https://api.test/items"]])
        #expect((post.json["result"] as? [String: Any])?["statusCode"] as? Int == 201)
        let missing = try await invoke(send, ["request": ["method": "DELETE", "url": "https://api.test/items"]])
        #expect(missing.json["error"] as? String == "no fixture in \(path) answers DELETE https://api.test/items")
    }

    @Test func badFilesAreNamed() throws {
        let cases: [(String, String)] = [
            (#"{"status": 200}"#, "a.json: \"url\" is required"),
            (#"{"url": "https://x/", "status": 42}"#, "a.json: \"status\" must be 100…599, not 42"),
            (#"{"url": "https://x/", "status": "ok"}"#, "field \"status\" must be a number"),
            ("not json", "invalid JSON request"),
        ]
        for (text, expected) in cases {
            let error = #expect(throws: HostServiceError.self) { try HTTPFixtureService(folder: try folder(["a.json": text])) }
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "no error") for \(text)")
        }
        #expect(throws: HostServiceError.self) { try HTTPFixtureService(folder: try folder([:])) }
        #expect(throws: HostServiceError.self) { try HTTPFixtureService(folder: "/nonexistent/fixtures") }
    }
}
