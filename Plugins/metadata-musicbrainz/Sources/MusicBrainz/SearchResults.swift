import NavidromePDK

/// One artist of a MusicBrainz artist search (`GET /ws/2/artist?query=…&fmt=json`).
struct ArtistCandidate {
    /// The artist's MBID.
    var id: String
    /// Artist name.
    var name: String
    /// Sort name (`Beatles, The`).
    var sortName: String
    /// Search relevance, 0–100.
    var score: Int64
}

extension ArtistCandidate: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(id: json.string("id"), name: json.string("name"), sortName: json.string("sort-name"),
                      score: searchScore(json))
    }
}

/// A MusicBrainz artist search answer: `{"created": …, "count": …, "offset": 0, "artists": […]}`.
struct ArtistSearchResult: JSONDecodable {
    var artists: [ArtistCandidate]

    init(json: JSONObjectReader) throws(JSONError) {
        artists = try json.array("artists", of: ArtistCandidate.self)
    }
}

/// A release as MusicBrainz describes it in a search result or a lookup with
/// `inc=release-groups`.
struct ReleaseSummary {
    /// The release's MBID.
    var id: String
    /// Release title.
    var title: String
    /// MBID of its release group (empty when not included).
    var releaseGroupID: String
    /// Search relevance, 0–100 (0 in lookups).
    var score: Int64
}

extension ReleaseSummary: JSONDecodable {
    init(json: JSONObjectReader) throws(JSONError) {
        try self.init(id: json.string("id"), title: json.string("title"),
                      releaseGroupID: json.optionalObject("release-group")?.string("id") ?? "", score: searchScore(json))
    }
}

/// A MusicBrainz release search answer: `{"count": …, "releases": […]}`.
struct ReleaseSearchResult: JSONDecodable {
    var releases: [ReleaseSummary]

    init(json: JSONObjectReader) throws(JSONError) {
        releases = try json.array("releases", of: ReleaseSummary.self)
    }
}

/// The `score` of a search result: a number in MusicBrainz's JSON (older answers wrote it as a
/// string, which is accepted too); 0 when missing.
func searchScore(_ json: JSONObjectReader) throws(JSONError) -> Int64 {
    switch json.value("score") {
    case .int(let value)?:
        return value
    case .string(let text)?:
        var value: Int64 = 0
        for b in text.utf8 {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9"), value < 1000 else { return 0 }
            value = value * 10 + Int64(b - UInt8(ascii: "0"))
        }
        return value
    default:
        return 0
    }
}
