import Foundation
import Logging
import NIOCore
import Testing

@testable import Feeds

/// `ListenBrainzLimits`: authentication before the body, rate and concurrency limits (429),
/// the body size (413) and the per-user player cap.
@Suite(.timeLimit(.minutes(1))) struct ListenBrainzLimitsTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let playingNow = #"{"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"A","track_name":"T"}}]}"#

    static func playingNow(player: String, durationMs: Int? = nil) -> String {
        let duration = durationMs.map { #","duration_ms":\#($0)"# } ?? ""
        return #"{"listen_type":"playing_now","payload":[{"track_metadata":{"artist_name":"A","track_name":"T","additional_info":{"media_player":"\#(player)"\#(duration)}}}]}"#
    }

    static func importing(_ count: Int) -> String {
        let listen = #"{"listened_at":1700000000,"track_metadata":{"artist_name":"A","track_name":"T"}}"#
        return #"{"listen_type":"import","payload":[\#(Array(repeating: listen, count: count).joined(separator: ","))]}"#
    }

    func receiver(_ limits: ListenBrainzLimits, logger: Logger = Logger(label: "test.limits")) -> ListenBrainzReceiver {
        ListenBrainzReceiver(tokens: ["tok-alice": "alice", "tok-bob": "bob"], limits: limits, logger: logger)
    }

    func json(_ reply: ListenBrainzReceiver.Reply) -> [String: Any] {
        ((try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any]) ?? [:]
    }

    func submit(
        _ receiver: ListenBrainzReceiver, _ body: String = Self.playingNow, token: String? = "tok-alice",
        address: String? = "192.0.2.1", at time: Date? = nil
    ) async -> ListenBrainzReceiver.Reply {
        await receiver.submitListens(
            authorization: token.map { "Token \($0)" }, remoteAddress: address, declaredLength: body.utf8.count,
            now: time ?? now
        ) { _ in Data(body.utf8) }
    }

    @Test func badTokenWithABigBodyIs401WithoutReadingIt() async {
        let receiver = receiver(.default)
        var reads = 0
        let started = ContinuousClock.now
        for token in ["Token nope", nil, "garbage"] as [String?] {
            let reply = await receiver.submitListens(
                authorization: token, remoteAddress: "192.0.2.7", declaredLength: 10_000_000
            ) { _ in
                reads += 1
                return Data(count: 10_000_000)
            }
            #expect(reply.status == 401 && reply.events.isEmpty)
        }
        #expect(reads == 0)
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func declaredOrActualOversizeIs413() async {
        let receiver = receiver(ListenBrainzLimits(maxBodyBytes: 1000))
        var reads = 0
        let declared = await receiver.submitListens(authorization: "Token tok-alice", declaredLength: 1001) { _ in
            reads += 1
            return Data()
        }
        #expect(declared.status == 413 && reads == 0)
        #expect((json(declared)["error"] as? String)?.contains("at most 1000 bytes") == true)
        // No Content-Length: the reader stops at the limit, as collect(upTo:) does.
        let streamed = await receiver.submitListens(authorization: "Token tok-alice") { limit in
            #expect(limit == 1000)
            throw NIOTooManyBytesError(maxBytes: limit)
        }
        #expect(streamed.status == 413 && json(streamed)["code"] as? Int == 413)
    }

    @Test func floodingClientGets429WithRetryAfterOthersDoNot() async throws {
        let receiver = receiver(ListenBrainzLimits(requestsPerWindow: 3, window: .seconds(10)))
        for _ in 0..<3 { #expect(await submit(receiver).status == 200) }
        let refused = await submit(receiver)
        #expect(refused.status == 429 && refused.events.isEmpty)
        #expect(json(refused)["code"] as? Int == 429)
        #expect((json(refused)["error"] as? String)?.contains("Too many requests") == true)
        #expect(refused.headers["Retry-After"] == "10" && refused.headers["X-RateLimit-Reset-In"] == "10")
        // Another user is counted apart, and so are requests without a valid token.
        #expect(await submit(receiver, token: "tok-bob").status == 200)
        for _ in 0..<3 { #expect(await submit(receiver, token: "nope").status == 401) }
        #expect(await submit(receiver, token: "nope").status == 429)
        #expect(await submit(receiver, token: "nope", address: "192.0.2.2").status == 401)
        #expect(await submit(receiver, token: "tok-bob").status == 200)
        // The next window.
        let later = await submit(receiver, at: now + 10)
        #expect(later.status == 200)
        #expect(await submit(receiver, token: "tok-bob", at: now + 4).status == 200)
        let halfway = await submit(receiver, token: "tok-bob", at: now + 4)
        #expect(halfway.status == 429 && halfway.headers["Retry-After"] == "6")
    }

    @Test func tokenValidationIsRateLimitedPerAddress() {
        let receiver = receiver(ListenBrainzLimits(requestsPerWindow: 3, window: .seconds(10)))
        for guess in 0..<3 {
            let reply = receiver.validateToken(authorization: nil, token: "guess-\(guess)", remoteAddress: "192.0.2.9", now: now)
            #expect(reply.status == 200 && json(reply)["valid"] as? Bool == false)
        }
        let refused = receiver.validateToken(authorization: nil, token: "tok-alice", remoteAddress: "192.0.2.9", now: now)
        #expect(refused.status == 429 && refused.headers["Retry-After"] == "10")
        // Another address has its own budget, and the window passes.
        #expect(json(receiver.validateToken(authorization: nil, token: "tok-alice", remoteAddress: "192.0.2.10", now: now))["valid"] as? Bool == true)
        #expect(receiver.validateToken(authorization: nil, token: "tok-alice", remoteAddress: "192.0.2.9", now: now + 10).status == 200)
    }

    @Test func newAddressesBeyondTheTrackedOnesShareOneBudget() async {
        let receiver = receiver(ListenBrainzLimits(requestsPerWindow: 2, maxTrackedClients: 2))
        #expect(await submit(receiver, token: "x", address: "a").status == 401)
        #expect(await submit(receiver, token: "x", address: "b").status == 401)
        #expect(await submit(receiver, token: "x", address: "c").status == 401)
        #expect(await submit(receiver, token: "x", address: "d").status == 401)
        #expect(await submit(receiver, token: "x", address: "e").status == 429)
        // Users are always counted on their own.
        #expect(await submit(receiver).status == 200)
    }

    @Test func listensPerWindowBoundWhatAUserQueues() async {
        let receiver = receiver(ListenBrainzLimits(listensPerWindow: 5))
        #expect(await submit(receiver, Self.importing(3)).status == 200)
        let refused = await submit(receiver, Self.importing(3))
        #expect(refused.status == 429 && refused.events.isEmpty)
        #expect((json(refused)["error"] as? String)?.contains("Too many listens") == true)
        #expect(await submit(receiver, Self.importing(2)).status == 200)
        #expect(await submit(receiver, token: "tok-bob").status == 200)
    }

    /// A request whose body is still being read holds a slot; its reader waits on `gate`.
    func holdOne(
        _ receiver: ListenBrainzReceiver, token: String, declaredLength: Int?, gate: AsyncStream<Void>,
        entered: AsyncStream<Void>.Continuation
    ) -> Task<Int, Never> {
        Task {
            await receiver.submitListens(authorization: "Token \(token)", declaredLength: declaredLength) { _ in
                entered.yield()
                for await _ in gate {}
                return Data(Self.playingNow.utf8)
            }.status
        }
    }

    @Test func requestsInProgressAreCappedPerClient() async {
        let receiver = receiver(ListenBrainzLimits(maxConcurrentRequestsPerClient: 1))
        let gate = AsyncStream<Void>.makeStream()
        let entered = AsyncStream<Void>.makeStream()
        let held = holdOne(receiver, token: "tok-alice", declaredLength: 100, gate: gate.stream, entered: entered.continuation)
        var iterator = entered.stream.makeAsyncIterator()
        await iterator.next()
        let second = await submit(receiver)
        #expect(second.status == 429 && second.headers["Retry-After"] == "1")
        #expect((json(second)["error"] as? String)?.contains("in progress") == true)
        #expect(await submit(receiver, token: "tok-bob").status == 200)
        gate.continuation.finish()
        #expect(await held.value == 200)
        #expect(await submit(receiver).status == 200)
    }

    @Test func largeBodiesInProgressAreCappedButSmallOnesPass() async {
        let receiver = receiver(ListenBrainzLimits(maxConcurrentLargeBodies: 1))
        let gate = AsyncStream<Void>.makeStream()
        let entered = AsyncStream<Void>.makeStream()
        let held = holdOne(receiver, token: "tok-alice", declaredLength: nil, gate: gate.stream, entered: entered.continuation)
        var iterator = entered.stream.makeAsyncIterator()
        await iterator.next()
        let large = await receiver.submitListens(authorization: "Token tok-bob", declaredLength: 1_000_000) { _ in
            Data(Self.playingNow.utf8)
        }
        #expect(large.status == 429)
        #expect(await submit(receiver, token: "tok-bob").status == 200)  // small, declared
        gate.continuation.finish()
        #expect(await held.value == 200)
        #expect(await submit(receiver, Self.playingNow, token: "tok-bob").status == 200)
    }

    @Test func playersPerUserAreCappedNewOnesRefused() async throws {
        let logs = LogCapture()
        let receiver = receiver(ListenBrainzLimits(maxPlayersPerUser: 2, sessionGrace: .seconds(60)), logger: logs.logger)
        #expect(await submit(receiver, Self.playingNow(player: "one", durationMs: 100_000)).status == 200)
        #expect(await submit(receiver, Self.playingNow(player: "two", durationMs: 300_000)).status == 200)
        let third = await submit(receiver, Self.playingNow(player: "three"))
        #expect(third.status == 429 && third.events.isEmpty)
        #expect((json(third)["error"] as? String)?.contains("Too many players") == true)
        // "one" ends at now + 100 s + 60 s of grace.
        #expect(third.headers["Retry-After"] == "160")
        #expect(logs.lines(containing: "too many players").count == 1)
        // Players already playing go on; another user has their own.
        #expect(await submit(receiver, Self.playingNow(player: "one", durationMs: 100_000)).status == 200)
        #expect(await submit(receiver, Self.playingNow(player: "three"), token: "tok-bob").status == 200)
        // Scrobbles open no session.
        #expect(await submit(receiver, Self.importing(1)).status == 200)
        // Once "one" is over, "three" may start.
        #expect(await submit(receiver, Self.playingNow(player: "three"), at: now + 161).status == 200)
        #expect(await submit(receiver, Self.playingNow(player: "one"), at: now + 162).status == 429)
    }

    @Test func unknownDurationsCountForTheirOwnLifetime() async {
        let receiver = receiver(ListenBrainzLimits(maxPlayersPerUser: 1, unknownDurationSession: .seconds(660)))
        #expect(await submit(receiver, Self.playingNow(player: "one")).status == 200)
        #expect(await submit(receiver, Self.playingNow(player: "two"), at: now + 659).status == 429)
        #expect(await submit(receiver, Self.playingNow(player: "two"), at: now + 661).status == 200)
    }
}
