import Console
import Testing

@Suite struct ConsolePagesTests {
    @Test func pagesEscapeWhatTheyShow() {
        let pages = ConsolePages()
        let html = pages.render("plugins", [
            "title": "Plugins", "signedIn": true, "isAdmin": true, "csrf": "tok",
            "plugins": [["id": "x", "displayName": "<img src=x onerror=alert(1)>", "state": "loaded", "csrf": "tok"]],
        ])
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("<img src=x"))
        #expect(html.contains(#"name="csrf" value="tok""#))
    }

    @Test func signInPageExplainsHowToSetACredentialWhenThereIsNone() {
        let html = ConsolePages().render(
            "signin", ["title": "Sign in", "canSignIn": false, "adminMissing": true, "plugins": 0, "users": 0, "playing": 0])
        #expect(html.contains("tonearm admin set-password"))
        #expect(!html.contains("<form method=\"post\" action=\"/signin\">"))
    }
}
