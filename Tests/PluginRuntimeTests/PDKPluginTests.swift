import Foundation
import Testing
import TonearmJSON
@testable import PluginRuntime

/// The PDK's `Plugins/minimal`, built with `scripts/build-plugins` when not built yet.
enum PDKPlugins {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func minimal() throws -> String {
        let path = root + "/build/plugins/minimal.ndp"
        if !FileManager.default.fileExists(atPath: path) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: root + "/scripts/build-plugins")
            process.arguments = [root + "/Plugins/minimal"]
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        }
        return path
    }
}

@Suite(.timeLimit(.minutes(3))) struct PDKPluginTests {
    static let track = #"{"id":"1","title":"Song","album":"Album","artist":"Artist","albumArtist":"Artist","duration":200.5,"trackNumber":1,"discNumber":1,"artists":[{"id":"a","name":"Artist"}],"albumArtists":[]}"#

    @Test func minimalPluginRunsStatelessly() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let loader = testLoader(
            folder, plugins: ["minimal": PluginOptions(users: ["alice"])], settings: ["minimal": ["Prefix": "listening"]])
        let plugin = try loader.load(path: try PDKPlugins.minimal())
        #expect(plugin.capabilities == [.scrobbler])
        #expect(plugin.config == ["prefix": "listening"])

        for _ in 0..<3 {
            let output = try await plugin.call(export: "nd_scrobbler_is_authorized", input: Array(#"{"username":"alice"}"#.utf8))
            #expect(String(decoding: output, as: UTF8.self) == "true")
        }
        let trace = CallTrace()
        let input = #"{"username":"alice","position":42,"track":\#(Self.track)}"#
        #expect(try await plugin.call(export: "nd_scrobbler_now_playing", input: Array(input.utf8), trace: trace) == [])
        #expect(trace.logLines == [.init(level: "info", message: "listening: alice → Artist – Song at 42s")])

        let untitled = Self.track.replacingOccurrences(of: #""title":"Song""#, with: #""title":"""#)
        do {
            _ = try await plugin.call(export: "nd_scrobbler_scrobble", input: Array(#"{"username":"alice","timestamp":1,"track":\#(untitled)}"#.utf8))
            Issue.record("expected a plugin error")
        } catch {
            #expect(error.pluginMessage?.contains("scrobbler(unrecoverable)") == true)
        }
        let missing = await #expect(throws: PluginCallError.self) {
            try await plugin.call(export: "nd_scrobbler_playback_report", input: Array("{}".utf8))
        }
        #expect(missing?.isNotImplemented == true)
    }
}
