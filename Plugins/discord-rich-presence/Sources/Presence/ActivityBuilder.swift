import NavidromePDK

/// Builds the activity for a track from the settings (name mode, templates, member-list line,
/// privacy) and the playback state. Images and links are filled in by the caller once resolved.
enum ActivityBuilder {
    /// Playing (running timestamps) or paused (elapsed-since-pause, no end time).
    enum Playback {
        case playing(start: Int64, end: Int64?)
        case paused(since: Int64)
    }

    /// The activity for `track`. `serverName` is the `Default` activity name; `generic` shows
    /// only that music plays (a privacy filter's `Generic` action), as `hidedetails` does.
    static func build(track: TrackSummary, playback: Playback, user: DiscordUser, settings: PluginSettings,
                      serverName: String, generic: Bool = false) -> Activity {
        var activity: Activity
        let hidden = user.hideDetails || generic
        if hidden {
            activity = Activity(name: serverName, applicationID: settings.clientID, statusDisplayType: StatusDisplay.name.code,
                                details: "Listening to music", start: 0)
        } else {
            activity = Activity(name: activityName(track: track, mode: settings.activityName, serverName: serverName),
                                applicationID: settings.clientID, statusDisplayType: settings.statusDisplay(for: user).code,
                                details: settings.detailsTemplate.fill(track), start: 0)
            activity.state = settings.stateTemplate.fill(track)
            activity.largeText = settings.largeTextTemplate.fill(track)
        }
        switch playback {
        case .playing(let start, let end):
            activity.start = start
            // A hidden track must not reveal its length.
            activity.end = hidden ? nil : end
        case .paused(let since):
            activity.start = since
            activity.smallText = "Paused"
        }
        return activity
    }

    /// The activity `name` for the `activityname` mode; `serverName` when that is empty.
    static func activityName(track: TrackSummary, mode: PluginSettings.ActivityName, serverName: String) -> String {
        let name: String
        switch mode {
        case .standard: return serverName
        case .track: name = track.title
        case .album: name = track.album
        case .artist: name = track.artist
        case .custom(let template): name = template.fill(track)
        }
        return ActivityText.trimmed(name).isEmpty ? serverName : name
    }
}
