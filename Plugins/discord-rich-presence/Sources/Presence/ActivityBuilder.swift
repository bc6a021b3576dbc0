import NavidromePDK

/// Builds the activity for a track from the settings (name mode, privacy) and the playback
/// state. Images and links are filled in by the caller once resolved.
enum ActivityBuilder {
    /// Playing (running timestamps) or paused (elapsed-since-pause, no end time).
    enum Playback {
        case playing(start: Int64, end: Int64?)
        case paused(since: Int64)
    }

    static func build(track: TrackSummary, playback: Playback, user: DiscordUser, settings: PluginSettings) -> Activity {
        var activity: Activity
        if user.hideDetails {
            activity = Activity(name: "Navidrome", applicationID: settings.clientID, statusDisplayType: 0,
                                details: "Listening to music", start: 0)
        } else {
            let (name, display) = activityName(track: track, mode: settings.activityName)
            activity = Activity(name: name, applicationID: settings.clientID, statusDisplayType: display,
                                details: track.title, start: 0)
            activity.state = track.artist
            activity.largeText = track.album
        }
        switch playback {
        case .playing(let start, let end):
            activity.start = start
            // A hidden track must not reveal its length.
            activity.end = user.hideDetails ? nil : end
        case .paused(let since):
            activity.start = since
            activity.smallText = "Paused"
        }
        return activity
    }

    /// The activity `name` and `status_display_type` for the `activityname` mode.
    static func activityName(track: TrackSummary, mode: PluginSettings.ActivityName) -> (String, Int) {
        let name: String
        switch mode {
        case .standard: return ("Navidrome", 2)
        case .track: name = track.title
        case .album: name = track.album
        case .artist: name = track.artist
        case .custom(let template):
            name = fill(template, track: track)
        }
        if ActivityText.trimmed(name).isEmpty { return ("Navidrome", 2) }
        return (name, 0)
    }

    /// `template` with `{track}`, `{artist}` and `{album}` replaced in one pass (so a title that
    /// itself contains "{album}" stays as it is).
    static func fill(_ template: String, track: TrackSummary) -> String {
        let source = Array(template.utf8)
        let placeholders: [(String, String)] = [("{track}", track.title), ("{artist}", track.artist), ("{album}", track.album)]
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
