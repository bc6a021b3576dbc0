@testable import DiscordRichPresence
import NavidromePDK
import Testing

@Suite struct PrivacyFilterTests {
    func glob(_ pattern: String, _ text: String) -> Bool {
        PrivacyFilter.glob(Array(pattern.utf8), matches: Array(text.utf8))
    }

    @Test func globIsCaseInsensitiveWithStarsAndQuestionMarks() {
        #expect(glob("miles davis", "Miles Davis"))
        #expect(!glob("miles", "Miles Davis"))
        #expect(glob("miles*", "Miles Davis"))
        #expect(glob("*DAVIS", "Miles Davis"))
        #expect(glob("*l*s*", "Miles Davis"))
        #expect(glob("bj?rk", "Björk"))  // ? takes the whole two-byte ö
        #expect(!glob("bj?rk", "Bjoerk"))
        #expect(glob("*", "anything"))
        #expect(!glob("a*c", "abd"))
    }

    @Test func rulesSplitOnSemicolonsAndLinesAndMatchTheirField() throws {
        let filter = try PrivacyFilter.read { key in
            switch key {
            case "filterartists": return "Nobody;\n  guilty pleasure* "
            case "filteralbums": return "Secret Album"
            case "filterlibraries": return "3; 7"
            default: return nil
            }
        }
        #expect(filter.artists == ["Nobody", "guilty pleasure*"])
        #expect(filter.libraries == [3, 7])
        #expect(filter.matches(TrackSummary(id: "1", title: "T", artist: "Guilty Pleasures Band", album: "A", durationSeconds: 1)))
        #expect(filter.matches(TrackSummary(id: "1", title: "T", artist: "X", album: "secret album", durationSeconds: 1)))
        #expect(filter.matches(TrackSummary(id: "1", title: "T", artist: "X", album: "A", durationSeconds: 1, libraryID: 7)))
        #expect(!filter.matches(TrackSummary(id: "1", title: "Secret Album", artist: "X", album: "A", durationSeconds: 1, libraryID: 1)))
    }

    @Test func aLibraryThatIsNotANumberIsAnError() {
        #expect(throws: ConfigError.self) {
            try PrivacyFilter.read { $0 == "filterlibraries" ? "music" : nil }
        }
    }

    @Test func userRulesAddToTheGlobalOnes() throws {
        var settings = PluginSettings(clientID: "123456789012345678", users: [])
        settings.filter.titles = ["intro"]
        var user = DiscordUser(username: "bob", token: "t")
        user.filter.albumArtists = ["various*"]
        let track = TrackSummary(id: "1", title: "Song", artist: "A", album: "B", durationSeconds: 1, albumArtist: "Various Artists")
        #expect(settings.privacy(of: track, for: user) != nil)
        #expect(settings.privacy(of: track, for: DiscordUser(username: "alice", token: "t")) == nil)
    }
}

@Suite struct ServerAndVisibilityTests {
    @Test func serverTypesBecomeProductNames() {
        #expect(MusicServer.displayName(ofType: "navidrome") == "Navidrome")
        #expect(MusicServer.displayName(ofType: " gonic ") == "gonic")
        #expect(MusicServer.displayName(ofType: "mystery") == "Mystery")
        #expect(MusicServer.displayName(ofType: "") == "")
    }

    @Test func mbidsAreCheckedBeforeTheyBecomeLinks() {
        #expect(ActivityLinks.isMBID("5b11f4ce-a62d-471e-81fc-a69a8278c7da"))
        #expect(ActivityLinks.isMBID("5B11F4CE-A62D-471E-81FC-A69A8278C7DA"))
        #expect(!ActivityLinks.isMBID("5b11f4ce-a62d-471e-81fc-a69a8278c7d"))
        #expect(!ActivityLinks.isMBID("../../../../evil/../../a69a8278c7da00"))
        #expect(ActivityLinks.page("https://musicbrainz.org/", "release/", "not-an-id", "") == nil)
    }

    @Test func onlyAnotherSessionsInvisibleStatusCounts() throws {
        let ownInvisible = try JSONValue.parse(#"[{"session_id":"me","status":"invisible"},{"session_id":"all","status":"invisible"}]"#)
        #expect(!ClientVisibility.isInvisible(sessions: ownInvisible, ownSessionID: "me"))
        let clientInvisible = try JSONValue.parse(#"[{"session_id":"me","status":"online"},{"session_id":"desk","status":"invisible"}]"#)
        #expect(ClientVisibility.isInvisible(sessions: clientInvisible, ownSessionID: "me"))
        #expect(!ClientVisibility.isInvisible(sessions: .null, ownSessionID: "me"))
    }
}
