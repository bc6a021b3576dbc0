import ArgumentParser
import Console
import Foundation
import Logging
import TonearmServer

/// `tonearm serve`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the plugins beside your music server until stopped (SIGINT/SIGTERM).",
        discussion: """
            With no --config, reads ./tonearm.toml when it exists, otherwise starts on the \
            embedded defaults: HTTP on 127.0.0.1:4534, plugins from ./plugins, data in ./data, \
            ListenBrainz API on. See tonearm.example.toml for every setting.
            """
    )

    @Option(name: .long, help: "The configuration file (TOML).")
    var config: String?

    @Flag(name: .long, help: """
        Show a live presence without any account: a simulated Discord in-process, the Discord \
        plugin from build/plugins, and a simulated listener. Nothing of yours is touched.
        """)
    var demo = false

    @Option(name: .long, help: "The Discord plugin for --demo (default: build/plugins/discord-rich-presence.ndp).")
    var demoPlugin: String?

    func run() async throws {
        var configuration: TonearmConfiguration
        do {
            configuration = try TonearmConfiguration.load(file: config)
        } catch {
            throw ValidationError("\(error)")
        }
        var demoSetup: DemoSetup?
        if demo {
            do {
                (demoSetup, configuration) = try await DemoSetup.start(over: configuration, plugin: demoPlugin)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let level = Logger.Level(rawValue: configuration.server.logLevel) ?? .info
        // Log lines go to standard error and to the console's log page.
        let logRing = LogRing()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return MultiplexLogHandler([handler, LogRingHandler(ring: logRing, logLevel: level)])
        }
        let logger = Logger(label: "tonearm")
        let daemon = try TonearmDaemon(configuration: configuration, logger: logger, logRing: logRing)
        do {
            try await daemon.run()
        } catch {
            await demoSetup?.stop()
            throw error
        }
        await demoSetup?.stop()
    }
}
