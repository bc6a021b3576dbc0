@_extern(wasm, module: "extism:host/user", name: "artwork_getartisturl") @_extern(c, "nd_host_artwork_getartisturl")
func nd_host_artwork_getartisturl(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "artwork_getalbumurl") @_extern(c, "nd_host_artwork_getalbumurl")
func nd_host_artwork_getalbumurl(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "artwork_gettrackurl") @_extern(c, "nd_host_artwork_gettrackurl")
func nd_host_artwork_gettrackurl(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "artwork_getplaylisturl") @_extern(c, "nd_host_artwork_getplaylisturl")
func nd_host_artwork_getplaylisturl(_ request: Int64) -> Int64

/// Navidrome's Artwork service (permission `artwork`): public image URLs. `size` ≤ 0 means the
/// original size. Without a configured public URL Navidrome returns `http://localhost/…`.
public enum ArtworkService {
    static func url(_ function: String, _ host: (Int64) -> Int64, _ id: String, _ size: Int32) throws(PluginError) -> String {
        var req = JSONObjectWriter()
        req.set("id", id)
        req.set("size", size)
        let r = try HostCall.call(function, host, req)
        return try HostCall.read(function) { () throws(JSONError) -> String in try r.string("url") }
    }

    public static func getArtistUrl(id: String, size: Int32 = 0) throws(PluginError) -> String {
        try url("artwork_getartisturl", nd_host_artwork_getartisturl, id, size)
    }

    public static func getAlbumUrl(id: String, size: Int32 = 0) throws(PluginError) -> String {
        try url("artwork_getalbumurl", nd_host_artwork_getalbumurl, id, size)
    }

    public static func getTrackUrl(id: String, size: Int32 = 0) throws(PluginError) -> String {
        try url("artwork_gettrackurl", nd_host_artwork_gettrackurl, id, size)
    }

    public static func getPlaylistUrl(id: String, size: Int32 = 0) throws(PluginError) -> String {
        try url("artwork_getplaylisturl", nd_host_artwork_getplaylisturl, id, size)
    }
}
