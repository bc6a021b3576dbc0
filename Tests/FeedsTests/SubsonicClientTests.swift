import TestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import Feeds

@Suite(.timeLimit(.minutes(2))) struct SubsonicClientUnitTests {
    @Test func redactsSecretsFromURLs() {
        let url = "https://bob:hunter2@music.example/rest/ping.view?u=bob&p=enc:6869&t=abc123&s=salt9&apiKey=KEY&c=tonearm&sort=s"
        let redacted = SubsonicClient.redact(url)
        #expect(
            redacted
                == "https://bob:REDACTED@music.example/rest/ping.view?u=bob&p=REDACTED&t=REDACTED&s=REDACTED&apiKey=REDACTED&c=tonearm&sort=s"
        )
    }

    @Test func credentialsDescriptionHidesTheSecret() {
        #expect("\(SubsonicCredentials(username: "bob", password: "hunter2"))" == "bob (password)")
        #expect(!"\(SubsonicCredentials(username: "bob", apiKey: "k-123"))".contains("k-123"))
    }

    @Test func tokenIsMD5OfPasswordAndAFreshSalt() throws {
        let credentials = SubsonicCredentials(username: "bob", password: "sesame")
        let first = Dictionary(uniqueKeysWithValues: credentials.queryItems(mode: .token))
        let second = Dictionary(uniqueKeysWithValues: credentials.queryItems(mode: .token))
        #expect(first["u"] == "bob" && first["p"] == nil)
        #expect(first["s"] != second["s"])
        #expect(first["t"] == SubsonicCredentials.token(password: "sesame", salt: first["s"]!))
        // md5("sesamec19b2d"), computed with Python's hashlib.
        #expect(SubsonicCredentials.token(password: "sesame", salt: "c19b2d") == "26719a1196d2a940705a59634eb18eab")
        let hexed = Dictionary(uniqueKeysWithValues: credentials.queryItems(mode: .hexEncoded))
        #expect(hexed["p"] == "enc:736573616d65")
    }

    @Test func rejectsUnusableServerURLsAndEndpoints() {
        #expect(throws: SubsonicError.self) { try SubsonicClient(serverURL: "ftp://host", logger: Logger(label: "t")) }
        #expect(throws: SubsonicError.self) { try SubsonicClient(serverURL: "not a url", logger: Logger(label: "t")) }
        #expect(throws: SubsonicError.self) { try SubsonicClient(serverURL: "http://h/?u=x&p=y", logger: Logger(label: "t")) }
        #expect(throws: SubsonicError.invalidEndpoint("../admin")) { try SubsonicClient.methodName("../admin") }
        #expect((try? SubsonicClient.methodName("getAlbum.view")) == "getAlbum")
    }

    @Test func unreachableServerIsATypedErrorWithoutSecrets() async throws {
        // A port that was just free: bind 0, read it, close.
        let port = try await freePort()
        let client = try SubsonicClient(serverURL: "http://127.0.0.1:\(port)", timeout: .seconds(10), logger: Logger(label: "t"))
        let credentials = SubsonicCredentials(username: "bob", password: "hunter2-secret")
        do {
            _ = try await client.getNowPlaying(as: credentials)
            Issue.record("expected an error")
        } catch {
            guard case .unreachable = error else { Issue.record("unexpected \(error)"); return }
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("127.0.0.1:\(port)"))
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct SubsonicClientSupysonicTests {
    @Test func pingFallsBackToPasswordWhenTokensAreRefused() async throws {
        let server = try await SharedSupysonic.get().info
        let logs = LogCapture()
        let client = try SubsonicClient(serverURL: server.url, allowsHexPassword: true, logger: logs.logger)
        let bob = SubsonicCredentials(username: "bob", password: "bob-pass")
        let info = try await client.ping(as: bob)
        #expect(info.apiVersion == "1.12.0")
        #expect(info.openSubsonic == false && !info.supportsPlaybackReport)
        _ = try await client.ping(as: bob)
        #expect(logs.lines(containing: "does not accept token authentication").count == 1)
        #expect(!logs.lines.joined().contains("bob-pass"))
    }

    /// Supysonic has no token authentication. Unless the operator allows it, the client never
    /// sends the reversible `p=enc:` password: every call fails, naming the setting to turn on.
    @Test func noHexPasswordUnlessAllowed() async throws {
        let server = try await SharedSupysonic.get().info
        let logs = LogCapture()
        let client = try SubsonicClient(serverURL: server.url, logger: logs.logger)
        #expect(client.allowsHexPassword == false)
        let bob = SubsonicCredentials(username: "bob", password: "bob-pass")
        for _ in 0..<2 {
            do {
                _ = try await client.ping(as: bob)
                Issue.record("expected an error")
            } catch {
                guard case .tokenAuthenticationRefused(_, let user, let code, _) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(user == "bob" && code == 10)
                #expect("\(error)".contains("AllowHexPassword = true under [Subsonic]"))
                #expect(!"\(error)".contains("bob-pass"))
            }
        }
        let admin = SubsonicCredentials(username: "admin", password: server.users["admin"]!)
        await #expect(throws: SubsonicError.self) { try await client.getNowPlaying(as: admin) }
        await #expect(throws: SubsonicError.self) { try await client.get(endpoint: "getSong", query: [("id", "x")], as: admin) }
        #expect(logs.lines(containing: "hex-encoded instead").isEmpty)
        // Every request is traced with its (redacted) URL: none carried a `p` parameter.
        let requests = logs.lines(containing: "Subsonic request")
        #expect(requests.count >= 4)
        #expect(!requests.contains { $0.contains("&p=") || $0.contains("?p=") })
    }

    @Test func wrongPasswordIsSubsonicError40() async throws {
        let server = try await SharedSupysonic.get().info
        let client = try SubsonicClient(serverURL: server.url, allowsHexPassword: true, logger: Logger(label: "t"))
        do {
            _ = try await client.ping(as: SubsonicCredentials(username: "bob", password: "wrong-pass"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == 40)
            #expect(error.isAuthenticationFailure)
            #expect(!"\(error)".contains("wrong-pass"))
        }
    }

    @Test func nowPlayingSongAndCoverArtAfterAStream() async throws {
        let server = try await SharedSupysonic.get().info
        let admin = SubsonicCredentials(username: "admin", password: server.users["admin"]!)
        let client = try SubsonicClient(serverURL: server.url, allowsHexPassword: true, logger: Logger(label: "t"))
        let song = server.track(titled: "Analytical Engine")
        try await server.stream(song.id, as: "dave")

        let entries = try await client.getNowPlaying(as: admin)
        let entry = try #require(entries.first { $0.username == "dave" })
        #expect(entry.track.id == song.id)
        #expect(entry.track.title == "Analytical Engine" && entry.track.artist == "Ada & The Lovelaces")
        #expect(entry.track.album == "Second Spin" && entry.track.trackNumber == 1 && entry.track.discNumber == 1)
        #expect(entry.track.duration == Double(song.duration) && song.duration == 30)
        #expect(entry.minutesAgo < 1 && entry.playerId == "0" && !entry.hasPlaybackReport)

        let fetched = try await client.getSong(id: song.id, as: admin)
        #expect(fetched.title == "Analytical Engine" && fetched.coverArtId == entry.track.coverArtId)

        let cover = try await client.get(endpoint: "getCoverArt", query: [("id", try #require(entry.track.coverArtId))], as: admin)
        #expect(cover.status == 200)
        #expect(cover.contentType?.hasPrefix("image/jpeg") == true)
        #expect(Array(cover.body.prefix(2)) == [0xFF, 0xD8])
    }

    @Test func rawGetReturnsSubsonicFailuresInTheBody() async throws {
        let server = try await SharedSupysonic.get().info
        let client = try SubsonicClient(serverURL: server.url, allowsHexPassword: true, logger: Logger(label: "t"))
        let bob = SubsonicCredentials(username: "bob", password: "bob-pass")
        // Caller-supplied credentials are dropped: this authenticates as bob, not as "mallory".
        let reply = try await client.get(
            endpoint: "getSong", query: [("id", "00000000-0000-0000-0000-000000000000"), ("f", "json"), ("u", "mallory")],
            as: bob)
        let body = String(decoding: reply.body, as: UTF8.self)
        #expect(body.contains("\"failed\"") && body.contains("\"code\":70"))
        do {
            _ = try await client.getSong(id: "00000000-0000-0000-0000-000000000000", as: bob)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == 70)
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct SubsonicClientOpenSubsonicTests {
    @Test func tokenAndApiKeyAuthAndExtensions() async throws {
        let fake = try await FakeOpenSubsonicServer.start()
        defer { Task { await fake.stop() } }
        let client = try SubsonicClient(serverURL: fake.url + "/", logger: Logger(label: "t"))

        let byToken = try await client.ping(as: SubsonicCredentials(username: fake.username, password: fake.password))
        #expect(byToken.openSubsonic && byToken.type == "navidrome" && byToken.serverVersion == "0.62.0")
        #expect(byToken.supportsPlaybackReport && byToken.extensions["formPost"] == [1])

        let byKey = try await client.ping(as: SubsonicCredentials(username: fake.username, apiKey: fake.apiKey))
        #expect(byKey.supportsPlaybackReport)

        do {
            _ = try await client.ping(as: SubsonicCredentials(username: fake.username, apiKey: "wrong"))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == 44 && error.isAuthenticationFailure)
        }
        await fake.stop()
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound, read back, closed).
func freePort() async throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &address) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            guard bind(fd, sa, length) == 0, getsockname(fd, sa, &length) == 0 else {
                throw SupysonicServer.StartError(description: "could not bind a port")
            }
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
