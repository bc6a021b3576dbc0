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
