import NavidromeJSON

// `artwork_get*url`: `<artworkBaseURL>/<kind>/<id>?size=<size>` (``TestHost/artworkBaseURL``).
extension HostState {
    mutating func handleArtwork(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        let kind: String
        switch function {
        case "artwork_getartisturl": kind = "artist"
        case "artwork_getalbumurl": kind = "album"
        case "artwork_gettrackurl": kind = "track"
        case "artwork_getplaylisturl": kind = "playlist"
        default: throw HostError.noAnswer(function)
        }
        guard !artworkBaseURL.isEmpty else { return }
        response.set("url", "\(artworkBaseURL)/\(kind)/\(try request.string("id"))?size=\(try request.int32("size"))")
    }
}
