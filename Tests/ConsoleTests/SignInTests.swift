import Console
import Foundation
import Testing

@Suite struct SignInTests {
    @Test func passwordHashRoundTripsAndRejectsOthers() throws {
        let password = try AdminPassword(hashing: "correct horse", rounds: 1000)
        #expect(password.matches("correct horse"))
        #expect(!password.matches("correct horsE"))
        #expect(!password.matches(""))
        let stored = try AdminPassword(stored: password.stored)
        #expect(stored == password)
        #expect(stored.matches("correct horse"))
        #expect(password.stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(!password.stored.contains("correct"))
    }

    @Test func shortPasswordsAndBadStoredLinesAreRefusedWithAReason() {
        #expect(throws: AdminPasswordError.self) { try AdminPassword(hashing: "short") }
        for line in [
            "", "plain", "pbkdf2-sha256$abc$AAAAAAAAAAA=$AAAA", "pbkdf2-sha256$0$AAAAAAAAAAA=$AAAA",
            "pbkdf2-sha256$99999999999$AAAAAAAAAAA=$AAAA", "pbkdf2-sha256$1000$!!$AAAA", "md5$1$a$b",
            "pbkdf2-sha256$1000$AAAAAAAAAAA=$AAAA",
        ] {
            #expect(throws: AdminPasswordError.self) { try AdminPassword(stored: line) }
        }
    }

    @Test func sessionsCarryTheirRoleAndCSRFTokenAndExpireWhenIdle() {
        let sessions = ConsoleSessions(idleLifetime: 60, capacity: 10)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let admin = sessions.open(.admin, now: start)
        let user = sessions.open(.user("alice"), now: start)
        #expect(admin.id.count == 64 && admin.csrfToken.count == 64 && admin.id != admin.csrfToken)
        #expect(sessions.session(admin.id, now: start.addingTimeInterval(30))?.role == .admin)
        // Used at 30 s, so alive at 80 s; the user's, never used, ended at 60 s.
        #expect(sessions.session(admin.id, now: start.addingTimeInterval(80)) != nil)
        #expect(sessions.session(user.id, now: start.addingTimeInterval(80)) == nil)
        #expect(sessions.session("guess") == nil)
        sessions.close(admin.id)
        #expect(sessions.session(admin.id, now: start.addingTimeInterval(81)) == nil)
    }

    @Test func sessionsAreBoundedByCapacity() {
        let sessions = ConsoleSessions(idleLifetime: 3600, capacity: 3)
        let start = Date(timeIntervalSince1970: 1_000_000)
        let first = sessions.open(.admin, now: start)
        for index in 1...5 { _ = sessions.open(.user("u\(index)"), now: start.addingTimeInterval(Double(index))) }
        #expect(sessions.session(first.id, now: start.addingTimeInterval(10)) == nil)
        sessions.closeAll(of: .user("u5"))
    }

    @Test func throttleRefusesAfterTooManyFailuresUntilTheWindowEnds() {
        let throttle = SignInThrottle(maxFailures: 3, window: 60)
        let start = Date(timeIntervalSince1970: 1_000_000)
        for _ in 0..<3 {
            #expect(throttle.wait(for: "10.0.0.1", now: start) == nil)
            throttle.noteFailure(from: "10.0.0.1", now: start)
        }
        #expect(throttle.wait(for: "10.0.0.1", now: start.addingTimeInterval(1)) == 59)
        #expect(throttle.wait(for: "10.0.0.2", now: start) == nil)
        #expect(throttle.wait(for: "10.0.0.1", now: start.addingTimeInterval(61)) == nil)
        throttle.noteFailure(from: "10.0.0.2", now: start)
        throttle.noteSuccess(from: "10.0.0.2")
        #expect(throttle.wait(for: "10.0.0.2", now: start) == nil)
    }

    @Test func formBodiesDecodeInOrder() {
        let form = FormBody.decode(Array("csrf=a%2Bb&secret=p+w%26d&empty=&flag&csrf=second".utf8))
        #expect(form.map(\.name) == ["csrf", "secret", "empty", "flag", "csrf"])
        #expect(FormBody.value("csrf", in: form) == "a+b")
        #expect(FormBody.value("secret", in: form) == "p w&d")
        #expect(FormBody.value("flag", in: form) == "")
        #expect(FormBody.value("missing", in: form) == nil)
        #expect(FormBody.decode(Array("%ZZ=%".utf8)).first?.name == "%ZZ")
    }

    @Test func htmlTextEscapesWhatCouldBreakOut() {
        #expect(HTMLText.escape(#"<script>"x"&'y'</script>"#) == "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;")
    }
}
