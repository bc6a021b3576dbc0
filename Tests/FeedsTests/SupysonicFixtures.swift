import TestSupport
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One Supysonic for the tests that only read from it or stream as their own user
/// (bob, carol, dave, erin). Now playing lasts 10 s after a stream, so "stopped" is quick.
/// It lives as long as the test process (the launcher exits with its parent).
enum SharedSupysonic {
    private static let server = Task {
        try await SupysonicServer.start([
            "--user", "bob:bob-pass", "--user", "carol:carol-pass", "--user", "dave:dave-pass",
            "--user", "erin:erin-pass", "--now-playing-seconds", "10",
        ])
    }

    static func get() async throws -> SupysonicServer {
        try await server.value
    }
}

extension SupysonicServer.Info {
    /// Plays a track the way a Subsonic client does: `stream` as `user` (which makes
    /// Supysonic list it in getNowPlaying), reading the whole body.
    func stream(_ trackId: String, as user: String, client: String = "test-player") async throws {
        let password = users[user]!
        let url = "\(url)/rest/stream.view?u=\(user)&p=\(password)&c=\(client)&v=1.12.0&id=\(trackId)"
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok else { throw SupysonicServer.StartError(description: "stream failed: \(response.status)") }
    }
}
