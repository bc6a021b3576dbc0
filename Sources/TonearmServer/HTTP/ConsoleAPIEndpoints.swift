import Console
import Feeds
import Foundation
import Hummingbird
import Logging
import PluginRuntime

extension TonearmDaemon {
    /// The console's JSON API (docs/console.md), behind the pages' session cookie; writes also
    /// need the session's CSRF token in `X-CSRF-Token`. Nothing here holds a secret.
    func addConsoleAPIEndpoints(to router: Router<TonearmRequestContext>) {
        router.console(.get, "api/console/session") { request, _ in
            let session = try self.apiSession(request, operatorOnly: false)
            return JSONResponse.make(SessionAnswer(role: session.role == .admin ? "admin" : "user",
                                                   user: Self.userName(session.role), csrfToken: session.csrfToken))
        }
        router.console(.get, "api/console/dashboard") { request, _ in
            let session = try self.apiSession(request, operatorOnly: false)
            return JSONResponse.make(
                Dashboard(
                    users: self.visibleUsers(session.role), presence: self.visibleCards(session.role),
                    feeds: session.role == .admin ? self.console.feedActivity.snapshot : nil))
        }
        router.console(.get, "api/console/plugins") { request, _ in
            _ = try self.apiSession(request, operatorOnly: true)
            return JSONResponse.make(self.pluginManager.statuses())
        }
        router.console(.post, "api/console/plugins/:id/:action") { request, context in
            _ = try self.apiSession(request, operatorOnly: true, write: true)
            let id = context.parameters.get("id") ?? ""
            switch await self.pluginAction(id, context.parameters.get("action") ?? "") {
            case .success: return JSONResponse.make(self.pluginManager.status(of: id))
            case .failure(let failure): return JSONResponse.error(failure.status, failure.message)
            }
        }
        router.console(.get, "api/console/logs") { request, _ in
            _ = try self.apiSession(request, operatorOnly: true)
            let query = request.uri.queryParameters
            let after = query["after"].flatMap { Int(String($0)) }.map { max(0, $0) } ?? 0
            let limit = query["limit"].flatMap { Int(String($0)) }.map { min(max(1, $0), 5000) } ?? 1000
            let level = query["level"].flatMap { Logger.Level(rawValue: String($0)) } ?? .trace
            let plugin = query["plugin"].map(String.init)?.nilIfEmpty
            return JSONResponse.make(self.console.logRing.entries(after: after, level: level, plugin: plugin, limit: limit))
        }
    }

    static func userName(_ role: ConsoleRole) -> String? {
        if case .user(let name) = role { return name }
        return nil
    }

    struct SessionAnswer: Encodable {
        var role: String
        var user: String?
        var csrfToken: String
    }

    struct Dashboard: Encodable {
        var users: [Status.User]
        var presence: [PresenceBoard.Card]
        var feeds: FeedActivity.Snapshot?
    }
}
