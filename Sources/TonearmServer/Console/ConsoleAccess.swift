import Console
import Foundation
import Hummingbird

/// Who is asking: the console's session cookie, CSRF checks, and the cookies it sets.
extension TonearmDaemon {
    static let sessionCookie = "tonearm_session"
    /// Holds the CSRF token of the sign-in form (there is no session yet to hold it).
    static let signInCookie = "tonearm_signin"

    /// The live session of `request`, if it carries one.
    func consoleSession(of request: Request) -> ConsoleSession? {
        guard let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty else { return nil }
        return console.sessions.session(id)
    }

    /// Whether an admin password or `Server.AdminToken` is set.
    var adminCredentialConfigured: Bool {
        !configuration.server.adminToken.isEmpty || (try? console.adminPassword()) != nil
    }

    /// Who `secret` signs in as: the admin (console password or `Server.AdminToken`), a user (their
    /// ListenBrainz token), or nobody.
    func role(signingInWith secret: String) -> ConsoleRole? {
        guard !secret.isEmpty, secret.utf8.count <= 1024 else { return nil }
        let token = configuration.server.adminToken
        if !token.isEmpty, ConstantTime.equal(Array(secret.utf8), Array(token.utf8)) { return .admin }
        if let password = try? console.adminPassword(), password.matches(secret) { return .admin }
        for user in configuration.server.users where !user.listenBrainzToken.isEmpty {
            if ConstantTime.equal(Array(secret.utf8), Array(user.listenBrainzToken.utf8)) { return .user(user.name) }
        }
        return nil
    }

    /// Whether cookies get `Secure`: when the console is reached over https (Server.PublicURL).
    var consoleCookiesSecure: Bool { configuration.server.publicBaseURL.hasPrefix("https://") }

    func consoleCookie(_ name: String, value: String, maxAge: Int? = nil) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: consoleCookiesSecure, httpOnly: true, sameSite: .strict)
    }

    /// Whether a form's or header's CSRF token is the session's.
    static func csrfMatches(_ token: String?, _ session: ConsoleSession) -> Bool {
        guard let token else { return false }
        return ConstantTime.equal(Array(token.utf8), Array(session.csrfToken.utf8))
    }

    /// The decoded form of a POST (at most ``FormBody/maxBytes``); nil when it is too large.
    static func form(of request: Request) async -> [(name: String, value: String)]? {
        guard let body = try? await request.body.collect(upTo: FormBody.maxBytes) else { return nil }
        return FormBody.decode(body.readableBytesView)
    }

    /// A page: HTML that is never cached and never framed by other sites.
    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'self'; img-src * data:; frame-ancestors 'none'; form-action 'self'",
                .init("X-Content-Type-Options")!: "nosniff", .init("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 to `location`.
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// A console request refused: the answer to send instead (to `/signin`, 401, 403).
struct ConsoleRefusal: Error {
    let response: Response
}

extension TonearmDaemon {
    /// The session of a page request, else the answer refusing it: to `/signin` without one,
    /// 403 for a listener on an operator page.
    func pageSession(_ request: Request, operatorOnly: Bool) throws(ConsoleRefusal) -> ConsoleSession {
        guard let session = consoleSession(of: request) else { throw ConsoleRefusal(response: Self.redirect("/signin")) }
        guard !operatorOnly || session.role == .admin else {
            throw ConsoleRefusal(response: Self.page("Only the operator may see this page.", status: .forbidden))
        }
        return session
    }

    /// The session of a posted page form and the form, which must carry the session's CSRF token.
    func pageForm(
        _ request: Request, operatorOnly: Bool
    ) async throws(ConsoleRefusal) -> (session: ConsoleSession, form: [(name: String, value: String)]) {
        let session = try pageSession(request, operatorOnly: operatorOnly)
        guard let form = await Self.form(of: request), Self.csrfMatches(FormBody.value("csrf", in: form), session) else {
            throw ConsoleRefusal(response: Self.page("Missing or wrong CSRF token.", status: .forbidden))
        }
        return (session, form)
    }

    /// The session of a JSON API request: 401 without one, 403 for a listener on an operator
    /// call, 403 for a `write` without the session's token in `X-CSRF-Token`.
    func apiSession(_ request: Request, operatorOnly: Bool, write: Bool = false) throws(ConsoleRefusal) -> ConsoleSession {
        guard let session = consoleSession(of: request) else {
            throw ConsoleRefusal(response: JSONResponse.error(.unauthorized, "sign in first"))
        }
        guard !operatorOnly || session.role == .admin else {
            throw ConsoleRefusal(response: JSONResponse.error(.forbidden, "only the operator may do this"))
        }
        guard !write || Self.csrfMatches(request.headers[.init("X-CSRF-Token")!], session) else {
            throw ConsoleRefusal(response: JSONResponse.error(.forbidden, "missing or wrong X-CSRF-Token"))
        }
        return session
    }
}

extension Router where Context == TonearmRequestContext {
    /// A console route whose handler may refuse with a ``ConsoleRefusal`` (it throws nothing else).
    func console(
        _ method: HTTPRequest.Method, _ path: String,
        _ handler: @escaping @Sendable (Request, TonearmRequestContext) async throws -> Response
    ) {
        on(RouterPath(path), method: method) { request, context in
            do {
                return try await handler(request, context)
            } catch let refusal as ConsoleRefusal {
                return refusal.response
            } catch {
                return JSONResponse.error(.internalServerError, "\(error)")
            }
        }
    }
}
