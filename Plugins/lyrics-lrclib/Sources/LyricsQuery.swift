import NavidromePDK

/// What is asked of LRCLIB for one track: its signature (artist, title, album, duration).
struct LyricsQuery {
    /// Track artist (required by LRCLIB).
    var artist: String
    /// Track title (required by LRCLIB).
    var title: String
    /// Album name; left out of the request when empty.
    var album: String
    /// Duration in whole seconds (LRCLIB matches within ±2 s); left out when 0.
    var durationSeconds: Int64

    /// The query for `track`: its display artist (or its first artist's name), title, album and
    /// duration rounded to whole seconds.
    init(track: TrackInfo) {
        var artist = track.artist
        if artist.utf8.isEmpty, let first = track.artists.first { artist = first.name }
        let seconds = track.duration > 0 ? Int64(track.duration + 0.5) : 0
        self.init(artist: artist, title: track.title, album: track.album, durationSeconds: seconds)
    }

    init(artist: String, title: String, album: String, durationSeconds: Int64) {
        self.artist = artist
        self.title = title
        self.album = album
        self.durationSeconds = durationSeconds
    }

    /// True when LRCLIB can be asked at all (it requires an artist and a title).
    var isAnswerable: Bool { !artist.utf8.isEmpty && !title.utf8.isEmpty }

    /// `<base>/api/get?artist_name=…&track_name=…[&album_name=…][&duration=…]`.
    func url(base: String) -> String {
        var query = QueryString()
        query.add("artist_name", artist)
        query.add("track_name", title)
        if !album.utf8.isEmpty { query.add("album_name", album) }
        if durationSeconds > 0 { query.add("duration", "\(durationSeconds)") }
        return base + "/api/get?" + query.text
    }

    /// Cache key of this query: `lrclib:` and a 64-bit FNV-1a hash of its fields in hex (names
    /// may be long and hold any character; the hash keeps keys short and plain).
    var cacheKey: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for b in text.utf8 { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ 0x1F) &* 0x0000_0100_0000_01B3  // field separator
        }
        mix(artist); mix(title); mix(album); mix("\(durationSeconds)")
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var digits: [UInt8] = []
        for shift in stride(from: 60, through: 0, by: -4) { digits.append(hex[Int((hash >> UInt64(shift)) & 0xF)]) }
        return "lrclib:" + String(decoding: digits, as: UTF8.self)
    }
}
