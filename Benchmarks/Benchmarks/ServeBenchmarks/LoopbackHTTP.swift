import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// JSON over HTTP to 127.0.0.1, many requests in flight at once.
struct LoopbackHTTP: Sendable {
    let session: URLSession

    init() {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 256
        configuration.timeoutIntervalForRequest = 60
        session = URLSession(configuration: configuration)
    }

    /// Sends a request and returns the status and body; only loopback URLs are accepted.
    func request(
        _ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil
    ) async throws -> (status: Int, body: Data) {
        guard let target = URL(string: url), target.host == "127.0.0.1" else {
            throw BenchError("refusing a request to a non-loopback URL")
        }
        var request = URLRequest(url: target)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// GET and decode a JSON reply.
    func get<T: Decodable>(_ url: String, as type: T.Type) async throws -> T {
        let reply = try await request(url)
        guard reply.status == 200 else { throw BenchError("GET \(url): HTTP \(reply.status)") }
        return try JSONDecoder().decode(T.self, from: reply.body)
    }
}
