import NavidromeABI
import PluginRuntime

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
        let signer = self.signer
        return hostFunctions(
            hostFunction(ArtworkGetArtistUrlRequest.self) { r in
                ArtworkGetArtistUrlResponse(url: signer.url(kind: .artist, id: r.id, size: Int(r.size)))
            },
            hostFunction(ArtworkGetAlbumUrlRequest.self) { r in
                ArtworkGetAlbumUrlResponse(url: signer.url(kind: .album, id: r.id, size: Int(r.size)))
            },
            hostFunction(ArtworkGetTrackUrlRequest.self) { r in
                ArtworkGetTrackUrlResponse(url: signer.url(kind: .track, id: r.id, size: Int(r.size)))
            },
            hostFunction(ArtworkGetPlaylistUrlRequest.self) { r in
                ArtworkGetPlaylistUrlResponse(url: signer.url(kind: .playlist, id: r.id, size: Int(r.size)))
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
