import DiscordSimulator
import Foundation
import Testing
import TonearmJSON

/// The `discord-simulator` binary next to the test bundle (built by `swift build --build-tests`).
let simulatorBinary: URL? = {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [directory, directory.deletingLastPathComponent()] {
        let url = candidate.appendingPathComponent("discord-simulator")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return nil
}()

@Suite("discord-simulator executable", .timeLimit(.minutes(2)), .enabled(if: simulatorBinary != nil, "binary not built"))
struct ExecutableTests {
    @Test func printsEndpointsAndServesUntilTerminated() async throws {
        let tokens = FileManager.default.temporaryDirectory.appendingPathComponent("sim-tokens-\(UUID().uuidString)")
        try "# users\nbob=TOKEN_B\n".write(to: tokens, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tokens) }
        let process = Process()
        process.executableURL = simulatorBinary
        process.arguments = ["--port", "0", "--token", "alice=TOKEN_A", "--tokens-file", tokens.path, "--log-level", "warning"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let line = try await Task.detached {
            var bytes: [UInt8] = []
            while let chunk = try output.fileHandleForReading.read(upToCount: 1), let byte = chunk.first, byte != 10 {
                bytes.append(byte)
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        let endpoints = try JSONValue.parse(line)
        let httpURL = try #require(endpoints["http_url"]?.stringValue)
        #expect(endpoints["gateway_url"]?.stringValue?.hasPrefix("ws://127.0.0.1:") == true)
        let users = try await http("GET", httpURL + "/_simulator/users")
        #expect(users.json.arrayValue?.compactMap { $0["name"]?.stringValue } == ["alice", "bob"])
        #expect(!users.json.goJSON.contains("TOKEN_A"))

        process.terminate()
        await Task.detached { process.waitUntilExit() }.value
        #expect(process.terminationReason == .exit)
    }

    @Test func refusesNonLoopbackAndBadTokens() throws {
        for arguments in [["--host", "0.0.0.0"], ["--token", "alice"], ["--token", "=x"]] {
            let process = Process()
            process.executableURL = simulatorBinary
            process.arguments = arguments
            process.standardError = Pipe()
            process.standardOutput = Pipe()
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "\(arguments)")
        }
    }
}
