import Foundation
import Synchronization

/// What the feeds did lately, for the console's dashboard: the poller's last successful poll,
/// last error and back-off; the ListenBrainz receiver's submissions per user and refusals.
public final class FeedActivity: Sendable {
    /// The feeds' activity at one moment.
    public struct Snapshot: Sendable, Equatable, Encodable {
        public var lastPoll: Date?
        public var lastPollError: String?
        public var lastPollErrorAt: Date?
        /// Failed polls in a row (0 while the server answers).
        public var failedPolls = 0
        /// When the next poll is due while backing off.
        public var nextPollAt: Date?
        /// Accepted submissions by username.
        public var submissions: [String: Int] = [:]
        public var lastSubmission: Date?
        public var lastSubmissionUser: String?
        /// Submissions refused (bad token, limits, invalid payload).
        public var refusedSubmissions = 0
    }

    private let state = Mutex(Snapshot())
    /// The most users counted separately (beyond, submissions still count in the total).
    static let maxUsers = 100_000

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func pollSucceeded(at date: Date = Date()) {
        state.withLock { state in
            state.lastPoll = date
            state.failedPolls = 0
            state.nextPollAt = nil
        }
    }

    public func pollFailed(_ error: String, retryIn delay: Duration, at date: Date = Date()) {
        state.withLock { state in
            state.lastPollError = error
            state.lastPollErrorAt = date
            state.failedPolls += 1
            state.nextPollAt = date.addingTimeInterval(delay / .seconds(1))
        }
    }

    public func submissionAccepted(from username: String, at date: Date = Date()) {
        state.withLock { state in
            if state.submissions[username] != nil || state.submissions.count < Self.maxUsers {
                state.submissions[username, default: 0] += 1
            }
            state.lastSubmission = date
            state.lastSubmissionUser = username
        }
    }

    public func submissionRefused() {
        state.withLock { $0.refusedSubmissions += 1 }
    }
}
