import PluginRuntime
import TonearmJSON

/// Navidrome's Artwork service: public URLs for artist, album, track and playlist art
/// (`artwork_getartisturl`, `artwork_getalbumurl`, `artwork_gettrackurl`,
/// `artwork_getplaylisturl`, each `{id, size}` → `{url}`).
///
/// The URLs are signed, expiring links to Tonearm's own HTTP server (see ``ArtworkLinkSigner``),
/// which serves the image from the upstream server's `getCoverArt`. Like Navidrome, the calls
/// never fail and do not check that the id exists.
public struct ArtworkService: HostService {
    public let permission: String? = "artwork"
    public let functionPrefix = "artwork"

    private let signer: ArtworkLinkSigner

    public init(signer: ArtworkLinkSigner) {
        self.signer = signer
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let functions: [(String, ArtworkKind)] = [
            ("artwork_getartisturl", .artist), ("artwork_getalbumurl", .album),
            ("artwork_gettrackurl", .track), ("artwork_getplaylisturl", .playlist),
        ]
        let signer = self.signer
        return Dictionary(uniqueKeysWithValues: functions.map { name, kind in
            (name, hostFunction { r in
                var response = JSONResponse()
                response.set("url", .string(signer.url(kind: kind, id: try r.string("id"), size: Int(try r.int32("size")))))
                return response
            })
        })
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
