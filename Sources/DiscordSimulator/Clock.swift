#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock microseconds since the Unix epoch, for log timestamps comparable across processes.
func wallClockMicros() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1_000
}

/// Wall-clock milliseconds since the Unix epoch.
func wallClockMillis() -> Int64 { wallClockMicros() / 1_000 }
