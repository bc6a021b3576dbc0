import NavidromePDK

/// A text template (`activitynametemplate`, `detailstemplate`, `statetemplate`,
/// `largetexttemplate`) with `{track}`, `{artist}`, `{album}`, `{albumartist}`, `{year}` and
/// `{player}` filled in from a track. Unknown placeholders stay as written.
struct ActivityTemplate {
    static let details = ActivityTemplate("{track}")
    static let state = ActivityTemplate("{artist}")
    static let largeText = ActivityTemplate("{album}")

    let text: String

    init(_ text: String) {
        self.text = text
    }

    /// Whether filling needs the track's year (which costs a server lookup).
    var usesYear: Bool {
        ActivityText.contains(text, "{year}")
    }

    /// The template filled in one pass (so a title that itself contains "{album}" stays as it is).
    func fill(_ track: TrackSummary) -> String {
        let source = Array(text.utf8)
        let year = track.year > 0 ? String(track.year) : ""
        let placeholders: [(String, String)] = [
            ("{track}", track.title), ("{artist}", track.artist), ("{album}", track.album),
            ("{albumartist}", track.albumArtist), ("{year}", year), ("{player}", track.playerName),
        ]
        var out: [UInt8] = []
        var i = 0
        scan: while i < source.count {
            if source[i] == UInt8(ascii: "{") {
                for (placeholder, value) in placeholders {
                    let needle = placeholder.utf8
                    if i + needle.count <= source.count, source[i..<(i + needle.count)].elementsEqual(needle) {
                        out.append(contentsOf: value.utf8)
                        i += needle.count
                        continue scan
                    }
                }
            }
            out.append(source[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
