import Console
import Feeds
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import PluginRuntime
import ServiceLifecycle

extension TonearmDaemon {
    /// The web console's pages (docs/console.md): sign-in, dashboard with live updates, plugins,
    /// logs. Every page but sign-in needs a session; plugins and logs need the operator. Every
    /// POST carries the session's CSRF token.
    func addConsoleEndpoints(to router: Router<TonearmRequestContext>) {
        router.get("console/console.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ConsoleAssets.stylesheet)))
        }
        router.get("console/console.js") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ConsoleAssets.script)))
        }
        router.get("signin") { request, _ in
            if self.consoleSession(of: request) != nil { return Self.redirect("/") }
            return self.signInPage(request: request, error: nil)
        }
        router.post("signin") { request, context in
            await self.signIn(request: request, address: context.remoteAddress?.ipAddress, isLoopback: context.isLoopback)
        }
        router.console(.post, "signout") { request, _ in
            let (session, _) = try await self.pageForm(request, operatorOnly: false)
            self.console.sessions.close(session.id)
            var response = Self.redirect("/signin")
            response.setCookie(self.consoleCookie(Self.sessionCookie, value: "", maxAge: 0))
            return response
        }
        router.console(.get, "/") { request, _ in
            let session = try self.pageSession(request, operatorOnly: false)
            return Self.page(self.dashboardPage(session))
        }
        router.console(.get, "console/fragments/live") { request, _ in
            let session = try self.apiSession(request, operatorOnly: false)
            return Self.page(self.console.pages.render("live", self.liveContext(session)))
        }
        router.console(.get, "console/events") { request, _ in
            let session = try self.apiSession(request, operatorOnly: false)
            return self.liveEvents(session)
        }
        router.console(.get, "plugins") { request, _ in
            let session = try self.pageSession(request, operatorOnly: true)
            return Self.page(self.pluginsPage(session, message: request.uri.queryParameters.get("done"), error: nil))
        }
        router.console(.post, "plugins/:id/:action") { request, context in
            try await self.pluginActionPage(request, id: context.parameters.get("id") ?? "", action: context.parameters.get("action") ?? "")
        }
        router.console(.get, "logs") { request, _ in
            let session = try self.pageSession(request, operatorOnly: true)
            return Self.page(self.logsPage(session, query: request.uri.queryParameters))
        }
    }

    /// A plugin action from a page's form: back to the plugins page with what happened.
    func pluginActionPage(_ request: Request, id: String, action: String) async throws(ConsoleRefusal) -> Response {
        let (session, _) = try await pageForm(request, operatorOnly: true)
        switch await pluginAction(id, action) {
        case .success(let message):
            return Self.redirect("/plugins?done=\(Self.queryValue(message))")
        case .failure(let failure):
            return Self.page(pluginsPage(session, message: nil, error: failure.message), status: failure.status)
        }
    }

    struct ConsoleFailure: Error {
        var status: HTTPResponse.Status
        var message: String
    }

    /// Enables, disables or reloads plugin `id`; the message says what happened.
    func pluginAction(_ id: String, _ action: String) async -> Result<String, ConsoleFailure> {
        guard pluginManager.status(of: id) != nil else {
            return .failure(.init(status: .notFound, message: "No plugin \"\(id)\" in \(configuration.plugins.pluginsFolder)."))
        }
        do {
            switch action {
            case "enable": try await pluginManager.setEnabled(id, true)
            case "disable": try await pluginManager.setEnabled(id, false)
            case "reload": await pluginManager.reload(id)
            case "remove":
                let kept = try await removePlugin(id)
                logger.notice("console: plugin removed", metadata: ["plugin": "\(id)", "file": "\(kept)"])
                return .success("\(id) removed; its file is kept as \(kept)")
            default: return .failure(.init(status: .notFound, message: "Unknown action \"\(action)\": use enable, disable, reload or remove."))
            }
        } catch {
            return .failure(.init(status: .internalServerError, message: "Could not \(action) \(id): \(error)"))
        }
        logger.notice("console: plugin \(action)d", metadata: ["plugin": "\(id)"])
        let state = pluginManager.status(of: id)?.state.rawValue ?? "gone"
        return .success("\(id): \(action) done, now \(state)")
    }

    func signInPage(request: Request, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let token = request.cookies[Self.signInCookie]?.value.nilIfEmpty ?? ConsoleSessions.randomToken()
        let summary = summary()
        var context: [String: Any] = [
            "title": "Sign in", "csrf": token,
            "canSignIn": adminCredentialConfigured || !listenBrainzTokens().isEmpty,
            "demo": configuration.server.demo,
            "adminMissing": !adminCredentialConfigured,
            "plugins": summary.plugins, "users": summary.users, "playing": summary.playing,
        ]
        if let error { context["error"] = error }
        var response = Self.page(console.pages.render("signin", context), status: status)
        response.setCookie(consoleCookie(Self.signInCookie, value: token, maxAge: 3600))
        return response
    }

    func signIn(request: Request, address: String?, isLoopback: Bool) async -> Response {
        if let wait = console.throttle.wait(for: address) {
            var response = signInPage(request: request, error: "Too many failed attempts; try again in \(wait) s.", status: .tooManyRequests)
            response.headers[.retryAfter] = "\(wait)"
            return response
        }
        guard let form = await Self.form(of: request), let token = request.cookies[Self.signInCookie]?.value,
            !token.isEmpty, let sent = FormBody.value("csrf", in: form),
            ConstantTime.equal(Array(sent.utf8), Array(token.utf8))
        else {
            return signInPage(request: request, error: "The form expired; please try again.", status: .forbidden)
        }
        // The demo lets this machine in without a secret (there is none to know).
        let demoSignIn = configuration.server.demo && isLoopback && FormBody.value("demo", in: form) == "1"
        guard let role = demoSignIn ? .admin : role(signingInWith: FormBody.value("secret", in: form) ?? "") else {
            console.throttle.noteFailure(from: address)
            logger.warning("console: failed sign-in", metadata: ["client": "\(address ?? "unknown")"])
            return signInPage(request: request, error: "Wrong password or token.", status: .unauthorized)
        }
        console.throttle.noteSuccess(from: address)
        let session = console.sessions.open(role)
        logger.info("console: signed in", metadata: ["as": "\(Self.describe(role))", "client": "\(address ?? "unknown")"])
        var response = Self.redirect("/")
        response.setCookie(consoleCookie(Self.sessionCookie, value: session.id))
        response.setCookie(consoleCookie(Self.signInCookie, value: "", maxAge: 0))
        return response
    }

    func dashboardPage(_ session: ConsoleSession) -> String {
        var context = layoutContext(session, title: "Dashboard", nav: "Dashboard")
        context.merge(liveContext(session)) { _, new in new }
        let isAdmin = session.role == .admin
        context["heading"] = isAdmin ? "Dashboard" : "Your listening"
        if isAdmin && (pluginManager.statuses().isEmpty || userDirectory.users().isEmpty) {
            context["nextSteps"] = true
            context["pluginsFolder"] = configuration.plugins.pluginsFolder
            context["publicURL"] = configuration.server.publicBaseURL
        }
        return console.pages.render("dashboard", context)
    }

    func pluginsPage(_ session: ConsoleSession, message: String?, error: String?) -> String {
        var context = layoutContext(session, title: "Plugins", nav: "Plugins")
        context["plugins"] = pluginManager.statuses().map { pluginContext($0, csrf: session.csrfToken) }
        context["pluginsFolder"] = configuration.plugins.pluginsFolder
        if let message { context["message"] = message }
        if let error { context["error"] = error }
        return console.pages.render("plugins", context)
    }

    func logsPage(_ session: ConsoleSession, query: FlatDictionary<Substring, Substring>) -> String {
        let plugin = query["plugin"].map(String.init)?.nilIfEmpty
        let level = query["level"].flatMap { Logger.Level(rawValue: String($0)) } ?? .info
        let entries = console.logRing.entries(level: level, plugin: plugin, limit: 1000)
        var context = layoutContext(session, title: "Logs", nav: "Logs")
        context["entries"] = entries.map(Self.logContext)
        context["after"] = "\(entries.last?.sequence ?? 0)"
        var source = "/api/console/logs?level=\(level.rawValue)"
        if let plugin { source += "&plugin=\(Self.queryValue(plugin))" }
        context["source"] = source
        context["pluginOptions"] = pluginManager.statuses().map { ["id": $0.id, "selected": $0.id == plugin] as [String: Any] }
        context["levelOptions"] = Logger.Level.allCases.map { ["name": $0.rawValue, "selected": $0 == level] as [String: Any] }
        return console.pages.render("logs", context)
    }

    /// Server-Sent Events: `refresh` whenever what the dashboard shows changed (checked every
    /// second), a comment every 15 s to keep proxies from closing the stream. The stream ends
    /// when the session ends, after 10 minutes (EventSource reconnects), or at shutdown.
    func liveEvents(_ session: ConsoleSession) -> Response {
        let body = ResponseBody { writer in
            var last = ""
            var quiet = 0
            let started = ContinuousClock.now
            while !Task.isCancelled, !Task.isShuttingDownGracefully, ContinuousClock.now - started < .seconds(600),
                self.console.sessions.session(session.id) != nil
            {
                let snapshot = self.liveFingerprint(session)
                if snapshot != last {
                    last = snapshot
                    quiet = 0
                    try await writer.write(ByteBuffer(string: "event: refresh\ndata: {}\n\n"))
                } else {
                    quiet += 1
                    if quiet >= 15 {
                        quiet = 0
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    }
                }
                try? await Task.sleep(for: .seconds(1))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    /// Changes whenever the live part of the dashboard would (not with the passing of time).
    func liveFingerprint(_ session: ConsoleSession) -> String {
        let users = visibleUsers(session.role).map { user in
            "\(user.userName):" + user.playing.map { "\($0.playerId)|\($0.state)|\($0.title)|\($0.positionMs)" }.joined(separator: ",")
        }
        let cards = visibleCards(session.role).map { "\($0.plugin)|\($0.user)|\($0.state)|\(String(describing: $0.activity))" }
        var parts = users + cards
        if session.role == .admin {
            let activity = console.feedActivity.snapshot
            parts.append("\(activity.failedPolls)|\(activity.submissions.values.reduce(0, +))|\(activity.refusedSubmissions)")
        }
        return parts.joined(separator: "\n")
    }
}

extension String {
    /// Nil for an empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
