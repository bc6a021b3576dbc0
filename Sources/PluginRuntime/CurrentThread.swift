import Foundation

/// What the operating system knows about the calling thread: its name, its kernel id and its
/// CPU-time clock.
enum CurrentThread {
    /// Names the thread for `ps`, `top` and debuggers (Foundation's `Thread.name` does not reach
    /// the kernel on Linux, and Swift does not see `pthread_setname_np`; the kernel keeps 15 bytes).
    static func setName(_ name: String) {
        #if os(Linux)
            let file = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            guard file >= 0 else { return }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            close(file)
        #endif
    }

    /// The thread's kernel id (Glibc's `gettid` is not imported into Swift); nil where there is
    /// none to read.
    static var kernelID: Int32? {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            // "<pid>/task/<tid>"
            let link = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return link.split(separator: "/").last.flatMap { Int32($0) }
        #else
            return nil
        #endif
    }

    /// The thread's CPU-time clock, readable from other threads (see ``cpuSeconds(of:)``).
    static var cpuClock: clockid_t? {
        var clock = clockid_t()
        return pthread_getcpuclockid(pthread_self(), &clock) == 0 ? clock : nil
    }
}

/// CPU time a thread has used, read from its CPU-time clock (`CLOCK_THREAD_CPUTIME_ID` for the
/// calling thread, or another's from ``CurrentThread/cpuClock``), seconds.
func cpuSeconds(of clock: clockid_t = CLOCK_THREAD_CPUTIME_ID) -> Double {
    var time = timespec()
    clock_gettime(clock, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
