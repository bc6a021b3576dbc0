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

    func run() async throws {
        let configuration: TonearmConfiguration
        do {
            configuration = try TonearmConfiguration.load(file: config)
        } catch {
            throw ValidationError("\(error)")
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
        try await daemon.run()
    }
}
