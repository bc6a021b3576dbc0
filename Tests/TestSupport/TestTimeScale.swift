import Foundation

/// How many times slower than a plain debug build the tests run: `TONEARM_TEST_TIME_SCALE`
/// (1–100, default 1). `scripts/sanitize` sets it: sanitizers slow everything, and the
/// WebAssembly interpreter most.
public let testTimeScale: Double = {
    guard let text = ProcessInfo.processInfo.environment["TONEARM_TEST_TIME_SCALE"], let scale = Double(text),
        scale >= 1, scale <= 100
    else { return 1 }
    return scale
}()

/// `seconds` of wall time, times ``testTimeScale``: for bounds and waits sized for a debug build
/// (a call with a CPU-time deadline, an entry's lifetime).
public func wallTimeBound(_ seconds: Double) -> Duration {
    .seconds(seconds * testTimeScale)
}
