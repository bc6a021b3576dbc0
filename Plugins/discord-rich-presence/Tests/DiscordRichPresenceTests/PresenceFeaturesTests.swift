@testable import DiscordRichPresence
import NavidromePDK
import NavidromePDKTesting
import Testing

/// The presence features beyond the track itself, through the plugin's exports against the
/// in-memory host: server name, member-list line, templates, links, privacy filters, the logo
/// overlay, Cover Art Archive for tracks the server does not know, and the user's own
/// invisible status.
@Suite struct PresenceFeaturesTests {
    static let clientID = "123456789012345678"
    static let assetsURL = "https://discord.com/api/v9/applications/\(clientID)/external-assets"
    static let recording = "5b11f4ce-a62d-471e-81fc-a69a8278c7da"
    static let artistID = "561d854a-6a28-4aa7-8c99-323e6ce46c2a"
    static let release = "8e8a594f-2175-4d39-a0f8-e8a2b6c5d0b2"
    static let ready = #"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://resume.test","sessions":[]}}"#

    let host = TestHost()
    let track = TrackInfo(id: "t1", title: "Song", album: "Album", artist: "Artist", albumArtist: "Various",
                          artists: [ArtistRef(name: "Artist", mbid: artistID)], duration: 215.5,
                          mbzRecordingId: recording, mbzAlbumId: release, libraryId: 2)

