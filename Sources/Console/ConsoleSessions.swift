import Foundation
import Synchronization

/// Who a console session belongs to.
package enum ConsoleRole: Sendable, Equatable {
    /// The operator: sees and changes everything.
    case admin
    /// A user of the music server: sees only their own entry.
    case user(String)
}

/// One signed-in browser.
package struct ConsoleSession: Sendable, Equatable {
    /// The session cookie's value (256 random bits, hex).
    package let id: String
    /// The token every form and API write of this session carries (256 random bits, hex).
    package let csrfToken: String
    package let role: ConsoleRole
    /// When the session ends unless used again.
    package var expires: Date
}

/// The console's sessions, in memory (a restart signs everyone out). Sessions end after
/// `idleLifetime` without use; at most `capacity` are kept (the least recently used goes first).
package final class ConsoleSessions: Sendable {
    package let idleLifetime: Double
    package let capacity: Int
    private let sessions = Mutex<[String: ConsoleSession]>([:])

    package init(idleLifetime: Double = 12 * 3600, capacity: Int = 1000) {
        self.idleLifetime = idleLifetime
        self.capacity = max(1, capacity)
    }

    /// Opens a session for `role`.
    package func open(_ role: ConsoleRole, now: Date = Date()) -> ConsoleSession {
        let session = ConsoleSession(
            id: Self.randomToken(), csrfToken: Self.randomToken(), role: role, expires: now.addingTimeInterval(idleLifetime))
        sessions.withLock { sessions in
            if sessions.count >= capacity {
                sessions = sessions.filter { $0.value.expires > now }
                while sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
                    sessions[oldest.key] = nil
                }
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with cookie value `id`, its idle time restarted; nil when unknown or ended.
    package func session(_ id: String, now: Date = Date()) -> ConsoleSession? {
        sessions.withLock { sessions in
            guard var session = sessions[id] else { return nil }
            guard session.expires > now else {
                sessions[id] = nil
                return nil
            }
            session.expires = now.addingTimeInterval(idleLifetime)
            sessions[id] = session
            return session
        }
    }

    /// Ends the session with cookie value `id`.
    package func close(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Ends every session of `role` (after the admin password changes, or a user is removed).
    package func closeAll(of role: ConsoleRole) {
        sessions.withLock { sessions in sessions = sessions.filter { $0.value.role != role } }
    }

    /// 32 random bytes from the system's secure generator, as hex.
    package static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
