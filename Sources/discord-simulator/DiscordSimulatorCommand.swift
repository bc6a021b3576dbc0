import ArgumentParser
import DiscordSimulator
import Foundation
import Logging

/// `discord-simulator`: the strict Discord gateway + REST simulator as its own process.
@main
struct DiscordSimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discord-simulator",
        abstract: "A strict Discord gateway and REST simulator on loopback.",
        discussion: """
            Prints one JSON line with the bound port and URLs on stdout once listening; logs go to stderr.
            Users come from --token NAME=TOKEN (repeatable), --tokens-file, or POST /_simulator/users.
            """)

    @Option(help: "Address to bind (loopback only unless --allow-non-loopback).")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free port.")
    var port = 0

    @Flag(help: "Allow binding an address other than loopback.")
    var allowNonLoopback = false

    @Option(help: "heartbeat_interval sent in Hello, in ms.")
    var heartbeatInterval = 41_250

    @Option(help: "Close a connection after this many ms without a heartbeat (default 1.5 x interval).")
    var heartbeatTimeout: Int?

    @Option(help: "Close code used when heartbeats stop.")
    var heartbeatTimeoutCloseCode: UInt16 = 4000

    @Option(help: "How long a dropped session stays resumable, in ms.")
    var resumeWindow = 180_000

    @Option(help: "Delay between Identify and READY, in ms.")
    var readyDelay = 0

    @Option(help: "After a scripted op 7, close the socket (4000) after this many ms if the client has not.")
    var reconnectCloseDelay = 5_000

    @Option(help: "Gateway events allowed per connection per --frame-window.")
    var frameLimit = 120

    @Option(help: "Window of --frame-limit, in ms.")
    var frameWindow = 60_000

    @Option(help: "Presence Updates allowed per connection per --presence-window.")
    var presenceLimit = 5

    @Option(help: "Window of --presence-limit, in ms.")
    var presenceWindow = 20_000

    @Option(help: "Frames kept in the frame log.")
    var frameLogCapacity = 100_000

    @Option(name: .customLong("token"), help: "A user as NAME=TOKEN (repeatable).")
    var tokens: [String] = []

    @Option(help: "File with one NAME=TOKEN per line ('#' starts a comment).")
    var tokensFile: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = SimulatorConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.allowNonLoopback = allowNonLoopback
        configuration.heartbeatIntervalMilliseconds = heartbeatInterval
        configuration.heartbeatTimeoutMilliseconds = heartbeatTimeout
        configuration.heartbeatTimeoutCloseCode = heartbeatTimeoutCloseCode
        configuration.sessionResumeWindowMilliseconds = resumeWindow
        configuration.readyDelayMilliseconds = readyDelay
        configuration.reconnectCloseDelayMilliseconds = reconnectCloseDelay
        configuration.frameRateLimit = RateLimit(count: frameLimit, windowMilliseconds: frameWindow)
        configuration.presenceRateLimit = RateLimit(count: presenceLimit, windowMilliseconds: presenceWindow)
        configuration.frameLogCapacity = frameLogCapacity
        var entries = tokens.map { ("--token", $0) }
        if let tokensFile {
            let text: String
            do {
                text = try String(contentsOfFile: tokensFile, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read --tokens-file \(tokensFile): \(error.localizedDescription)")
            }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                entries.append(("\(tokensFile):\(number + 1)", trimmed))
            }
        }
        for (origin, entry) in entries {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex, entry.index(after: equals) != entry.endIndex else {
                throw ValidationError("\(origin): expected NAME=TOKEN")
            }
            configuration.users.append(
                SimulatedUser(name: String(entry[..<equals]), token: String(entry[entry.index(after: equals)...])))
        }
        let simulator: DiscordSimulator
        do {
            simulator = try DiscordSimulator(configuration: configuration)
        } catch {
            throw ValidationError(error.description)
        }
        try await simulator.run { endpoints in
            FileHandle.standardOutput.write(Data((endpoints.jsonText + "\n").utf8))
        }
    }
}