    init() {
        host.config = ["clientid": Self.clientID, "users": "alice:token-a"]
        host.unixMilliseconds = 1_700_000_000_000
        host.http.respond("POST", Self.assetsURL, body: #"[{"external_asset_path":"external/art"}]"#)
        serverSays(#"{"subsonic-response":{"status":"ok","type":"navidrome","serverVersion":"0.58.0","song":{"year":1959}}}"#)
    }

    func serverSays(_ responseJSON: String?) {
        guard let responseJSON else {
            host.answer("subsonicapi_call", with: #"{"error":"no Subsonic server"}"#)
            return
        }
        var answer = JSONObject()
        answer["responseJson"] = .string(responseJSON)
        host.answer("subsonicapi_call", with: JSONValue.object(answer).serializedString())
    }

    /// Plays `track` for `user` through a full handshake and returns the last op 3's `d`.
    @discardableResult
    func play(_ track: TrackInfo? = nil, user: String = "alice", ready: String = Self.ready) throws -> JSONValue? {
        let result = host.call(DiscordPlugin.ndScrobblerPlaybackReport, PlaybackReportRequest(
            username: user, track: track ?? self.track, state: "playing", positionMs: 0, playbackRate: 1,
            playerId: "p1", playerName: "Feishin", timestamp: 1_700_000_000))
        #expect(result.succeeded)
        if host.websocket.connects.contains(where: { $0.id == user }), try frames(user).isEmpty {
            host.websocket.deliver(text: #"{"op":10,"d":{"heartbeat_interval":41250}}"#, on: user, to: DiscordPlugin.ndWebsocketOnTextMessage)
            host.websocket.deliver(text: ready, on: user, to: DiscordPlugin.ndWebsocketOnTextMessage)
        }
        return try frames(user).last { $0["op"]?.int64Value == 3 }?["d"]
    }

    func frames(_ user: String = "alice") throws -> [JSONValue] {
        try host.websocket.sentText(on: user).map { text throws(JSONError) in try JSONValue.parse(text) }
    }

    func activity(_ presence: JSONValue?) -> JSONValue? {
        presence?["activities"]?.arrayValue?.first
    }

    @Test func defaultNameIsWhatTheServerSaysItIs() throws {
        let shown = try #require(activity(try play()))
        #expect(shown["name"]?.stringValue == "Navidrome")
        #expect(shown["status_display_type"]?.int64Value == 2)
        #expect(host.hostCalls(to: "subsonicapi_call").first?.request.contains("/ping?u=alice") == true)
    }

    @Test func serverThatDoesNotSayIsMusicWithTheApplicationsIcon() throws {
        serverSays(nil)
        host.artworkBaseURL = ""
        let shown = try #require(activity(try play()))
        #expect(shown["name"]?.stringValue == "Music")
        // No art and no Navidrome: no default image, so Discord shows the application's icon.
        #expect(shown["assets"] == nil)
        #expect(host.http.requests.allSatisfy { !$0.bodyText.contains("logo.webp") })
    }

    @Test func customServerNameDefaultImageAndOverlay() throws {
        host.artworkBaseURL = ""
        host.config["servername"] = "Jukebox"
        host.config["defaultimage"] = "https://img.example.org/jukebox.png"
        host.config["overlay"] = "true"
        host.config["overlayimage"] = "https://img.example.org/badge.png"
        let shown = try #require(activity(try play()))
        #expect(shown["name"]?.stringValue == "Jukebox")
        #expect(shown["assets"]?["large_image"]?.stringValue == "mp:external/art")
        #expect(shown["assets"]?["small_image"]?.stringValue == "mp:external/art")
        #expect(shown["assets"]?["small_text"]?.stringValue == "Jukebox")
        let registered = host.http.requests.filter { $0.url == Self.assetsURL }.map(\.bodyText)
        #expect(registered == [#"{"urls":["https://img.example.org/jukebox.png"]}"#, #"{"urls":["https://img.example.org/badge.png"]}"#])
    }

    @Test func memberListLineIsChosenPerUser() throws {
        host.config["statusdisplay"] = "State"
        host.config["users"] = #"[{"username":"alice","token":"token-a","statusdisplay":"name"},{"username":"bob","token":"token-b"}]"#
        #expect(activity(try play())?["status_display_type"]?.int64Value == 0)
        #expect(activity(try play(user: "bob"))?["status_display_type"]?.int64Value == 1)
    }

    @Test func templatesFillEachLine() throws {
        host.config["detailstemplate"] = "{track} ({year})"
        host.config["statetemplate"] = "{artist} via {player}"
        host.config["largetexttemplate"] = "{album} / {albumartist}"
        let shown = try #require(activity(try play()))
        #expect(shown["details"]?.stringValue == "Song (1959)")
        #expect(shown["state"]?.stringValue == "Artist via Feishin")
        #expect(shown["assets"]?["large_text"]?.stringValue == "Album / Various")
        #expect(host.hostCalls(to: "subsonicapi_call").contains { $0.request.contains("/getSong?u=alice&id=t1") })
    }

    @Test func musicBrainzLinksByDefaultListenBrainzOnRequestNoneWhenHidden() throws {
        let shown = try #require(activity(try play()))
        #expect(shown["details_url"]?.stringValue == "https://musicbrainz.org/recording/\(Self.recording)")
        #expect(shown["state_url"]?.stringValue == "https://musicbrainz.org/artist/\(Self.artistID)")
        #expect(shown["assets"]?["large_url"]?.stringValue == "https://musicbrainz.org/release/\(Self.release)")

        let urls = ActivityLinks.listenBrainz.urls(DiscordPlugin.summary(track), host: PluginHost())
        #expect(urls.details == "https://listenbrainz.org/track/\(Self.recording)/")
        #expect(urls.state == "https://listenbrainz.org/artist/\(Self.artistID)/")
        #expect(urls.large == "https://listenbrainz.org/release/\(Self.release)/")

        host.config["users"] = #"[{"username":"alice","token":"token-a","hidedetails":true}]"#
        let hidden = try #require(activity(try play(TrackInfo(id: "t2", title: "Other", artist: "Artist", duration: 100, mbzRecordingId: Self.recording))))
        #expect(hidden["details_url"] == nil && hidden["state_url"] == nil)
    }

    @Test func aFilteredTrackNeverReachesDiscord() throws {
        host.config["filterartists"] = "Someone Else; art*"
        _ = try play()
        #expect(host.websocket.connects.isEmpty)
        #expect(host.http.requests.isEmpty)

        // Per user: bob's own rule hides the album, alice's presence is unaffected.
        host.config["filterartists"] = nil
        host.config["users"] = #"[{"username":"alice","token":"token-a"},{"username":"bob","token":"token-b","filteralbums":"ALBUM"}]"#
        _ = try play(user: "bob")
        #expect(!host.websocket.connects.contains { $0.id == "bob" })
        #expect(activity(try play())?["details"]?.stringValue == "Song")
    }

    @Test func aFilteredTrackClearsWhatWasShown() throws {
        #expect(activity(try play())?["details"]?.stringValue == "Song")
        host.config["filterlibraries"] = "2"
        host.advance(seconds: 30)
        _ = try play(TrackInfo(id: "t9", title: "Secret", artist: "Artist", duration: 100, libraryId: 2))
        let last = try #require(try frames().last { $0["op"]?.int64Value == 3 })
        #expect(last["d"]?["activities"]?.arrayValue?.isEmpty == true)
        #expect(host.websocket.closes.contains { $0.connectionId == "alice" && $0.code == 1000 })
        #expect(try frames().allSatisfy { !$0.serializedString().contains("Secret") })
    }

    @Test func genericFilterActionShowsOnlyThatMusicPlays() throws {
        host.config["filtertitles"] = "s?ng"
        host.config["filteraction"] = "Generic"
        let shown = try #require(activity(try play()))
        #expect(shown["details"]?.stringValue == "Listening to music")
        #expect(shown["state"] == nil && shown["details_url"] == nil)
        #expect(host.http.requests.allSatisfy { !$0.bodyText.contains("artwork/track/t1") })
    }

    @Test func trackWithoutServerIDGetsCoverArtArchiveArt() throws {
        let caa = "https://coverartarchive.org/release/\(Self.release)/front-500"
        host.http.respond("HEAD", caa, status: 307, headers: ["Location": "https://archive.org/front.jpg"], body: "")
        let pushed = TrackInfo(title: "Song", album: "Album", artist: "Artist", duration: 100, mbzAlbumId: Self.release)
        _ = try play(pushed)
        #expect(host.http.requests.contains { $0.method == "HEAD" && $0.url == caa })
        #expect(host.http.requests.contains { $0.bodyText == #"{"urls":["https://archive.org/front.jpg"]}"# })
    }

    @Test func invisibleClientHidesThePresenceUntilItChanges() throws {
        let invisibleReady = #"{"op":0,"t":"READY","s":1,"d":{"session_id":"s1","resume_gateway_url":"wss://r.test","sessions":[{"session_id":"s1","status":"online"},{"session_id":"all","status":"invisible"},{"session_id":"desk","status":"invisible"}]}}"#
        let hidden = try #require(try play(ready: invisibleReady))
        #expect(hidden["status"]?.stringValue == "invisible")
        #expect(hidden["activities"]?.arrayValue?.isEmpty == true)

        // The client comes back online: the stored track is shown.
        let online = #"{"op":0,"t":"SESSIONS_REPLACE","s":2,"d":[{"session_id":"s1","status":"invisible"},{"session_id":"desk","status":"online"}]}"#
        host.advance(seconds: 30)
        host.websocket.deliver(text: online, on: "alice", to: DiscordPlugin.ndWebsocketOnTextMessage)
        let shown = try #require(try frames().last { $0["op"]?.int64Value == 3 }?["d"])
        #expect(shown["status"]?.stringValue == "online")
        #expect(activity(shown)?["details"]?.stringValue == "Song")

        // Our own session's echo changes nothing; the client going invisible hides it again.
        let count = try frames().count
        host.websocket.deliver(text: online, on: "alice", to: DiscordPlugin.ndWebsocketOnTextMessage)
        #expect(try frames().count == count)
        host.advance(seconds: 30)
        host.websocket.deliver(text: #"{"op":0,"t":"SESSIONS_REPLACE","s":3,"d":[{"session_id":"desk","status":"invisible"}]}"#,
                               on: "alice", to: DiscordPlugin.ndWebsocketOnTextMessage)
        #expect(try frames().last?["d"]?["status"]?.stringValue == "invisible")
    }
}
