import Foundation

/// Resident memory and CPU time of a Linux process, read from `/proc/PID/status` and `/proc/PID/stat`.
struct ProcessSample {
    /// `VmRSS`: resident set size now, in kB.
    var residentKB: Int
    /// `VmHWM`: peak resident set size since the process started, in kB.
    var peakResidentKB: Int
    /// `Threads`: how many threads the process has now.
    var threads: Int
    /// `utime + stime`: CPU time used so far, in seconds.
    var cpuSeconds: Double
    /// When it was read (monotonic).
    var at: ContinuousClock.Instant

    /// Reads the process `pid` now.
    init(pid: Int32) throws {
        at = .now
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        // The number after `key:` (kB for the memory lines).
        func kilobytes(_ key: String) throws -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }),
                let value = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap({ Int($0) })
            else { throw BenchError("/proc/\(pid)/status has no \(key)") }
            return value
        }
        residentKB = try kilobytes("VmRSS")
        peakResidentKB = try kilobytes("VmHWM")
        threads = try kilobytes("Threads")
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = stat.lastIndex(of: ")") else { throw BenchError("/proc/\(pid)/stat is unreadable") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchError("/proc/\(pid)/stat is unreadable")
        }
        cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU used between `earlier` and this sample, in percent of one core.
    func cpuPercent(since earlier: ProcessSample) -> Double {
        let wall = Double((at - earlier.at).components.seconds) + Double((at - earlier.at).components.attoseconds) / 1e18
        return wall > 0 ? (cpuSeconds - earlier.cpuSeconds) / wall * 100 : 0
    }
}

/// CPU time the live threads of process `pid` have used, in ns (sum of `/proc/PID/task/*/schedstat`),
/// precise where `/proc/PID/stat` counts in clock ticks (10 ms).
func threadCPUNanoseconds(pid: Int32) -> Int64 {
    let folder = "/proc/\(pid)/task"
    let threads = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return threads.reduce(0) { total, thread in
        guard let text = try? String(contentsOfFile: "\(folder)/\(thread)/schedstat", encoding: .utf8),
            let first = text.split(separator: " ").first, let nanoseconds = Int64(first)
        else { return total }
        return total + nanoseconds
    }
}
