import Foundation
import Synchronization

/// `tonearm serve` running as a child process with a given configuration, as an operator
/// would run it. Its log goes to a file the test can read.
public final class TonearmProcess: Sendable {
    /// The folder holding `tonearm.toml`, `plugins/` and `data/`.
    public let folder: URL
    /// The HTTP port it listens on.
    public let port: Int
    public let logFile: URL
    private let process: ChildProcess

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(folder: URL, port: Int, logFile: URL, process: ChildProcess) {
        self.folder = folder
        self.port = port
        self.logFile = logFile
        self.process = process
    }

    /// Starts `tonearm serve --config <folder>/tonearm.toml` with `configuration` (TOML; use
    /// `{port}` where the HTTP port goes) and `plugins` (package files copied into
    /// `<folder>/plugins`), and waits until its HTTP server listens.
    public static func start(
        configuration: String, plugins: [URL] = [], folder existing: URL? = nil, timeout: TimeInterval = 120
    ) async throws -> TonearmProcess {
        let folder = try existing ?? RepositoryPaths.temporaryFolder("tonearm-e2e")
        let port = try freeLoopbackPort()
        let fm = FileManager.default
        let pluginsFolder = folder.appendingPathComponent("plugins")
        try fm.createDirectory(at: pluginsFolder, withIntermediateDirectories: true)
        for plugin in plugins {
            let target = pluginsFolder.appendingPathComponent(plugin.lastPathComponent)
            try? fm.removeItem(at: target)
            try fm.copyItem(at: plugin, to: target)
        }
        let text = configuration.replacingOccurrences(of: "{port}", with: "\(port)")
        let configFile = folder.appendingPathComponent("tonearm.toml")
        try text.write(to: configFile, atomically: true, encoding: .utf8)

        let logFile = folder.appendingPathComponent("tonearm-\(UUID().uuidString.prefix(8)).log")
        fm.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = RepositoryPaths.executable("tonearm")
        process.arguments = ["serve", "--config", configFile.path]
        process.currentDirectoryURL = folder
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let tonearm = TonearmProcess(folder: folder, port: port, logFile: logFile, process: ChildProcess(process))
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if tonearm.log().contains("HTTP server listening") { return tonearm }
            if !process.isRunning {
                throw TestSupportError("tonearm serve exited (\(process.terminationStatus)): \(tonearm.log().suffix(3000))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        tonearm.stop()
        throw TestSupportError("tonearm serve did not start within \(Int(timeout)) s: \(tonearm.log().suffix(3000))")
    }

    /// Everything it logged so far.
    public func log() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// SIGTERM (a graceful shutdown), then waits for it to exit.
    public func stop() {
        process.stop()
    }

    /// Whether it is still running.
    public var isRunning: Bool { process.isRunning }

    /// Its exit status, once stopped.
    public var exitStatus: Int32 { process.exitStatus }

    deinit {
        process.stop()
    }
}
