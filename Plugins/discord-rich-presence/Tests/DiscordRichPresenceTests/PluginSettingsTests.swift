@testable import DiscordRichPresence
import Testing

@Suite struct PluginSettingsTests {
    let clientID = "123456789012345678"

    func load(_ config: [String: String], onlyUser: String? = nil) throws(ConfigError) -> PluginSettings {
        try PluginSettings.load({ config[$0] }, onlyUser: onlyUser)
    }

    func problem(_ config: [String: String]) -> ConfigError? {
        do {
            _ = try load(config)
            return nil
        } catch {
            return error
        }
    }

    @Test func minimalConfigurationGetsTheDefaults() throws {
        let settings = try load(["clientid": " \(clientID) ", "users": "alice:token-a"])
        #expect(settings.clientID == clientID)
        #expect(settings.users.map(\.username) == ["alice"])
        #expect(settings.users.first?.token == "token-a")
        #expect(settings.users.first?.status == .online)
        #expect(settings.gatewayConnectURL == "wss://gateway.discord.gg/?v=10&encoding=json")
        #expect(settings.apiBaseURL == "https://discord.com/api")
        #expect(settings.pauseTimeoutSeconds == 600)
        #expect(!settings.coverArtArchive && !settings.uguuUpload)
        if case .musicBrainz = settings.links {} else { Issue.record("expected MusicBrainz links by default") }
        #expect(settings.statusDisplay == nil && settings.serverName == nil && settings.defaultImageURL == nil && !settings.overlay)
        #expect(settings.filter.isEmpty)
        #expect(settings.warnings.isEmpty)
    }

