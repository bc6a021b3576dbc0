import NavidromePDK

/// Discord's per-connection send limits, kept between calls as a short string: at most 5
/// Presence Updates per 20 s (a 1 s margin is added for network skew) and at most 120 frames of
/// any kind per 60 s (a token bucket of 60 refilled at 1/s, so no 60 s window exceeds 120).
struct SendBudget {
    static let presenceLimit = 5
    static let presenceWindowMs: Int64 = 21_000
    static let bucketCapacity = 60.0
    static let refillPerMs = 1.0 / 1000
    /// Tokens kept back for heartbeats, Identify and Resume.
    static let reserve = 5.0

    /// Send times (unix ms) of the Presence Updates inside the window, oldest first.
    private(set) var presenceSends: [Int64] = []
    var tokens = SendBudget.bucketCapacity
    var refilledAt: Int64 = 0

    init() {}

    /// Whether a Presence Update may go out at `now`.
    mutating func allowsPresence(at now: Int64) -> Bool {
        prune(now)
        refill(now)
        return presenceSends.count < Self.presenceLimit && tokens >= Self.reserve + 1
    }

    /// Milliseconds until a Presence Update will be allowed (0 if it is now).
    mutating func presenceDelay(at now: Int64) -> Int64 {
        if allowsPresence(at: now) { return 0 }
        var wait: Int64 = 0
        if presenceSends.count >= Self.presenceLimit, let oldest = presenceSends.first {
            wait = oldest + Self.presenceWindowMs - now
        }
        let missing = Self.reserve + 1 - tokens
        if missing > 0 { wait = max(wait, Int64(missing / Self.refillPerMs) + 1) }
        return max(wait, 1)
    }

    /// Records a Presence Update sent at `now`.
    mutating func recordPresence(at now: Int64) {
        prune(now)
        presenceSends.append(now)
        recordFrame(at: now)
    }

    /// Records any other frame (heartbeat, Identify, Resume) sent at `now`.
    mutating func recordFrame(at now: Int64) {
        refill(now)
        tokens -= 1
    }

    mutating func prune(_ now: Int64) {
        presenceSends.removeAll { now - $0 >= Self.presenceWindowMs }
    }

    mutating func refill(_ now: Int64) {
        if refilledAt == 0 || now < refilledAt {
            refilledAt = now
            return
        }
        tokens = min(Self.bucketCapacity, tokens + Double(now - refilledAt) * Self.refillPerMs)
        refilledAt = now
    }

    /// "tokens;refilledAt;send,send,…" (tokens in thousandths).
    var encoded: String {
        var text = "\(Int64(tokens * 1000));\(refilledAt);"
        var first = true
        for send in presenceSends {
            text += first ? "\(send)" : ",\(send)"
            first = false
        }
        return text
    }

    /// The budget stored by `encoded`; a fresh budget for anything unreadable.
    init(encoded text: String) {
        let parts = ActivityText.split(text, on: UInt8(ascii: ";"))
        guard parts.count >= 2, let milli = StoredFields.integer(parts[0]), let at = StoredFields.integer(parts[1]) else { return }
        tokens = min(Self.bucketCapacity, Double(milli) / 1000)
        refilledAt = at
        if parts.count > 2 {
            for piece in ActivityText.split(parts[2], on: UInt8(ascii: ",")) {
                if let send = StoredFields.integer(piece) { presenceSends.append(send) }
            }
        }
    }
}
