import NavidromePDK

/// Bounded exponential back-off between reconnect attempts: 1, 2, 4, … 64 s, at most
/// `maxAttempts` tries; a successful READY or RESUMED resets the count.
enum ReconnectBackoff {
    static let maxAttempts = 10
    static let maxDelaySeconds = 64

    /// Delay before attempt `attempt` (0-based), or `nil` once the attempts are used up.
    static func delaySeconds(attempt: Int) -> Int? {
        guard attempt >= 0, attempt < maxAttempts else { return nil }
        return min(1 << min(attempt, 6), maxDelaySeconds)
    }
}