    @Test func connectionScopeReadsOnlyWhatConnectingNeeds() throws {
        let config = ["clientid": clientID, "users": "alice:token-a", "gatewayurl": "ws://127.0.0.1:9/",
                      "pausetimeout": "ten", "activityname": "Track"]
        var asked: [String] = []
        let settings = try PluginSettings.load({ key in
            asked.append(key)
            return config[key]
        }, onlyUser: "alice", scope: .connection)
        #expect(asked == ["clientid", "users", "gatewayurl", "apibaseurl"])
        #expect(settings.gatewayConnectURL == "ws://127.0.0.1:9/?v=10&encoding=json")
        #expect(settings.users.map(\.username) == ["alice"])
        #expect(settings.warnings.isEmpty)
        #expect(settings.pauseTimeoutSeconds == 600)
        if case .standard = settings.activityName {} else { Issue.record("expected the default activity name") }
        #expect(throws: ConfigError.self) {
            try PluginSettings.load({ ["clientid": clientID, "users": "a:b", "apibaseurl": "ftp://x"][$0] }, scope: .connection)
        }
    }

    @Test func clientIDMustBeAnApplicationID() {
        #expect(problem(["users": "a:b"])?.key == "clientid")
        #expect(problem(["clientid": "12345", "users": "a:b"])?.message == "configuration key 'clientid': must be the 17 to 20 digit application id")
        #expect(problem(["clientid": "12345678901234567x", "users": "a:b"])?.key == "clientid")
        #expect(problem(["clientid": clientID])?.key == "users")
    }

    @Test func usersInTextForm() throws {
        let users = try DiscordUser.parseList(" alice : token-a ,, bob:token-b ")
        #expect(users.map(\.username) == ["alice", "bob"])
        #expect(users.map(\.token) == ["token-a", "token-b"])
        #expect(throws: ConfigError.self) { try DiscordUser.parseList("alice") }
        #expect(throws: ConfigError.self) { try DiscordUser.parseList("alice:") }
        #expect(throws: ConfigError.self) { try DiscordUser.parseList("  ") }
    }

    @Test func usersInJSONForm() throws {
        let users = try DiscordUser.parseList("""
            [{"username":"alice","token":"a","status":"DND","hidedetails":"true","ignoredplayers":"Feishin, Sonixd"},
             {"username":"bob","token":"b","hidedetails":false}]
            """)
        #expect(users.count == 2)
        #expect(users[0].status == .dnd)
        #expect(users[0].hideDetails)
        #expect(users[0].ignoredPlayers == ["Feishin", "Sonixd"])
        #expect(users[1].status == .online)
        #expect(!users[1].hideDetails)
    }

    @Test func invalidUserEntriesNameTheirKey() {
        func key(_ text: String) -> String? {
            do { _ = try DiscordUser.parseList(text); return nil } catch { return error.key }
        }
        #expect(key(#"[{"username":"alice","token":"a","status":"busy"}]"#) == "users[alice].status")
        #expect(key(#"[{"username":"alice","token":""}]"#) == "users[alice].token")
        #expect(key(#"[{"username":"alice","token":"a","hidedetails":"maybe"}]"#) == "users[alice].hidedetails")
        #expect(key(#"[{"token":"a"}]"#) == "users")
        #expect(key("[]") == "users")
        #expect(key("[1]") == "users")
    }

    @Test func duplicateUsersAreRefusedIgnoringCase() {
        do {
            _ = try DiscordUser.parseList("alice:x,bob:y,ALICE:z")
            Issue.record("expected a duplicate error")
        } catch {
            #expect(error.message == "configuration key 'users': user 'ALICE' is listed twice")
        }
    }

    @Test func oneUserIsFoundWithoutCheckingTheOthers() throws {
        let users = try DiscordUser.parseList("alice:1,broken,BOB:2", only: "bob")
        #expect(users.map(\.username) == ["BOB"])
        #expect(throws: ConfigError.self) { try DiscordUser.parseList("alice:1,broken,BOB:2") }
        #expect(try DiscordUser.parseList("alice:1", only: "carol").isEmpty)
    }

    @Test func optionalKeysFallBackWithAWarning() throws {
        let settings = try load(["clientid": clientID, "users": "a:b", "activityname": "Custom", "pausetimeout": "ten",
                                 "caaenabled": "maybe", "uguuenabled": "TRUE", "spotifylinks": "1"])
        #expect(settings.warnings.count == 3)
        if case .standard = settings.activityName {} else { Issue.record("expected the default activity name") }
        #expect(settings.pauseTimeoutSeconds == 600)
        #expect(!settings.coverArtArchive)
        #expect(settings.uguuUpload)
        if case .spotify = settings.links {} else { Issue.record("spotifylinks without links means Spotify links") }
    }

    @Test func activityNameAndPauseTimeout() throws {
        let settings = try load(["clientid": clientID, "users": "a:b", "activityname": "custom",
                                 "activitynametemplate": " {artist} ", "pausetimeout": "30"])
        if case .custom(let template) = settings.activityName {
            #expect(template.text == "{artist}")
        } else {
            Issue.record("expected a custom activity name")
        }
        #expect(settings.pauseTimeoutSeconds == 30)
        #expect(settings.warnings.isEmpty)
    }

    @Test func presenceFeatureKeys() throws {
        let settings = try load(["clientid": clientID, "users": #"[{"username":"a","token":"b","statusdisplay":"State","filtertitles":"x*"}]"#,
                                 "statusdisplay": "details", "servername": " Jukebox ", "defaultimage": "https://img.test/a.png",
                                 "overlay": "true", "overlayimage": "ftp://nope", "links": "listenbrainz", "spotifylinks": "true",
                                 "detailstemplate": "{track} ({year})", "filteraction": "generic", "filterartists": "a;b"])
        #expect(settings.statusDisplay == .details)
        #expect(settings.users.first?.statusDisplay == .state)
        #expect(settings.users.first?.filter.titles == ["x*"])
        #expect(settings.serverName == "Jukebox")
        #expect(settings.defaultImageURL == "https://img.test/a.png")
        #expect(settings.overlay && settings.overlayImageURL == nil)
        if case .listenBrainz = settings.links {} else { Issue.record("links wins over spotifylinks") }
        #expect(settings.detailsTemplate.text == "{track} ({year})")
        #expect(settings.filterAction == .generic)
        #expect(settings.filter.artists == ["a", "b"])
        #expect(settings.warnings == ["configuration key 'overlayimage': is not an http(s) URL of at most 256 bytes; ignoring it"])
    }

    @Test func badPresenceFeatureValues() throws {
        let settings = try load(["clientid": clientID, "users": "a:b", "statusdisplay": "sideways", "links": "myspace", "filteraction": "explode"])
        #expect(settings.statusDisplay == nil)
        if case .musicBrainz = settings.links {} else { Issue.record("an unknown links value keeps MusicBrainz") }
        #expect(settings.filterAction == .clear)
        #expect(settings.warnings.count == 3)
        #expect(throws: ConfigError.self) {
            try load(["clientid": clientID, "users": #"[{"username":"a","token":"b","statusdisplay":"up"}]"#])
        }
        #expect(throws: ConfigError.self) {
            try load(["clientid": clientID, "users": #"[{"username":"a","token":"b","filteralbums":7}]"#])
        }
        #expect(throws: ConfigError.self) {
            try load(["clientid": clientID, "users": "a:b", "filterlibraries": "one"])
        }
    }

    @Test func gatewayAndAPIURLs() throws {
        let settings = try load(["clientid": clientID, "users": "a:b", "gatewayurl": "ws://gateway.test//", "apibaseurl": "http://api.test/"])
        #expect(settings.gatewayConnectURL == "ws://gateway.test/?v=10&encoding=json")
        #expect(settings.apiBaseURL == "http://api.test")
        #expect(problem(["clientid": clientID, "users": "a:b", "gatewayurl": "https://gateway.test"])?.key == "gatewayurl")
        #expect(problem(["clientid": clientID, "users": "a:b", "apibaseurl": "ftp://api.test"])?.key == "apibaseurl")
    }

    @Test func usersAndIgnoredPlayersMatchIgnoringCase() throws {
        let settings = try load(["clientid": clientID, "ignoredplayers": "Feishin",
                                 "users": #"[{"username":"Alice","token":"a","ignoredplayers":"Sonixd"}]"#])
        let alice = try #require(settings.user(named: "alice"))
        #expect(settings.ignores(player: " feishin ", for: alice))
        #expect(settings.ignores(player: "SONIXD", for: alice))
        #expect(!settings.ignores(player: "Symfonium", for: alice))
        #expect(!settings.ignores(player: "", for: alice))
        #expect(settings.user(named: "bob") == nil)
    }
}
