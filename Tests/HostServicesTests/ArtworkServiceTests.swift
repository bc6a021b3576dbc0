import Foundation
import Synchronization
import PluginRuntime
import Testing

@testable import HostServices

@Suite(.timeLimit(.minutes(2))) struct ArtworkServiceTests {
    final class WallClock: Sendable {
        let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        var now: Date { time.withLock { $0 } }
    }

    let secret = Array("0123456789abcdef0123456789abcdef".utf8)
    let base = URL(string: "https://tonearm.example.com/base/")!

    @Test func urlsForEachKindVerify() async throws {
        let clock = WallClock()
        let signer = ArtworkLinkSigner(secret: secret, publicBaseURL: base, lifetime: .seconds(3600), now: { clock.now })
        let f = ArtworkService(signer: signer).functions(for: makeContext())
        let cases: [(String, ArtworkKind)] = [
            ("artwork_getartisturl", .artist), ("artwork_getalbumurl", .album),
            ("artwork_gettrackurl", .track), ("artwork_getplaylisturl", .playlist),
        ]
        for (function, kind) in cases {
            let response = try await invoke(f[function], ["id": "id 1/ä", "size": 300])
            let url = try #require(response.json["url"] as? String)
            #expect(url.hasPrefix("https://tonearm.example.com/base/artwork/\(kind.rawValue)/id%201%2F%C3%A4?size=300&exp=1800003600&sig="))
            let names = Set((URLComponents(string: url)?.queryItems ?? []).map(\.name))
            #expect(names == ["size", "exp", "sig"])  // no Subsonic credentials
            #expect(try signer.verify(url: url) == ArtworkLink(kind: kind, id: "id 1/ä", size: 300))
        }
        // size ≤ 0 is left out and means the original size.
        let original = try #require(try await invoke(f["artwork_gettrackurl"], ["id": "t1", "size": 0]).json["url"] as? String)
        #expect(!original.contains("size="))
        #expect(try signer.verify(url: original).size == 0)
    }

    @Test func expiredAndTamperedLinksAreRefused() throws {
        let clock = WallClock()
        let signer = ArtworkLinkSigner(secret: secret, publicBaseURL: base, lifetime: .seconds(60), now: { clock.now })
        let url = signer.url(kind: .album, id: "al-1", size: 64)
        #expect(throws: Never.self) { try signer.verify(url: url) }
        clock.time.withLock { $0 += 61 }
        #expect(throws: ArtworkLinkError.expired) { try signer.verify(url: url) }
        clock.time.withLock { $0 -= 61 }

        let tampered = [
            url.replacingOccurrences(of: "al-1", with: "al-2"),
            url.replacingOccurrences(of: "size=64", with: "size=4096"),
            url.replacingOccurrences(of: "/al/", with: "/ar/"),
            url.replacingOccurrences(of: "exp=", with: "exp=9"),
            String(url.dropLast(2)) + "AA",
        ]
        for link in tampered {
            #expect(throws: ArtworkLinkError.self) { try signer.verify(url: link) }
            #expect((try? signer.verify(url: link)) == nil)
        }
        let foreign = ArtworkLinkSigner(secret: Array("another secret".utf8), publicBaseURL: base, now: { clock.now })
        #expect(throws: ArtworkLinkError.invalid("signature mismatch")) { try foreign.verify(url: url) }
        #expect(throws: ArtworkLinkError.self) { try signer.verify(kind: "xx", id: "1", query: [:]) }
    }
}
