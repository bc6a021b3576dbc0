// The wall clock, through WASI (Navidrome and Tonearm run plugins with WASI enabled). The
// import exists in a plugin's .wasm only if the plugin reads the clock.

@_extern(wasm, module: "wasi_snapshot_preview1", name: "clock_time_get") @_extern(c, "wasi_clock_time_get")
func wasi_clock_time_get(_ clockId: UInt32, _ precision: UInt64, _ time: UnsafeMutablePointer<UInt64>) -> UInt16

/// The host's wall clock.
public enum Clock {
    /// Current Unix time in milliseconds.
    public static func unixMilliseconds() throws(PluginError) -> Int64 {
        var nanoseconds: UInt64 = 0
        let errno = wasi_clock_time_get(0, 1_000_000, &nanoseconds)  // clock 0 = realtime
        guard errno == 0 else { throw PluginError("clock_time_get failed with WASI errno \(errno)") }
        return Int64(nanoseconds / 1_000_000)
    }

    /// Current Unix time in seconds.
    public static func unixSeconds() throws(PluginError) -> Int64 {
        try unixMilliseconds() / 1000
    }
}
