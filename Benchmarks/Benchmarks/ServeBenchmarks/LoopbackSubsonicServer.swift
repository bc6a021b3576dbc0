import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Subsonic server on 127.0.0.1 that serve matches pushed tracks against (`[Subsonic] Poll =
/// false`): `search3` finds one song for any title, by the benchmark's artist and album and two
/// hours long (so no presence ends while measured); `ping` and `getSong` answer as a server
/// would. JSON only (serve asks with `f=json`); credentials are not checked. Counts requests
/// per method.
final class LoopbackSubsonicServer: Sendable {
    let port: Int
    private let descriptor: Int32

    private struct State {
        /// Song ids by title (a title gets the next id when first searched), and titles by id.
        var ids: [String: String] = [:]
        var titles: [String: String] = [:]
        var requests: [String: Int] = [:]
    }

    private let state = Mutex(State())

    init() throws {
        (descriptor, port) = try LoopbackSocket.listen()
        LoopbackSocket.acceptConnections(on: descriptor) { [self] client in
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    /// The `[Subsonic]` table of `tonearm.toml`: this server, for matching only.
    var configuration: String {
        """
        [Subsonic]
        URL = "http://127.0.0.1:\(port)"
        Username = "bench-admin"
        Password = "bench-admin-password"
        Poll = false


        """
    }

    /// Requests for `method` answered so far.
    func requests(_ method: String) -> Int {
        state.withLock { $0.requests[method] ?? 0 }
    }

    /// Requests per method, e.g. `ping 1, search3 400`.
    var requestSummary: String {
        state.withLock { $0.requests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
    }

    /// Stops accepting connections.
    func stop() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private func serve(_ client: Int32) {
        var reader = SocketReader(descriptor: client)
        defer { close(client) }
        while let lines = reader.readHead() {
            let length = SocketReader.header("content-length", in: lines).flatMap { Int($0) } ?? 0
            guard reader.readBody(length: length) != nil else { return }
            let target = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let body = answer(target)
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
            guard (Array(head.utf8) + body).withUnsafeBytes({ LoopbackSocket.sendAll(client, $0) }) else { return }
        }
    }

    /// The JSON answer to `GET /rest/<method>[.view]?<query>`.
    private func answer(_ target: String) -> [UInt8] {
        let components = URLComponents(string: target)
        var method = components?.path.split(separator: "/").last.map(String.init) ?? ""
        if method.hasSuffix(".view") { method.removeLast(5) }
        let query = Dictionary((components?.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { first, _ in first }
        state.withLock { $0.requests[method, default: 0] += 1 }
        var response: [String: Any] = ["status": "ok", "version": "1.16.1"]
        switch method {
        case "ping":
            break
        case "search3":
            let title = query["query"] ?? ""
            guard !title.isEmpty else { break }
            let id = state.withLock { state in
                if let id = state.ids[title] { return id }
                let id = "bench-song-\(state.ids.count + 1)"
                state.ids[title] = id
                state.titles[id] = title
                return id
            }
            response["searchResult3"] = ["song": [Self.song(id: id, title: title)]]
        case "getSong":
            let id = query["id"] ?? ""
            if let title = state.withLock({ $0.titles[id] }) {
                response["song"] = Self.song(id: id, title: title)
            } else {
                response = Self.failure(70, "Song not found")
            }
        default:
            response = Self.failure(0, "Unknown method \(method)")
        }
        return Array((try? JSONSerialization.data(withJSONObject: ["subsonic-response": response])) ?? Data())
    }

    private static func failure(_ code: Int, _ message: String) -> [String: Any] {
        ["status": "failed", "version": "1.16.1", "error": ["code": code, "message": message]]
    }

    /// A song as `search3` and `getSong` give it.
    private static func song(id: String, title: String) -> [String: Any] {
        [
            "id": id, "isDir": false, "type": "music", "title": title, "artist": ServeStack.artist,
            "album": ServeStack.album, "duration": ServeStack.trackMilliseconds / 1000,
        ]
    }
}
