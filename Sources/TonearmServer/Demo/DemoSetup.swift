import DiscordSimulator
import Foundation
import PluginRuntime
import TonearmJSON

/// `tonearm serve --demo`: a stack that shows a live presence without any account or token.
/// The Discord simulator runs in-process, the Discord plugin is installed from the build into a
/// scratch folder, and a simulated listener plays through the ListenBrainz API
/// (``DemoListener``). The operator's own data folder is never touched.
package struct DemoSetup: Sendable {
    /// The listener's username.
    package static let userName = "demo"
    /// Where the Discord plugin is looked for, first relative to the working directory, then to
    /// the repository the running `tonearm` was built in (`.build/<configuration>/tonearm`).
    package static let pluginPath = "build/plugins/discord-rich-presence.ndp"

    package let simulator: DiscordSimulator
    package let folder: URL
    package let listenBrainzToken: String

    /// Starts the simulator, installs the plugin into a new scratch folder and returns the
    /// configuration to serve with: `base` with the demo's folders, user, plugin settings and
    /// the console's demo sign-in.
    package static func start(over base: TonearmConfiguration, plugin: String?) async throws -> (DemoSetup, TonearmConfiguration) {
        let source = try locatePlugin(plugin)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-demo-\(UUID().uuidString.prefix(8))")
        let plugins = folder.appendingPathComponent("plugins")
        try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: plugins.appendingPathComponent("discord-rich-presence.ndp").path)

        let discordToken = "demo-discord-\(UUID().uuidString)"
        var simulatorConfiguration = SimulatorConfiguration()
        simulatorConfiguration.users = [SimulatedUser(name: userName, token: discordToken)]
        let simulator = try DiscordSimulator(configuration: simulatorConfiguration)
        let endpoints = try await simulator.start()

        let listenBrainzToken = "demo-listenbrainz-\(UUID().uuidString)"
        var configuration = base
        configuration.server.demo = true
        configuration.server.listenBrainzEnabled = true
        configuration.server.subsonic = .init()  // the demo's listener is the only feed
        configuration.server.users = [.init(name: userName, displayName: "Demo listener", listenBrainzToken: listenBrainzToken)]
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = plugins.path
        configuration.plugins.plugins = ["discord-rich-presence": PluginOptions(users: [userName], extraHosts: ["127.0.0.1"])]
        configuration.plugins.pluginSettings = [
            "discord-rich-presence": [
                "clientid": "100000000000000001",
                "gatewayurl": .string(endpoints.gatewayURL),
                "apibaseurl": .string("\(endpoints.httpURL)/api/v10"),
                "users": [["username": .string(userName), "token": .string(discordToken)]],
            ]
        ]
        configuration.fileSettings = configuration.plugins.pluginSettings
        configuration.consoleOverrides = ConsoleOverrides()
        configuration.source = "the demo (tonearm serve --demo)"
        return (DemoSetup(simulator: simulator, folder: folder, listenBrainzToken: listenBrainzToken), configuration)
    }

    /// Stops the simulator and removes the scratch folder.
    package func stop() async {
        await simulator.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    static func locatePlugin(_ given: String?) throws -> String {
        if let given {
            guard FileManager.default.fileExists(atPath: given) else { throw DemoError("--demo-plugin \(given): no such file") }
            return given
        }
        var candidates = [pluginPath]
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // <repository>/.build/<triple>/<configuration>/tonearm or <repository>/.build/<configuration>/tonearm
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent(pluginPath).path)
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw DemoError(
                "the demo needs the Discord plugin built: run scripts/build-plugins in the repository (it writes \(pluginPath)), or pass --demo-plugin <file.ndp>")
        }
        return found
    }
}

/// Why the demo cannot start.
package struct DemoError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}
