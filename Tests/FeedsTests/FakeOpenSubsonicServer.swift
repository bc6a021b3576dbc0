import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TonearmJSON

/// A loopback OpenSubsonic server shaped like Navidrome 0.62+: token or `apiKey` auth
/// (checked for real), `ping` with `openSubsonic`, `getOpenSubsonicExtensions` with
/// `playbackReport`, `getNowPlaying` entries with `state`/`positionMs`/`playbackRate`
/// (position extrapolated while playing, as Navidrome does), `getSong` and `search3` (songs by
/// title).
final class FakeOpenSubsonicServer: Sendable {
    struct Play: Sendable {
        var username: String
        var playerName: String
        var song: [String: any Sendable]
        var state: String
        var positionMs: Int64
        var rate: Double = 1
        var reportedAt = Date()
        var startedAt = Date()
    }

    let username = "admin"
    let password = "s3cret-pass"
    let apiKey = "key-0123456789"

    private let state = Mutex<(plays: [Play], songs: [String: [String: any Sendable]], getSongCalls: Int, requests: [String])>(
        ([], [:], 0, []))
    /// When set, every request gets this status and an HTML body (a broken reverse proxy).
    private let brokenStatus = Mutex<Int?>(nil)
    private let task: Task<Void, any Error>
    let url: String

    private init(port: Int, task: Task<Void, any Error>) {
        self.task = task
        self.url = "http://127.0.0.1:\(port)"
    }

    static func start() async throws -> FakeOpenSubsonicServer {
        let box = Mutex<FakeOpenSubsonicServer?>(nil)
        let portStream = AsyncStream<Int>.makeStream()
        let router = Router()
        router.get("/rest/{method}") { request, context -> Response in
            guard let server = box.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            var query: [String: String] = [:]
            for (key, value) in request.uri.queryParameters where query[String(key)] == nil {
                query[String(key)] = String(value)
            }
            return server.respond(method: context.parameters.get("method") ?? "", query: query)
        }
        var quiet = Logger(label: "fake-opensubsonic")
        quiet.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portStream.continuation.yield(channel.localAddress?.port ?? 0)
                portStream.continuation.finish()
            },
            logger: quiet)
        let task = Task { try await app.run() }
        var port = 0
        for await p in portStream.stream { port = p }
        let server = FakeOpenSubsonicServer(port: port, task: task)
        box.withLock { $0 = server }
        return server
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    // MARK: Test controls

    func setSong(_ song: [String: any Sendable]) {
        state.withLock { $0.songs[song["id"] as! String] = song }
    }

    func setPlays(_ plays: [Play]) {
        state.withLock { $0.plays = plays }
    }

    func updatePlay(username: String, _ change: (inout Play) -> Void) {
        state.withLock { s in
            for i in s.plays.indices where s.plays[i].username == username {
                let now = Date()
                s.plays[i].positionMs = Self.position(s.plays[i], at: now)
                s.plays[i].reportedAt = now
                change(&s.plays[i])
            }
        }
    }

    func breakWith(status: Int?) {
        brokenStatus.withLock { $0 = status }
    }

    var getSongCalls: Int { state.withLock { $0.getSongCalls } }
    var requests: [String] { state.withLock { $0.requests } }

    // MARK: Responses

    private static func position(_ play: Play, at now: Date) -> Int64 {
        guard play.state == "playing" else { return play.positionMs }
        return play.positionMs + Int64(now.timeIntervalSince(play.reportedAt) * 1000 * play.rate)
    }

    private func respond(method: String, query: [String: String]) -> Response {
        let name = method.hasSuffix(".view") ? String(method.dropLast(5)) : method
        let q = { (key: String) in query[key] }
        state.withLock { $0.requests.append(name) }
        if let status = brokenStatus.withLock({ $0 }) {
            let html = Array("<html><body>Bad Gateway</body></html>".utf8)
            return Response(status: .init(code: status), body: .init(byteBuffer: ByteBuffer(bytes: html)))
        }

        // Authentication as Navidrome: apiKey alone, or u + t + s.
        if let key = q("apiKey") {
            guard q("u") == nil, q("t") == nil, q("p") == nil else {
                return failure(43, "Multiple conflicting authentication mechanisms provided")
            }
            guard key == apiKey else { return failure(44, "Invalid API key") }
        } else {
            guard q("u") == username, let t = q("t"), let s = q("s"), !s.isEmpty else {
                return failure(40, "Wrong username or password")
            }
            let expected = Insecure.MD5.hash(data: Data((password + s).utf8)).map { String(format: "%02x", $0) }.joined()
            guard t == expected else { return failure(40, "Wrong username or password") }
        }
        guard q("f") == "json", q("v") == "1.16.1", q("c") == "tonearm" else {
            return failure(10, "expected f=json, v=1.16.1, c=tonearm")
        }

        switch name {
        case "ping":
            return ok([:])
        case "getOpenSubsonicExtensions":
            return ok([
                "openSubsonicExtensions": [
                    ["name": "formPost", "versions": [1]], ["name": "playbackReport", "versions": [1]],
                ]
            ])
        case "getNowPlaying":
            let now = Date()
            let entries: [[String: Any]] = state.withLock { s in
                s.plays.enumerated().map { i, play in
                    var entry: [String: Any] = play.song
                    entry["username"] = play.username
                    entry["minutesAgo"] = Int(now.timeIntervalSince(play.startedAt) / 60)
                    entry["playerId"] = i + 1
                    entry["playerName"] = play.playerName
                    entry["state"] = play.state
                    entry["positionMs"] = Self.position(play, at: now)
                    entry["playbackRate"] = play.rate
                    return entry
                }
            }
            return ok(["nowPlaying": entries.isEmpty ? [:] : ["entry": entries]])
        case "getSong":
            let song: [String: Any]? = state.withLock { s in
                s.getSongCalls += 1
                return q("id").flatMap { s.songs[$0] }
            }
            guard let song else { return failure(70, "Song not found") }
            return ok(["song": song])
        case "search3":
            // Titles containing the query, ignoring case (as Subsonic servers search songs).
            let wanted = (q("query") ?? "").lowercased()
            let found: [[String: Any]] = state.withLock { s in
                var songs: [[String: Any]] = []
                for id in s.songs.keys.sorted() {
                    let song: [String: Any] = s.songs[id]!
                    let title = (song["title"] as? String ?? "").lowercased()
                    if title.contains(wanted) { songs.append(song) }
                }
                return songs
            }
            return ok(["searchResult3": found.isEmpty ? [:] : ["song": found]])
        default:
            return failure(0, "Unknown method \(name)")
        }
    }

    private func ok(_ fields: [String: Any]) -> Response {
        var body: [String: Any] = [
            "status": "ok", "version": "1.16.1", "type": "navidrome", "serverVersion": "0.62.0", "openSubsonic": true,
        ]
        body.merge(fields) { $1 }
        return json(["subsonic-response": body])
    }

    private func failure(_ code: Int, _ message: String) -> Response {
        json([
            "subsonic-response": [
                "status": "failed", "version": "1.16.1", "type": "navidrome", "serverVersion": "0.62.0", "openSubsonic": true,
                "error": ["code": code, "message": message],
            ]
        ])
    }

    private func json(_ object: [String: Any]) -> Response {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
