import Foundation
import Synchronization

/// Starts `Tests/Support/supysonic_server.py` (a real Supysonic on 127.0.0.1 with a
/// generated library) and stops it. Python comes from `$TONEARM_VENV/bin/python`, else
/// `<repo>/.venv/bin/python`; when neither exists, `<repo>/.venv` is created from
/// `Tests/requirements.txt` first.
final class SupysonicServer: Sendable {
    struct Info: Decodable, Sendable {
        struct Track: Decodable, Sendable {
            var id: String
            var title: String
            var artist: String
            var album: String
            var albumArtist: String
            var track: Int
            var disc: Int
            var duration: Int
            var hasEmbeddedArt: Bool
        }

        var url: String
        var port: Int
        var data: String
        var users: [String: String]
        var admin: String
        var tracks: [Track]

        func track(titled title: String) -> Track {
            tracks.first { $0.title == title }!
        }
    }

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// What the launcher printed when it was ready.
    let info: Info
    private let process: ChildProcess

    private init(info: Info, process: ChildProcess) {
        self.info = info
        self.process = process
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts a server and waits (generously) for its ready line.
    static func start(_ arguments: [String] = [], timeout: TimeInterval = 120) async throws -> SupysonicServer {
        let python = try await PythonEnvironment.shared.python()
        let script = repositoryRoot.appendingPathComponent("Tests/Support/supysonic_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let stdout = Pipe()
        let stderrFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tonearm-supysonic-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let child = ChildProcess(process)

        let reader = stdout.fileHandleForReading
        let line: String? = await Task.detached { () -> String? in
            var buffer = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { return nil }
                buffer.append(chunk)
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    return String(decoding: buffer[..<newline], as: UTF8.self)
                }
            }
        }.valueWithTimeout(timeout) {
            child.stop()
        } ?? nil
        guard let line, let info = try? JSONDecoder().decode(Info.self, from: Data(line.utf8)) else {
            child.stop()
            let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw StartError(description: "supysonic_server.py did not start: \(log.suffix(2000))")
        }
        return SupysonicServer(info: info, process: child)
    }

    /// Stops the server (SIGTERM) and waits for it to exit.
    func stop() {
        process.stop()
    }

    deinit {
        process.stop()
    }
}

/// A started `Process` that may be stopped from any task.
/// `@unchecked Sendable`: the process is only signalled and waited on after `run()`.
final class ChildProcess: @unchecked Sendable {
    private let process: Process

    init(_ process: Process) {
        self.process = process
    }

    /// SIGTERM, then wait for the exit.
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// Finds (or once creates) the Python of the test venv.
actor PythonEnvironment {
    static let shared = PythonEnvironment()
    private var path: String?

    func python() async throws -> String {
        if let path { return path }
        let fm = FileManager.default
        var candidates: [String] = []
        if let venv = ProcessInfo.processInfo.environment["TONEARM_VENV"], !venv.isEmpty {
            candidates.append(venv + "/bin/python")
        }
        let local = SupysonicServer.repositoryRoot.appendingPathComponent(".venv").path
        candidates.append(local + "/bin/python")
        if let found = candidates.first(where: { fm.isExecutableFile(atPath: $0) }) {
            path = found
            return found
        }
        let requirements = SupysonicServer.repositoryRoot.appendingPathComponent("Tests/requirements.txt").path
        let setup = Process()
        setup.executableURL = URL(fileURLWithPath: "/bin/sh")
        setup.arguments = [
            "-c", "python3 -m venv \"$1\" && \"$1/bin/pip\" install --quiet -r \"$2\"", "sh", local, requirements,
        ]
        try setup.run()
        await Task.detached { setup.waitUntilExit() }.value
        guard setup.terminationStatus == 0 else {
            throw SupysonicServer.StartError(description: "could not create \(local) from \(requirements)")
        }
        path = local + "/bin/python"
        return local + "/bin/python"
    }
}

extension Task where Failure == Never {
    /// The task's value, or nil after `seconds` (then `onTimeout` runs, which should make
    /// the task finish).
    func valueWithTimeout(_ seconds: TimeInterval, onTimeout: @escaping @Sendable () -> Void) async -> Success? {
        let finished = Mutex(false)
        let watchdog = Task<Void, Never> {
            try? await Task<Never, Never>.sleep(for: .seconds(seconds))
            if !finished.withLock({ $0 }) { onTimeout() }
        }
        let result = await value
        finished.withLock { $0 = true }
        watchdog.cancel()
        return result
    }
}
