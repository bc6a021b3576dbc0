import Foundation

/// Conversions of numbers that come from outside (players, the music server, the
/// configuration file): range-checked, so that no value — huge, negative, infinite or NaN —
/// can trap the daemon.
enum OutsideNumbers {
    /// `value` rounded toward zero, clamped to `Int64`'s range; 0 for NaN.
    static func int64(clamping value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        // 2^63 is exactly representable as a Double; Int64.max is not.
        let limit = 9_223_372_036_854_775_808.0
        if value >= limit { return .max }
        if value <= -limit { return .min }
        return Int64(value)
    }

    /// Whole Unix seconds of `date`, clamped to `Int64`'s range.
    static func unixSeconds(_ date: Date) -> Int64 {
        int64(clamping: date.timeIntervalSince1970)
    }

    /// `value` when it is finite and not negative, else 0.
    static func finiteNonNegative(_ value: Double) -> Double {
        value.isFinite && value > 0 ? value : 0
    }

    /// `value` when it is finite and positive, else `fallback`.
    static func finitePositive(_ value: Double, or fallback: Double) -> Double {
        value.isFinite && value > 0 ? value : fallback
    }

    /// A duration of `seconds`, clamped to `0...maximum`: +infinity gives `maximum`; NaN and
    /// negative values give zero.
    static func duration(seconds: Double, maximum: Duration) -> Duration {
        guard !seconds.isNaN, seconds > 0 else { return .zero }
        let maximumMilliseconds = maximum / .milliseconds(1)
        let milliseconds = seconds * 1000
        guard milliseconds < maximumMilliseconds else { return maximum }
        return .milliseconds(int64(clamping: milliseconds))
    }
}
