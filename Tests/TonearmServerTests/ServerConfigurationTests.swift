import Feeds
import Foundation
import Logging
import PluginRuntime
import Testing
import TonearmJSON

@testable import TonearmServer

@Suite(.timeLimit(.minutes(1))) struct ServerConfigurationTests {
    @Test func emptyFileGivesDefaults() throws {
        let full = try TonearmConfiguration(toml: "", source: "tonearm.toml")
        #expect(full.plugins.dataFolder == "./data")
        let configuration = full.server
        #expect(configuration.address == "127.0.0.1")
        #expect(configuration.port == 4534)
        #expect(configuration.publicBaseURL == "http://127.0.0.1:4534")
        #expect(configuration.listenBrainzEnabled)
        #expect(configuration.subsonic.pollInterval == 5)
        #expect(configuration.subsonic.poll)
    }

    @Test func readsEverySectionCaseInsensitively() throws {
        let text = """
            datafolder = "/var/lib/tonearm"
            [server]
            port = 8080
            publicurl = "https://music.example.org/tonearm/"
            [Subsonic]
            URL = "http://127.0.0.1:4040"
            Username = "poller"
            Password = "secret"
            PollInterval = "250ms"
            Poll = false
            [[Users]]
            Name = "alice"
            ListenBrainzToken = "tok-a"
            [[Users]]
            Name = "bob"
            IsAdmin = true
            [PluginSettings.discord-rich-presence]
            ClientID = "123"
            """
        let full = try TonearmConfiguration(toml: text, source: "t.toml")
        #expect(full.plugins.dataFolder == "/var/lib/tonearm")
        #expect(full.plugins.pluginSettings["discord-rich-presence"]?["ClientID"] == "123")
        let configuration = full.server
        #expect(configuration.port == 8080)
        #expect(configuration.publicBaseURL == "https://music.example.org/tonearm")
        #expect(configuration.subsonic.pollInterval == 0.25)
        #expect(!configuration.subsonic.poll)
        #expect(configuration.users.map(\.name) == ["alice", "bob"])
        #expect(configuration.users[1].isAdmin)
        #expect(configuration.users[0].listenBrainzToken == "tok-a")
    }

    @Test(arguments: [
        ("[Server]\nPort = \"x\"", "Server.Port must be a whole number"),
        ("[Server]\nPort = 70000", "Server.Port must be 0…65535"),
        ("[Server]\nColour = 1", "unknown setting Server.Colour"),
        ("[Subsonic]\nURL = \"http://x\"", "Subsonic.Username is required"),
        ("[Subsonic]\nPollInterval = \"soon\"", "Subsonic.PollInterval must be a duration"),
        ("[Subsonic]\nPoll = \"no\"", "Subsonic.Poll must be"),
        ("[[Users]]\nName = \"a\"\n[[Users]]\nName = \"A\"", "Users[1].Name \"A\" is listed twice"),
        ("LogLevel = \"loud\"", "LogLevel must be one of"),
        ("Server = [", "t.toml: invalid TOML at line 1"),
        // Numbers from the file are range-checked before they become durations.
        ("[Subsonic]\nPollInterval = 1e300", "Subsonic.PollInterval must be from 0.1 s to 24 h"),
        ("[Subsonic]\nPollInterval = inf", "Subsonic.PollInterval must be a duration"),
        ("[Subsonic]\nPollInterval = \"infs\"", "Subsonic.PollInterval must be a duration"),
        ("[Subsonic]\nPollInterval = nan", "Subsonic.PollInterval must be a duration"),
        ("[Artwork]\nLinkLifetime = 1e300", "Artwork.LinkLifetime must be from 1 minute to 366 days"),
        ("[Subsonic]\nAllowHexPassword = \"yes\"", "Subsonic.AllowHexPassword must be true or false"),
    ])
    func badSettingsAreNamed(text: String, expected: String) {
        #expect {
            try TonearmConfiguration(toml: text, source: "t.toml")
        } throws: { error in
            "\(error)".contains(expected) && "\(error)".hasPrefix("t.toml")
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct HexPasswordSettingTests {
    /// The reversible `p=enc:` password fallback is off unless `[Subsonic] AllowHexPassword` asks for it.
    @Test func theSubsonicClientFollowsAllowHexPassword() async throws {
        for allowed in [false, true] {
            var text = "[Subsonic]\nURL = \"http://127.0.0.1:9\"\nUsername = \"poller\"\nPassword = \"pw\"\n"
            if allowed { text += "AllowHexPassword = true\n" }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-hex-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            var configuration = try TonearmConfiguration(toml: text, source: "t.toml")
            #expect(configuration.server.subsonic.allowHexPassword == allowed)
            configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
            configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
            let set = try HostServiceSet(configuration: configuration, logger: Logger(label: "test"))
            #expect(set.subsonicClient?.allowsHexPassword == allowed)
            await set.shutdown()
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct ExampleConfigurationTests {
    /// tonearm.example.toml is what operators copy: it must parse, with the defaults it documents.
    @Test func exampleFileParsesWithTheDocumentedDefaults() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tonearm.example.toml")
        let configuration = try TonearmConfiguration(
            toml: try String(contentsOf: file, encoding: .utf8), source: file.lastPathComponent)
        #expect(configuration.server == ServerConfiguration())
        #expect(configuration.plugins.pluginsFolder == "./plugins")
        #expect(configuration.plugins.callTimeout == 30)
        #expect(configuration.plugins.memoryLimit == 128 * 1024 * 1024)
    }

    /// The commented Discord settings, uncommented as an operator would, pass the plugin's
    /// config schema.
    @Test func exampleDiscordSettingsPassThePluginsSchema() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent("tonearm.example.toml"), encoding: .utf8)
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0 == "# [PluginSettings.discord-rich-presence]" })
        let block = lines[start...].prefix { $0.hasPrefix("# ") }.map { $0.dropFirst(2) }.joined(separator: "\n")
        let configuration = try TonearmConfiguration(toml: block, source: "tonearm.example.toml")
        let settings = try #require(configuration.plugins.pluginSettings["discord-rich-presence"])
        #expect(settings.count == 20)
        let manifest = try JSONValue.parse(try String(contentsOf: root.appendingPathComponent("Plugins/discord-rich-presence/manifest.json"), encoding: .utf8))
        let schema = ConfigSchema(try #require(manifest["config"]?["schema"]))
        #expect(throws: Never.self) { try schema.validate(settings) }
    }
}
