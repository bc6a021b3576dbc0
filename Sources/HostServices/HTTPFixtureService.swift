import Foundation
import NavidromeABI
import PluginRuntime
import TonearmJSON

/// The HTTP service answering from canned responses in a folder instead of the network, so a
/// metadata or lyrics plugin can be tried offline (`tonearm plugin call --http-fixtures DIR`).
///
/// Every `*.json` file in the folder is one answer:
///
/// ```json
/// {"method": "GET", "url": "https://lrclib.net/api/get?*",
///  "status": 200, "headers": {"Content-Type": "application/json"},
///  "body": {"syncedLyrics": "[00:17.12] …"}}
/// ```
///
/// `method` defaults to GET; `url` matches exactly, or as a prefix when it ends with `*`; the
/// first matching file in name order answers. `body` is sent as text when it is a string and as
/// JSON otherwise (`bodyBase64` for bytes); `status` defaults to 200. A request no file matches
/// fails naming the method and URL, as a network failure would.
public struct HTTPFixtureService: HostService {
    public let permission: String? = "http"
    public let functionPrefix = "http"

    /// One canned answer.
    public struct Fixture: Sendable, Equatable {
        public var file: String
        public var method: String
        public var url: String
        public var status: Int32
        public var headers: [String: String]
        public var body: [UInt8]

        /// Whether this fixture answers `method` `url`.
        func matches(method: String, url: String) -> Bool {
            guard self.method == method else { return false }
            if self.url.hasSuffix("*") { return url.hasPrefix(self.url.dropLast()) }
            return self.url == url
        }
    }

    /// The answers, in file-name order.
    public let fixtures: [Fixture]
    private let folder: String

    /// Reads every `*.json` file of `folder`; a file that is not a valid fixture is an error
    /// naming the file and the problem.
    public init(folder: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw HostServiceError("\(folder): no such folder")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        guard !names.isEmpty else { throw HostServiceError("\(folder): no *.json fixture files") }
        self.folder = folder
        fixtures = try names.map { name in
            let path = (folder as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { throw HostServiceError("\(path): cannot be read") }
            do {
                return try Self.fixture(JSONRequest(Array(data)), file: name)
            } catch let error as JSONRequestError {
                throw HostServiceError("\(path): \(error.message)")
            }
        }
    }

    static func fixture(_ json: JSONRequest, file: String) throws -> Fixture {
        let method = try json.string("method").uppercased()
        let url = try json.string("url")
        guard !url.isEmpty else { throw HostServiceError("\(file): \"url\" is required") }
        let status = try json.value("status") == nil ? 200 : json.int32("status")
        guard (100...599).contains(status) else { throw HostServiceError("\(file): \"status\" must be 100…599, not \(status)") }
        let body: [UInt8]
        switch json.value("body") {
        case nil: body = try json.bytes("bodyBase64")
        case .string(let text)?: body = Array(text.utf8)
        case let value?: body = value.goJSONBytes()
        }
        return Fixture(
            file: file, method: method.isEmpty ? "GET" : method, url: url, status: status,
            headers: try json.stringMap("headers"), body: body)
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let fixtures = fixtures
        let folder = folder
        return hostFunctions(
            hostFunction(HTTPSendRequest.self) { request in
                let method = request.request.method.isEmpty ? "GET" : request.request.method.uppercased()
                let url = request.request.url
                guard let fixture = fixtures.first(where: { $0.matches(method: method, url: url) }) else {
                    throw HostServiceError("no fixture in \(folder) answers \(method) \(url)")
                }
                return HTTPSendResponse(
                    result: HTTPResponse(statusCode: fixture.status, headers: fixture.headers, body: fixture.body))
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
