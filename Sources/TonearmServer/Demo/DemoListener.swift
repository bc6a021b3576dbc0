import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The demo's listener: plays a short loop of made-up tracks by posting `playing_now` to serve's
/// own ListenBrainz API, as a player would.
struct DemoListener: Sendable {
    struct Track: Sendable {
        var title: String
        var artist: String
        var album: String
        var seconds: Int
    }

    static let tracks = [
        Track(title: "Harbour Lights", artist: "The Tonearms", album: "Demo Reel", seconds: 214),
        Track(title: "Needle Drop", artist: "The Tonearms", album: "Demo Reel", seconds: 187),
        Track(title: "Side B", artist: "Cartridge & Stylus", album: "Run-out Groove", seconds: 242),
    ]

    let baseURL: String
    let token: String
    let logger: Logger

    /// Plays until cancelled.
    func run() async {
        var index = 0
        while !Task.isCancelled {
            let track = Self.tracks[index % Self.tracks.count]
            await post(track)
            index += 1
            try? await Task.sleep(for: .seconds(track.seconds))
        }
    }

    private func post(_ track: Track) async {
        let body = """
            {"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":\(quoted(track.artist)),\
            "track_name":\(quoted(track.title)),"release_name":\(quoted(track.album)),\
            "additional_info":{"duration_ms":\(track.seconds * 1000),"media_player":"Tonearm demo"}}}]}
            """
        var request = HTTPClientRequest(url: "\(baseURL)/1/submit-listens")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Token \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            if response.status != .ok { logger.warning("demo listener: playing_now got \(response.status.code)") }
        } catch {
            logger.warning("demo listener: playing_now failed: \(error)")
        }
    }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
