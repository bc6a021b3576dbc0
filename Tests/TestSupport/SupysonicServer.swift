import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starts `Tests/Support/supysonic_server.py` (a real Supysonic on 127.0.0.1 with a
/// generated library) and stops it. Python comes from `$TONEARM_VENV/bin/python`, else
/// `<repo>/.venv/bin/python`; when neither exists, `<repo>/.venv` is created from
/// `Tests/requirements.txt` first.
public final class SupysonicServer: Sendable {
    public struct Info: Decodable, Sendable {
        public struct Track: Decodable, Sendable {
            public var id: String
            public var title: String
            public var artist: String
            public var album: String
            public var albumArtist: String
            public var track: Int
            public var disc: Int
            public var duration: Int
            public var hasEmbeddedArt: Bool
        }

        public var url: String
        public var port: Int
        public var data: String
        public var users: [String: String]
        public var admin: String
        public var tracks: [Track]

        public func track(titled title: String) -> Track {
            tracks.first { $0.title == title }!
        }
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// What the launcher printed when it was ready.
    public let info: Info
    private let process: ChildProcess

    private init(info: Info, process: ChildProcess) {
        self.info = info
        self.process = process
    }

    public static var repositoryRoot: URL { RepositoryPaths.root }

    /// Starts a server and waits (generously) for its ready line.
    public static func start(_ arguments: [String] = [], timeout: TimeInterval = 120) async throws -> SupysonicServer {
        let python = try await PythonEnvironment.shared.python()
        let script = repositoryRoot.appendingPathComponent("Tests/Support/supysonic_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let stdout = Pipe()
        let stderrFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("tonearm-supysonic-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let child = ChildProcess(process)

        let reader = stdout.fileHandleForReading
        let line: String? = await Task { await firstLine(of: reader) }.valueWithTimeout(timeout) {
            child.stop()
        } ?? nil
        guard let line, let info = try? JSONDecoder().decode(Info.self, from: Data(line.utf8)) else {
            child.stop()
            let log = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw StartError(description: "supysonic_server.py did not start: \(log.suffix(2000))")
        }
        return SupysonicServer(info: info, process: child)
    }

    /// The first line `handle` delivers, or nil at the end of the stream. The blocking reads run
    /// on a thread of their own: on a thread of the Swift concurrency pool (two threads on a
    /// two-core machine) they would keep the timeout from ever running if the launcher hangs.
    private static func firstLine(of handle: FileHandle) async -> String? {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { return continuation.resume(returning: nil) }
                    buffer.append(chunk)
                    if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                        return continuation.resume(returning: String(decoding: buffer[..<newline], as: UTF8.self))
                    }
                }
            }
            thread.name = "supysonic-ready-line"
            thread.start()
        }
    }

    /// Stops the server (SIGTERM) and waits for it to exit.
    public func stop() {
        process.stop()
    }

    deinit {
        process.stop()
    }
}

/// A started `Process` that may be stopped from any task.
/// `@unchecked Sendable`: the process is only signalled and waited on after `run()`.
public final class ChildProcess: @unchecked Sendable {
    private let process: Process

    public init(_ process: Process) {
        self.process = process
    }

    /// SIGTERM; SIGKILL if it is still running 10 s later; then wait for the exit.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// The exit status (after it exited).
    public var exitStatus: Int32 { process.terminationStatus }
}

/// Finds (or once creates) the Python of the test venv.
public actor PythonEnvironment {
    public static let shared = PythonEnvironment()
    private var path: String?

    public func python() async throws -> String {
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
        // Waits for the exit without blocking a thread of the Swift concurrency pool.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            setup.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try setup.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            throw SupysonicServer.StartError(description: "could not create \(local) from \(requirements)")
        }
        path = local + "/bin/python"
        return local + "/bin/python"
    }
}

extension Task where Failure == Never {
    /// The task's value, or nil after `seconds` (then `onTimeout` runs, which should make
    /// the task finish).
    public func valueWithTimeout(_ seconds: TimeInterval, onTimeout: @escaping @Sendable () -> Void) async -> Success? {
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
