import NavidromePDK
import NavidromePDKTesting
import Testing

/// A plugin exercising the kernel: input, output, error, config, vars, logs.
private struct Echo: Lifecycle, Scrobbler {
    func onInit() throws(PluginError) {
        Log.info("init with greeting \(Extism.config("greeting") ?? "none")")
    }

    func isAuthorized(_ request: IsAuthorizedRequest) throws(PluginError) -> Bool {
        Extism.setVariable("last", Array(request.username.utf8))
        return request.username.hasPrefix("a")
    }

    func scrobble(_ request: ScrobbleRequest) throws(PluginError) {
        throw .scrobbler(.retryLater, "try \(request.track.title) later")
    }
}

@Suite struct KernelTests {
    @Test func outputOfAnExport() {
        let host = TestHost()
        let yes = host.call(Echo.ndScrobblerIsAuthorized, input: #"{"username":"alice"}"#)
        #expect(yes.succeeded)
        #expect(yes.outputText == "true")
        #expect(host.call(Echo.ndScrobblerIsAuthorized, IsAuthorizedRequest(username: "bob")).outputText == "false")
        #expect(host.vars["last"] == Array("bob".utf8))
    }

    @Test func errorsAndReturnCodes() {
        let host = TestHost()
        let failed = host.call(Echo.ndScrobblerScrobble, ScrobbleRequest(username: "a", track: TrackInfo(title: "Song")))
        #expect(failed.code == 1)
        #expect(failed.error == "scrobbler(retry_later): try Song later")
        #expect(host.call(Echo.ndScrobblerNowPlaying, input: "{}").notImplemented)
        let invalid = host.call(Echo.ndScrobblerScrobble, input: "[1]")
        #expect(invalid.code == 1)
        #expect(invalid.error?.hasPrefix("invalid input") == true)
    }

    @Test func configAndLogs() {
        let host = TestHost()
        host.config["greeting"] = "hi"
        #expect(host.call(Echo.ndOnInit, input: "{}").succeeded)
        host.logLevel = .warn
        host.call(Echo.ndOnInit, input: "{}")
        #expect(host.logs == host.logs.filter { $0.level == .info })
        #expect(host.logs.map(\.message) == ["init with greeting hi"])
    }

    @Test func runReachesTheHostDirectly() throws {
        let host = TestHost()
        host.config["key"] = "value"
        #expect(host.run { Extism.config("key") } == "value")
        #expect(host.run { Extism.config("missing") } == nil)
        host.unixMilliseconds = 1_700_000_000_123
        #expect(try host.run { () throws(PluginError) in try Clock.unixMilliseconds() } == 1_700_000_000_123)
    }
}
