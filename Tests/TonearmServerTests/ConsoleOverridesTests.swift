import Foundation
import PluginRuntime
import Testing
import TonearmJSON

@testable import TonearmServer

/// `<DataFolder>/console-settings.json`: read with a clear error, written back the same, applied
/// over tonearm.toml (a `null` removes a setting the file gives).
@Suite struct ConsoleOverridesTests {
    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-overrides-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func noFileIsNoOverrides() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(try ConsoleOverrides(dataFolder: folder) == ConsoleOverrides())
    }

    @Test func writtenOverridesReadBackAndApplyOverTheFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var overrides = ConsoleOverrides()
        overrides.plugins["discord"] = .init(
            settings: ["activityname": "Track", "servername": .null, "users": [["username": "alice", "token": "t"]]],
            options: PluginOptions(users: ["alice"], allowAdmins: true, extraHosts: ["127.0.0.1"]))
        try overrides.write(dataFolder: folder)
        let read = try ConsoleOverrides(dataFolder: folder)
        #expect(read == overrides)
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/console-settings.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        var configuration = try TonearmConfiguration(toml: """
            DataFolder = "\(folder)"
            [Plugins.discord]
            Users = ["bob"]
            [PluginSettings.discord]
            ActivityName = "Album"
            ServerName = "Navidrome"
            ClientID = "123456789012345678"
            """, source: "tonearm.toml")
        try configuration.applyConsoleOverrides()
        let settings = try #require(configuration.plugins.pluginSettings["discord"])
        #expect(settings["activityname"] == "Track")
        #expect(settings["ActivityName"] == nil)
        #expect(settings["ServerName"] == nil && settings["servername"] == nil)
        #expect(settings["ClientID"] == "123456789012345678")
        #expect(configuration.plugins.options(for: "discord").users == ["alice"])
        #expect(configuration.fileSettings["discord"]?["ActivityName"] == "Album")
    }

    @Test func aBadFileIsAnErrorNamingIt() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (text, expected) in [
            ("{", "invalid JSON"), ("[]", "must be {\"plugins\""), (#"{"plugins":{"x":1}}"#, "plugins.x must be an object"),
            (#"{"plugins":{"x":{"settings":[]}}}"#, "plugins.x.settings must be an object"),
            (#"{"plugins":{"x":{"options":{"users":"alice"}}}}"#, "plugins.x.options.users must be a list of strings"),
            (#"{"plugins":{"x":{"options":{"allUsers":1}}}}"#, "plugins.x.options.allUsers must be true or false"),
        ] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/console-settings.json"))
            let error = #expect(throws: ConfigurationError.self) { try ConsoleOverrides(dataFolder: folder) }
            #expect(error?.file.hasSuffix("console-settings.json") == true)
            #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        }
    }
}
