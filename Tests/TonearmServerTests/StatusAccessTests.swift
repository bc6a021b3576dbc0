import Feeds
import Foundation
import Logging
import PluginRuntime
import Testing

@testable import TonearmServer

/// `/api/status` shows what every user is playing: whole only to clients on this machine or
/// with the admin token; counts to anyone else.
@Suite(.timeLimit(.minutes(1))) struct StatusAccessTests {
    private static func daemon(adminToken: String) throws -> (TonearmDaemon, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-status-\(UUID().uuidString)")
        var configuration = TonearmConfiguration()
        configuration.server.adminToken = adminToken
        configuration.server.users = [.init(name: "alice", listenBrainzToken: "tok-a")]
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
        return (try TonearmDaemon(configuration: configuration, logger: Logger(label: "test")), folder)
    }

    private static func play(on daemon: TonearmDaemon) async throws {
        daemon.dispatcher.submit(PlaybackEvent(
            kind: .started, source: .listenBrainz, username: "alice", playerId: "phone", playerName: "Phone",
            track: PlaybackTrack(id: "", title: "Teardrop", artist: "Massive Attack", duration: 330),
            positionMs: 0, playbackRate: 1, timestamp: Date()))
        let deadline = Date().addingTimeInterval(10)
        while daemon.dispatcher.currentPlayback().isEmpty, Date() < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func loopbackClientsSeeEverything() async throws {
        let (daemon, folder) = try Self.daemon(adminToken: "")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.play(on: daemon)
        guard case .full(let status) = daemon.statusAnswer(isLoopback: true, authorization: nil) else {
            Issue.record("a loopback client must get the whole status")
            return
        }
        #expect(status.users.first { $0.userName == "alice" }?.playing.first?.title == "Teardrop")
        await daemon.dispatcher.shutdown()
        await daemon.host.shutdown()
    }

    @Test func othersGetCountsOnlyWithoutTheAdminToken() async throws {
        let (daemon, folder) = try Self.daemon(adminToken: "s3cret-admin")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.play(on: daemon)
        guard case .summary(let summary) = daemon.statusAnswer(isLoopback: false, authorization: nil) else {
            Issue.record("a remote client without a token must get counts only")
            return
        }
        #expect(summary.playing == 1)
        #expect(summary.users == 1)
        let text = try Self.json(summary)
        #expect(!text.contains("alice") && !text.contains("Teardrop") && !text.contains("Phone"), "\(text)")

        guard case .full(let status) = daemon.statusAnswer(isLoopback: false, authorization: "Bearer s3cret-admin") else {
            Issue.record("the admin token must unlock the whole status")
            return
        }
        #expect(status.users.first?.playing.count == 1)
        guard case .unauthorized = daemon.statusAnswer(isLoopback: false, authorization: "Bearer guess") else {
            Issue.record("a wrong token must be refused")
            return
        }
        await daemon.dispatcher.shutdown()
        await daemon.host.shutdown()
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("10.0.0.1", false), ("192.168.1.2", false), ("::ffff:10.0.0.1", false), ("fe80::1", false),
        ("::", false), ("0.0.0.0", false), ("localhost", false), ("", false),
    ])
    func loopbackAddresses(address: String, loopback: Bool) {
        #expect(TonearmRequestContext.isLoopback(address) == loopback)
    }

    @Test func noAddressIsNotLoopback() {
        #expect(!TonearmRequestContext.isLoopback(nil))
    }
}

/// Users first seen in a feed: `getNowPlaying` does not say whether they are admins, so they
/// count as admins until the music server says otherwise — `AllUsers = true` must not let a
/// plugin with `AllowAdmins = false` act for an upstream admin missing from `[[Users]]`.
@Suite(.timeLimit(.minutes(1))) struct FeedUserTests {
    @Test func aUserFirstSeenInAFeedIsAPossibleAdmin() {
        let users = ConfiguredUsers([.init(name: "bob")])
        #expect(users.noteSeen("root"))
        #expect(!users.noteSeen("ROOT"))
        #expect(!users.noteSeen("bob"))
        let noAdmins = PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: users)
        let admins = PluginAccess(allUsers: true, users: [], allowAdmins: true, directory: users)
        #expect(noAdmins.assignedUser(named: "root") == nil)
        #expect(noAdmins.assignedUser(named: "bob") != nil)
        #expect(admins.assignedUser(named: "root") != nil)
        #expect(!users.knowsAdminRole(of: "root"))

        users.confirm("root", isAdmin: false)
        #expect(noAdmins.assignedUser(named: "root") != nil)
        #expect(users.knowsAdminRole(of: "root"))
        users.confirm("root", isAdmin: true)
        #expect(noAdmins.assignedUser(named: "root") == nil)
    }

    @Test(arguments: [
        (#"{"subsonic-response":{"status":"ok","user":{"username":"a","adminRole":false}}}"#, false as Bool?),
        (#"{"subsonic-response":{"status":"ok","user":{"username":"a","adminRole":true}}}"#, true),
        (#"{"subsonic-response":{"status":"ok","user":{"username":"a","adminRole":"false"}}}"#, false),
        (#"{"subsonic-response":{"status":"ok","user":{"username":"a"}}}"#, nil),
        (#"{"subsonic-response":{"status":"failed","error":{"code":50,"message":"not admin"}}}"#, nil),
        ("<xml/>", nil),
    ])
    func adminRoleFromGetUser(body: String, expected: Bool?) {
        let role = try? ConfiguredUsers.adminRole(fromGetUser: Data(body.utf8)).get()
        #expect(role == expected)
    }
}
