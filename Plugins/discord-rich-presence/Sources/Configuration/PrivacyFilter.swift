import NavidromePDK

/// Tracks that must never reach Discord (`filterartists`, `filteralbumartists`, `filteralbums`,
/// `filtertitles`, `filterlibraries`; globally and per user). Rules are separated by newlines
/// or semicolons and compared ignoring ASCII case; `*` matches any run of characters and `?`
/// one character.
struct PrivacyFilter {
    /// What a filtered track shows.
    enum Action {
        /// Nothing: the presence is cleared.
        case clear
        /// "Listening to music", as with `hidedetails`.
        case generic
    }

    /// The configuration keys, global and per user alike.
    static let artistsKey = "filterartists"
    static let albumArtistsKey = "filteralbumartists"
    static let albumsKey = "filteralbums"
    static let titlesKey = "filtertitles"
    static let librariesKey = "filterlibraries"

    var artists: [String] = []
    var albumArtists: [String] = []
    var albums: [String] = []
    var titles: [String] = []
    var libraries: [Int32] = []

    var isEmpty: Bool {
        artists.isEmpty && albumArtists.isEmpty && albums.isEmpty && titles.isEmpty && libraries.isEmpty
    }

    /// Reads the five keys through `lookup`; a library id that is not a number is an error.
    static func read(_ lookup: (String) -> String?, keyPrefix: String = "") throws(ConfigError) -> PrivacyFilter {
        var filter = PrivacyFilter()
        filter.artists = rules(lookup(artistsKey))
        filter.albumArtists = rules(lookup(albumArtistsKey))
        filter.albums = rules(lookup(albumsKey))
        filter.titles = rules(lookup(titlesKey))
        for rule in rules(lookup(librariesKey)) {
            guard let id = PluginSettings.parseSeconds(rule), id <= Int(Int32.max) else {
                throw ConfigError(key: keyPrefix + librariesKey, "'\(rule)' is not a library id (a whole number)")
            }
            filter.libraries.append(Int32(id))
        }
        return filter
    }

    /// The rules of `filter` followed by this filter's.
    func adding(_ other: PrivacyFilter) -> PrivacyFilter {
        PrivacyFilter(artists: artists + other.artists, albumArtists: albumArtists + other.albumArtists,
                      albums: albums + other.albums, titles: titles + other.titles, libraries: libraries + other.libraries)
    }

    /// Whether a rule matches `track`.
    func matches(_ track: TrackSummary) -> Bool {
        if libraries.contains(track.libraryID) && track.libraryID != 0 { return true }
        return Self.anyMatches(artists, track.artist) || Self.anyMatches(albumArtists, track.albumArtist)
            || Self.anyMatches(albums, track.album) || Self.anyMatches(titles, track.title)
    }

    static func rules(_ value: String?) -> [String] {
        guard let value else { return [] }
        var rules: [String] = []
        for line in ActivityText.split(value, on: UInt8(ascii: "\n")) {
            rules += ActivityText.split(line, on: UInt8(ascii: ";"))
        }
        return rules
    }

    static func anyMatches(_ rules: [String], _ value: String) -> Bool {
        if rules.isEmpty { return false }
        let text = Array(ActivityText.trimmed(value).utf8)
        if text.isEmpty { return false }
        return rules.contains { glob(Array($0.utf8), matches: text) }
    }

    /// `*`/`?` glob over UTF-8 bytes, ASCII case folded; `?` consumes one whole UTF-8 scalar.
    static func glob(_ pattern: [UInt8], matches text: [UInt8]) -> Bool {
        var p = 0
        var t = 0
        var star: (pattern: Int, text: Int)?
        func scalarEnd(_ i: Int) -> Int {
            var j = i + 1
            while j < text.count, text[j] & 0xC0 == 0x80 { j += 1 }
            return j
        }
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = (p, t)
                p += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "?") {
                p += 1
                t = scalarEnd(t)
            } else if p < pattern.count, ActivityText.foldASCII(pattern[p]) == ActivityText.foldASCII(text[t]) {
                p += 1
                t += 1
            } else if let resume = star {
                let next = scalarEnd(resume.text)
                star = (resume.pattern, next)
                p = resume.pattern + 1
                t = next
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
