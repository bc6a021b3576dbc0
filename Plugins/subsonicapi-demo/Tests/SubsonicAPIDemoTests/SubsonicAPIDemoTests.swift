@testable import SubsonicAPIDemo
import NavidromePDK
import NavidromePDKTesting
import Testing

/// A Navidrome-shaped answer that carries both endpoints' members, since `TestHost.answer`
/// gives one fixed answer per host function: getNowPlaying reads `nowPlaying`, getAlbumList2
/// reads `albumList2`.
let libraryAnswer = #"""
{"responseJson":"{\"subsonic-response\":{\"status\":\"ok\",\"version\":\"1.16.1\",\"type\":\"navidrome\",\"nowPlaying\":{\"entry\":[{\"id\":\"tr-1\",\"title\":\"Teardrop\",\"artist\":\"Massive Attack\",\"album\":\"Mezzanine\",\"username\":\"bob\",\"minutesAgo\":2,\"playerId\":1,\"playerName\":\"Feishin\"}]},\"albumList2\":{\"album\":[{\"id\":\"al-2\",\"name\":\"Dummy\",\"artist\":\"Portishead\",\"year\":1994},{\"id\":\"al-1\",\"name\":\"Untitled\",\"artist\":\"Anon\"}]}}}"}
"""#

@Suite struct SchedulingTests {
    let host = TestHost()

    @Test func initSchedulesTheRecurringDigestAndAFirstRun() {
        let result = host.call(SubsonicAPIDemo.ndOnInit, input: "{}")
        #expect(result.succeeded)
        #expect(host.scheduler.schedule("digest")?.cronExpression == "@every 15m")
        #expect(host.scheduler.schedule("digest-first")?.delaySeconds == 10)
        #expect(host.logs.map(\.message) == ["digest scheduled (@every 15m), first run in 10s"])
    }

    @Test func initUsesTheConfiguredSchedule() {
        host.config["schedule"] = "@hourly"
        host.call(SubsonicAPIDemo.ndOnInit, input: "{}")
        #expect(host.scheduler.schedule("digest")?.cronExpression == "@hourly")
    }

    @Test func aRejectedScheduleFailsInitWithTheHostReason() {
        host.answer("scheduler_schedulerecurring", with: #"{"error":"invalid cron expression: expected 5 to 6 fields"}"#)
        host.config["schedule"] = "every day"
        let result = host.call(SubsonicAPIDemo.ndOnInit, input: "{}")
        #expect(result.code == 1)
        #expect(result.error == "cannot schedule the digest with 'every day': scheduler_schedulerecurring: invalid cron expression: expected 5 to 6 fields")
    }

    @Test func aMalformedAlbumCountIsReported() {
        host.config["albumCount"] = "ten"
        let result = host.call(SubsonicAPIDemo.ndOnInit, input: "{}")
        #expect(result.error == "albumCount must be a whole number from 1 to 500, not 'ten'")
        host.config["albumCount"] = "501"
        #expect(host.call(SubsonicAPIDemo.ndOnInit, input: "{}").error == "albumCount must be a whole number from 1 to 500, not '501'")
    }

    @Test func unknownSchedulesAreIgnored() {
        let result = host.call(SubsonicAPIDemo.ndSchedulerCallback, SchedulerCallbackRequest(scheduleId: "other"))
        #expect(result.succeeded)
        #expect(host.hostCalls(to: "subsonicapi_call").isEmpty)
    }
}

@Suite struct DigestTests {
    let host = TestHost()

    func fire(_ id: String = "digest") -> CallResult {
        host.call(SubsonicAPIDemo.ndSchedulerCallback, SchedulerCallbackRequest(scheduleId: id, isRecurring: true))
    }

    func uris() throws -> [String] {
        try host.hostCalls(to: "subsonicapi_call").map { call in try call.requestJSON()["uri"]?.stringValue ?? "" }
    }

    @Test func aRunCallsBothEndpointsAsTheConfiguredUserAndKeepsTheDigest() throws {
        host.config["user"] = "alice"
        host.config["albumCount"] = "2"
        host.unixMilliseconds = 1_700_000_000_000
        host.answer("subsonicapi_call", with: libraryAnswer)
        let result = fire()
        #expect(result.succeeded)
        #expect(try uris() == ["getNowPlaying?u=alice", "getAlbumList2?u=alice&type=newest&size=2"])
        // A configured user goes straight to the host, which decides.
        #expect(host.hostCalls(to: "users_getusers").isEmpty)
        let digest = try JSONValue.parse(host.kvstore["digest"] ?? [])
        #expect(digest == (try JSONValue.parse(#"""
            {"at":1700000000,"user":"alice",
             "nowPlaying":[{"username":"bob","title":"Teardrop","artist":"Massive Attack","album":"Mezzanine","playerName":"Feishin","minutesAgo":2}],
             "newestAlbums":[{"id":"al-2","name":"Dummy","artist":"Portishead","year":1994},{"id":"al-1","name":"Untitled","artist":"Anon"}]}
            """#)))
        #expect(try JSONValue.parse(host.kvstore["last-run"] ?? []) == (try JSONValue.parse(#"{"ok":true,"at":1700000000,"user":"alice"}"#)))
        #expect(host.logs.map(\.message) == [
            "digest as alice: 1 playing now (bob: Massive Attack – Teardrop); 2 newest albums: Dummy (Portishead, 1994), Untitled (Anon)",
        ])
    }

    @Test func theFirstRunScheduleRunsTheDigestToo() throws {
        host.config["user"] = "alice"
        host.answer("subsonicapi_call", with: libraryAnswer)
        #expect(fire("digest-first").succeeded)
        #expect(try uris().count == 2)
        #expect(try uris().last == "getAlbumList2?u=alice&type=newest&size=10")
    }

    @Test func theUsernameIsPercentEncoded() throws {
        host.config["user"] = "ann marie&co=ü"
        host.answer("subsonicapi_call", with: libraryAnswer)
        #expect(fire().succeeded)
        #expect(try uris().first == "getNowPlaying?u=ann%20marie%26co%3D%C3%BC")
    }

    @Test func withoutAConfiguredUserTheFirstAssignedNonAdminIsUsed() throws {
        host.users = [TestUser(userName: "root", isAdmin: true), TestUser(userName: "bob"), TestUser(userName: "carol")]
        host.answer("subsonicapi_call", with: libraryAnswer)
        #expect(fire().succeeded)
        #expect(host.hostCalls(to: "users_getusers").count == 1)
        #expect(try uris() == ["getNowPlaying?u=bob", "getAlbumList2?u=bob&type=newest&size=10"])
    }

    @Test func anAdminIsUsedOnlyWhenNoOtherUserIsAssigned() throws {
        host.users = [TestUser(userName: "root", isAdmin: true)]
        host.answer("subsonicapi_call", with: libraryAnswer)
        #expect(fire().succeeded)
        #expect(try uris().first == "getNowPlaying?u=root")
    }

    @Test func noAssignedUserIsReportedAndRecorded() throws {
        host.unixMilliseconds = 1_700_000_100_000
        let result = fire()
        #expect(result.code == 1)
        #expect(result.error == "no user to call the Subsonic API as: assign users to the plugin or set 'user'")
        #expect(host.hostCalls(to: "subsonicapi_call").isEmpty)
        #expect(try JSONValue.parse(host.kvstore["last-run"] ?? []) == (try JSONValue.parse(
            #"{"ok":false,"at":1700000100,"error":"no user to call the Subsonic API as: assign users to the plugin or set 'user'"}"#)))
        #expect(host.kvstore["digest"] == nil)
    }

    @Test func aUserOutsideTheAllowedListIsRefusedWithNavidromesError() throws {
        host.config["user"] = "mallory"
        host.answer("subsonicapi_call", with: #"{"error":"user mallory is not authorized for this plugin"}"#)
        let result = fire()
        let expected = "Subsonic API refused getNowPlaying as 'mallory': user mallory is not authorized for this plugin "
            + "(assign 'mallory' to the plugin, or set 'user' to an assigned user)"
        #expect(result.code == 1)
        #expect(result.error == expected)
        #expect(try uris() == ["getNowPlaying?u=mallory"])  // stops at the first refusal
        #expect(host.logs.map(\.message) == ["digest failed: " + expected])
        #expect(host.logs.first?.level == .warn)
        let lastRun = try JSONValue.parse(host.kvstore["last-run"] ?? [])
        #expect(lastRun["ok"] == .bool(false))
        #expect(lastRun["user"] == .string("mallory"))
        #expect(lastRun["error"] == .string(expected))
    }

    @Test func anAdminWithoutTheAdminFlagIsRefusedWithTonearmsError() {
        host.config["user"] = "root"
        host.answer("subsonicapi_call", with: #"{"error":"user \"root\" is an admin and this plugin is not allowed to act for admin users"}"#)
        let result = fire()
        #expect(result.error == "Subsonic API refused getNowPlaying as 'root': user \"root\" is an admin and this plugin is not allowed to act for admin users "
            + "(the host does not let this plugin act as an admin (Tonearm: AllowAdmins = true in [Plugins.<id>]); or set 'user' to a non-admin)")
    }

    @Test func anUnknownUserAndNoAssignedUsersGetTheirOwnHints() {
        host.config["user"] = "ghost"
        host.answer("subsonicapi_call", with: #"{"error":"username ghost not found"}"#)
        #expect(fire().error == "Subsonic API refused getNowPlaying as 'ghost': username ghost not found (check the 'user' setting: there is no such user)")
        host.answer("subsonicapi_call", with: #"{"error":"no users configured for plugin subsonicapi-demo"}"#)
        #expect(fire().error == "Subsonic API refused getNowPlaying as 'ghost': no users configured for plugin subsonicapi-demo (assign at least one user to the plugin)")
    }

    @Test func aSubsonicFailureInsideTheResponseIsReported() {
        host.config["user"] = "alice"
        host.answer("subsonicapi_call", with: #"""
            {"responseJson":"{\"subsonic-response\":{\"status\":\"failed\",\"version\":\"1.16.1\",\"error\":{\"code\":50,\"message\":\"User not authorized for the given operation\"}}}"}
            """#)
        #expect(fire().error == "Subsonic error 50 on getNowPlaying as 'alice': User not authorized for the given operation")
    }

    @Test func aResponseThatIsNotSubsonicJSONIsReported() {
        host.config["user"] = "alice"
        host.answer("subsonicapi_call", with: #"{"responseJson":"<subsonic-response status=\"ok\"/>"}"#)
        #expect(fire().error?.hasPrefix("getNowPlaying as 'alice' answered with invalid JSON: ") == true)
        host.answer("subsonicapi_call", with: #"{"responseJson":"{\"ok\":true}"}"#)
        #expect(fire().error == "getNowPlaying as 'alice' answered without a subsonic-response object")
    }
}

@Suite struct ParsingTests {
    @Test func aLoneNowPlayingEntryAndAnEmptyListAreRead() throws {
        let single = try JSONValue.parse(#"{"nowPlaying":{"entry":{"username":"bob","title":"T","artist":"A","minutesAgo":0}}}"#)
        #expect(PlayingNow.entries(of: single).map(\.username) == ["bob"])
        let empty = try JSONValue.parse(#"{"nowPlaying":{}}"#)
        #expect(PlayingNow.entries(of: empty).isEmpty)
    }

    @Test func albumLabelsShowTheYearWhenKnown() {
        #expect(NewAlbum(id: "1", name: "Dummy", artist: "Portishead", year: 1994).label == "Dummy (Portishead, 1994)")
        #expect(NewAlbum(id: "2", name: "X", artist: "Y", year: 0).label == "X (Y)")
    }

    @Test func wholeNumbersAreDigitsOnly() {
        #expect(DigestSettings.wholeNumber("42") == 42)
        #expect(DigestSettings.wholeNumber("-1") == nil)
        #expect(DigestSettings.wholeNumber("") == nil)
        #expect(DigestSettings.wholeNumber("1e3") == nil)
    }
}
