import Foundation
import Synchronization

/// The bookkeeping behind `ListenBrainzLimits`: each client's counts in a fixed window, the
/// requests in progress, and each user's playing players. Every method answers at once; its
/// memory is bounded (users come from the configured tokens, addresses beyond
/// `maxTrackedClients` share one budget, players per user are capped).
final class ListenBrainzAdmission: Sendable {
    /// Who a request is counted against.
    enum Client: Hashable, Sendable, CustomStringConvertible {
        /// A user whose token was valid.
        case user(String)
        /// A request without a valid token, by remote address (nil when the server does not know it).
        case address(String?)

        var key: String {
            switch self {
            case .user(let name): "user:" + name.lowercased()
            case .address(let address): "address:" + (address ?? "unknown")
            }
        }

        var description: String {
            switch self {
            case .user(let name): "user \(name)"
            case .address(let address): "address \(address ?? "unknown")"
            }
        }
    }

    /// Why a request is refused, and when to try again.
    struct Refusal: Error, Equatable {
        var message: String
        /// Whole seconds, at least 1.
        var retryAfter: Int

        init(_ message: String, retryAfter seconds: Double) {
            self.message = message
            // At least 1 s, at most 30 days; NaN gives 1.
            self.retryAfter = seconds > 1 ? Int(min(seconds, 2_592_000).rounded(.up)) : 1
        }
    }

    private struct Window {
        var end: Date
        var requests = 0
        var listens = 0
    }

    private struct State {
        var windows: [String: Window] = [:]
        var nextPrune = Date.distantPast
        var inProgress: [String: Int] = [:]
        var largeInProgress = 0
        /// Lowercased username → player → when it stops counting as playing.
        var players: [String: [String: Date]] = [:]
    }

    /// The key shared by remote addresses once `maxTrackedClients` are tracked.
    static let overflowKey = "address:(too many clients)"

    let limits: ListenBrainzLimits
    private let windowSeconds: Double
    private let state = Mutex(State())

    init(limits: ListenBrainzLimits) {
        self.limits = limits
        self.windowSeconds = max(0.001, limits.window / .seconds(1))
    }

    /// Counts one request of `client`; refused once it made `requestsPerWindow` in this window.
    func countRequest(of client: Client, now: Date) -> Refusal? {
        state.withLock { state in
            var (key, window) = self.window(of: client, in: &state, now: now)
            guard window.requests < limits.requestsPerWindow else {
                return Refusal(
                    "Too many requests: at most \(limits.requestsPerWindow) every \(Self.seconds(windowSeconds)) s.",
                    retryAfter: window.end.timeIntervalSince(now))
            }
            window.requests += 1
            state.windows[key] = window
            return nil
        }
    }

    /// Counts `count` listens of `user`; refused (and not counted) when they would go past
    /// `listensPerWindow` in this window.
    func countListens(_ count: Int, of user: String, now: Date) -> Refusal? {
        state.withLock { state in
            var (key, window) = self.window(of: .user(user), in: &state, now: now)
            guard count <= limits.listensPerWindow - window.listens else {
                return Refusal(
                    "Too many listens: at most \(limits.listensPerWindow) every \(Self.seconds(windowSeconds)) s; "
                        + "\(window.listens) already submitted, \(count) more refused.",
                    retryAfter: window.end.timeIntervalSince(now))
            }
            window.listens += count
            state.windows[key] = window
            return nil
        }
    }

    /// Takes a slot for a request whose body is about to be read; `finish` gives it back.
    /// - Parameter large: whether the body may be larger than `smallBodyBytes`.
    func start(_ client: Client, large: Bool) -> Refusal? {
        state.withLock { state in
            let key = client.key
            guard state.inProgress[key, default: 0] < limits.maxConcurrentRequestsPerClient else {
                return Refusal(
                    "Too many requests in progress: at most \(limits.maxConcurrentRequestsPerClient) at once.",
                    retryAfter: 1)
            }
            if large {
                guard state.largeInProgress < limits.maxConcurrentLargeBodies else {
                    return Refusal(
                        "Too many large submissions in progress: at most \(limits.maxConcurrentLargeBodies) at once.",
                        retryAfter: 1)
                }
                state.largeInProgress += 1
            }
            state.inProgress[key, default: 0] += 1
            return nil
        }
    }

    /// Gives back the slot `start` took.
    func finish(_ client: Client, large: Bool) {
        state.withLock { state in
            let key = client.key
            let left = state.inProgress[key, default: 1] - 1
            state.inProgress[key] = left > 0 ? left : nil
            if large { state.largeInProgress = max(0, state.largeInProgress - 1) }
        }
    }

    /// Records that `player` of `user` plays until `end`; refused when it is not playing yet and
    /// the user already has `maxPlayersPerUser` players playing (those keep playing).
    func admitPlayer(_ player: String, of user: String, until end: Date, now: Date) -> Refusal? {
        state.withLock { state in
            let key = user.lowercased()
            var players = state.players[key, default: [:]].filter { $0.value > now }
            defer { state.players[key] = players.isEmpty ? nil : players }
            if players[player] == nil, players.count >= limits.maxPlayersPerUser {
                let firstEnd = players.values.min() ?? now
                return Refusal(
                    "Too many players: \(user) already has \(players.count) players playing, the limit is "
                        + "\(limits.maxPlayersPerUser).",
                    retryAfter: firstEnd.timeIntervalSince(now))
            }
            players[player] = end
            return nil
        }
    }

    /// The current window of `client` (a new one when its last one ended) and the key it is kept under.
    private func window(of client: Client, in state: inout State, now: Date) -> (String, Window) {
        var key = client.key
        if let window = state.windows[key], window.end > now { return (key, window) }
        if case .address = client, state.windows[key] == nil, state.windows.count >= limits.maxTrackedClients {
            if now >= state.nextPrune {
                state.windows = state.windows.filter { $0.value.end > now }
                state.nextPrune = now.addingTimeInterval(1)
            }
            if state.windows.count >= limits.maxTrackedClients {
                key = Self.overflowKey
                if let window = state.windows[key], window.end > now { return (key, window) }
            }
        }
        return (key, Window(end: now.addingTimeInterval(windowSeconds)))
    }

    private static func seconds(_ value: Double) -> String {
        Int(exactly: value).map { "\($0)" } ?? "\(value)"
    }
}
