@testable import DiscordRichPresence
import NavidromePDK
import Testing

@Suite struct ActivityBuilderTests {
    let track = TrackSummary(id: "t1", title: "Song", artist: "Artist", album: "Album", durationSeconds: 200)
    let user = DiscordUser(username: "alice", token: "token")

    func settings(_ mode: PluginSettings.ActivityName = .standard) -> PluginSettings {
        var settings = PluginSettings(clientID: "123456789012345678", users: [user])
        settings.activityName = mode
        return settings
    }

    @Test func standardActivityShowsTrackArtistAndAlbum() {
        let activity = ActivityBuilder.build(track: track, playback: .playing(start: 1_000, end: 201_000), user: user, settings: settings(), serverName: "Navidrome")
        #expect(activity.name == "Navidrome")
        #expect(activity.statusDisplayType == 2)
        #expect(activity.applicationID == "123456789012345678")
        #expect(activity.details == "Song")
        #expect(activity.state == "Artist")
        #expect(activity.largeText == "Album")
        #expect(activity.start == 1_000)
        #expect(activity.end == 201_000)
        #expect(activity.smallText == nil)
    }

    @Test func activityNameModes() {
        #expect(ActivityBuilder.activityName(track: track, mode: .standard, serverName: "gonic") == "gonic")
        #expect(ActivityBuilder.activityName(track: track, mode: .track, serverName: "Music") == "Song")
        #expect(ActivityBuilder.activityName(track: track, mode: .album, serverName: "Music") == "Album")
        #expect(ActivityBuilder.activityName(track: track, mode: .artist, serverName: "Music") == "Artist")
        #expect(ActivityBuilder.activityName(track: track, mode: .custom(template: ActivityTemplate("{artist} – {track}")), serverName: "Music") == "Artist – Song")
    }

    @Test func emptyNameFallsBackToTheServerName() {
        let untitled = TrackSummary(id: "t2", title: "Song", artist: "Artist", album: "  ", durationSeconds: 0)
        #expect(ActivityBuilder.activityName(track: untitled, mode: .album, serverName: "Music") == "Music")
        #expect(ActivityBuilder.activityName(track: untitled, mode: .custom(template: ActivityTemplate("{album}")), serverName: "Music") == "Music")
    }

    @Test func memberListLineFollowsTheNameModeUnlessSet() {
        var chosen = settings(.track)
        #expect(ActivityBuilder.build(track: track, playback: .playing(start: 1, end: nil), user: user, settings: chosen, serverName: "Music").statusDisplayType == 0)
        chosen.statusDisplay = .state
        #expect(ActivityBuilder.build(track: track, playback: .playing(start: 1, end: nil), user: user, settings: chosen, serverName: "Music").statusDisplayType == 1)
        var own = user
        own.statusDisplay = .details
        #expect(ActivityBuilder.build(track: track, playback: .playing(start: 1, end: nil), user: own, settings: chosen, serverName: "Music").statusDisplayType == 2)
        #expect(ActivityBuilder.build(track: track, playback: .playing(start: 1, end: nil), user: user, settings: settings(), serverName: "Music").statusDisplayType == 2)
    }

    @Test func templatesFillTheThreeLines() {
        var chosen = settings()
        chosen.detailsTemplate = ActivityTemplate("{track} ({year})")
        chosen.stateTemplate = ActivityTemplate("{artist} on {player}")
        chosen.largeTextTemplate = ActivityTemplate("{album} by {albumartist}")
        var played = TrackSummary(id: "t1", title: "Song", artist: "Artist", album: "Album", durationSeconds: 200, albumArtist: "Various")
        played.year = 1959
        played.playerName = "Feishin"
        let activity = ActivityBuilder.build(track: played, playback: .playing(start: 1, end: nil), user: user, settings: chosen, serverName: "Music")
        #expect(activity.details == "Song (1959)")
        #expect(activity.state == "Artist on Feishin")
        #expect(activity.largeText == "Album by Various")
        #expect(chosen.detailsTemplate.usesYear && !chosen.stateTemplate.usesYear)
    }

    @Test func genericFilterActionShowsOnlyThatMusicPlays() {
        let activity = ActivityBuilder.build(track: track, playback: .playing(start: 5, end: 9), user: user, settings: settings(),
                                             serverName: "Music", generic: true)
        #expect(activity.name == "Music")
        #expect(activity.details == "Listening to music")
        #expect(activity.state == nil && activity.end == nil)
    }

    @Test func templateIsFilledInOnePass() {
        let tricky = TrackSummary(id: "t3", title: "{album}", artist: "{track}", album: "Album", durationSeconds: 1)
        #expect(ActivityTemplate("{track} by {artist} on {album} {unknown}").fill(tricky) == "{album} by {track} on Album {unknown}")
        #expect(ActivityTemplate("{trac").fill(tricky) == "{trac")
        #expect(ActivityTemplate("{track} ({year})").fill(tricky) == "{album} ()")
    }

    @Test func privacyModeHidesTheTrackAndItsLength() {
        var hidden = user
        hidden.hideDetails = true
        let activity = ActivityBuilder.build(track: track, playback: .playing(start: 5, end: 200_005), user: hidden, settings: settings(.track), serverName: "Navidrome")
        #expect(activity.name == "Navidrome")
        #expect(activity.details == "Listening to music")
        #expect(activity.state == nil)
        #expect(activity.largeText == nil)
        #expect(activity.start == 5)
        #expect(activity.end == nil)
    }

    @Test func pausedActivityCountsFromThePause() {
        let activity = ActivityBuilder.build(track: track, playback: .paused(since: 42_000), user: user, settings: settings(), serverName: "Navidrome")
        #expect(activity.start == 42_000)
        #expect(activity.end == nil)
        #expect(activity.smallText == "Paused")
    }

    @Test func encodedActivityRespectsDiscordsLimits() throws {
        let long = TrackSummary(id: "t4", title: String(repeating: "x", count: 200), artist: " ", album: "A", durationSeconds: 1)
        var activity = ActivityBuilder.build(track: long, playback: .playing(start: 1, end: nil), user: user, settings: settings(), serverName: "Navidrome")
        activity.largeImage = "mp:external/abc"
        activity.detailsURL = "ftp://not-http"
        let json = activity.json()
        #expect(json["type"]?.int64Value == 2)
        #expect(json["details"]?.stringValue == String(repeating: "x", count: 127) + "…")
        #expect(json["state"] == nil)  // blank
        #expect(json["details_url"] == nil)
        #expect(json["timestamps"]?["end"] == nil)
        #expect(json["assets"]?["large_image"]?.stringValue == "mp:external/abc")
        #expect(json["assets"]?["large_text"] == nil)  // one character: left out
    }
}
