import NavidromePDK

/// Where the title, artist and album art link to (`links`): MusicBrainz or ListenBrainz pages
/// by the track's MusicBrainz ids, Spotify, or nowhere.
enum ActivityLinks {
    case musicBrainz, listenBrainz, spotify, none

    /// The setting's value (`MusicBrainz`, `ListenBrainz`, `Spotify`, `None`, any case), or `nil`.
    init?(setting text: String) {
        let options: [(name: String, value: ActivityLinks)] = [
            ("musicbrainz", .musicBrainz), ("listenbrainz", .listenBrainz), ("spotify", .spotify), ("none", .none),
        ]
        guard let links = ActivityText.option(text, options) else { return nil }
        self = links
    }

    /// `details_url` (the recording), `state_url` (the artist) and `large_url` (the release, else
    /// the release group) for `track`; a link is left out when its id is unknown.
    func urls(_ track: TrackSummary, host: PluginHost) -> (details: String?, state: String?, large: String?) {
        switch self {
        case .none:
            return (nil, nil, nil)
        case .spotify:
            let trackURL = SpotifyLinks(host: host).trackURL(track)
            return (trackURL, SpotifyLinks.searchURL([track.artist]), trackURL)
        case .musicBrainz:
            let base = "https://musicbrainz.org/"
            return (Self.page(base, "recording/", track.recordingMBID, ""), Self.page(base, "artist/", track.artistMBID, ""),
                    Self.page(base, "release/", track.releaseMBID, "") ?? Self.page(base, "release-group/", track.releaseGroupMBID, ""))
        case .listenBrainz:
            let base = "https://listenbrainz.org/"
            return (Self.page(base, "track/", track.recordingMBID, "/"), Self.page(base, "artist/", track.artistMBID, "/"),
                    Self.page(base, "release/", track.releaseMBID, "/") ?? Self.page(base, "album/", track.releaseGroupMBID, "/"))
        }
    }

    /// `base` + `kind` + the id + `suffix`, or `nil` when the id is not a MusicBrainz UUID.
    static func page(_ base: String, _ kind: String, _ mbid: String, _ suffix: String) -> String? {
        let id = ActivityText.trimmed(mbid)
        guard isMBID(id) else { return nil }
        return base + kind + ActivityText.asciiLowercased(id) + suffix
    }

    /// 36 characters: hex digits with dashes at 8, 13, 18 and 23.
    static func isMBID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else {
                let folded = ActivityText.foldASCII(byte)
                guard (folded >= 0x30 && folded <= 0x39) || (folded >= 0x61 && folded <= 0x66) else { return false }
            }
        }
        return true
    }
}
