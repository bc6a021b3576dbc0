import Foundation

/// A child process that is stopped with SIGTERM (SIGKILL 10 s later) and never outlives the benchmark.
final class ChildProcess: @unchecked Sendable {
    let process: Process

    /// Starts `executable` with `arguments` in `folder`; stderr (and stdout unless `stdout` is
    /// given) go to `logFile`.
    init(_ executable: URL, _ arguments: [String], folder: URL, logFile: URL, stdout: Pipe? = nil) throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.standardOutput = stdout ?? log
        process.standardError = log
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// SIGTERM; SIGKILL if it still runs 10 s later; then waits for the exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Wall-clock microseconds since the Unix epoch: the clock of the simulator's `timestamp_us`.
func wallClockMicros() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
}
