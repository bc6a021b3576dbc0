import DiscordSimulator
import Testing
import TonearmJSON

@Suite("Gateway handshake and validation", .timeLimit(.minutes(2)))
struct GatewayTests {
    @Test func helloIsTheFirstFrame() async throws {
        try await withSimulator { _, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL + "/?v=10&encoding=json")
            let hello = try await client.next()
            #expect(hello["op"] == 10)
            #expect(hello["d"]?["heartbeat_interval"] == 5_000)
            #expect(hello["s"] == .null)
            client.close(code: 1000)
        }
    }

    @Test func identifyGetsReadyWithSessionAndResumeURL() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            #expect(ready["session_id"]?.stringValue?.isEmpty == false)
            #expect(ready["resume_gateway_url"]?.stringValue == endpoints.resumeGatewayURL)
            #expect(ready["resume_gateway_url"]?.stringValue != endpoints.gatewayURL)
            #expect(ready["user"]?["id"]?.stringValue == simulator.report(for: "alice")?.id)
            #expect(ready["v"] == 10)
            let readyFrame = client.frames.first { $0["t"] == "READY" }
            #expect(readyFrame?["s"] == 1)
            let report = try #require(simulator.report(for: "alice"))
            #expect(report.counters.identifies == 1)
            #expect(report.sessions.map(\.state) == [.connected])
            let order = simulator.frames(user: "alice").filter { $0.direction != .event }.map { "\($0.direction.rawValue):\($0.op ?? -1)" }
            #expect(order == ["sent:10", "received:2", "sent:0"])
            client.close(code: 1000)
        }
    }

    @Test func identifyBeforeHelloIsAccepted() async throws {
        try await withSimulator { _, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL)
            client.send(Payload.identify(token: aliceToken))
            let first = try await client.next()
            let second = try await client.next()
            #expect(first["op"] == 10)
            #expect(second["t"] == "READY")
            client.close(code: 1000)
        }
    }

    @Test func presenceBetweenIdentifyAndReadyIsAppliedAtReady() async throws {
        try await withSimulator({ $0.readyDelayMilliseconds = 1_000 }) { simulator, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL + "/?v=9&encoding=json")
            client.send(Payload.identify(token: aliceToken))
            client.send(Payload.presence([Payload.activity(details: "Early")]))
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.counters.presenceUpdates == 1 })
            #expect(simulator.presence(of: "alice") == nil)
            let ready = try await client.next(op: 0)
            #expect(ready["t"] == "READY")
            #expect(ready["d"]?["v"] == 9)
            let replace = try await client.next(op: 0)
            #expect(replace["t"] == "SESSIONS_REPLACE")
            #expect(replace["s"] == 2)
            #expect(simulator.presence(of: "alice")?.activity?["details"] == "Early")
            client.close(code: 1000)
        }
    }

    @Test func presenceBeforeIdentifyClosesWith4003() async throws {
        try await withSimulator { simulator, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL)
            try await client.next(op: 10)
            client.send(Payload.presence([Payload.activity()]))
            #expect(try await client.closeCode() == 4003)
            #expect(await simulator.waitUntil { !$0.closeRecords().isEmpty })
            #expect(simulator.closeRecords().last?.code == 4003)
            #expect(simulator.closeRecords().last?.initiator == .server)
        }
    }

    @Test func secondIdentifyClosesWith4005() async throws {
        try await withSimulator { _, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(Payload.identify(token: aliceToken))
            #expect(try await client.closeCode() == 4005)
        }
    }

    @Test func unknownTokenClosesWith4004() async throws {
        try await withSimulator { simulator, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL)
            try await client.next(op: 10)
            client.send(Payload.identify(token: "not-a-token"))
            #expect(try await client.closeCode() == 4004)
            #expect(simulator.report(for: "alice")?.sessions.isEmpty == true)
            let logged = simulator.frames().filter { $0.direction == .received }.map(\.text).joined()
            #expect(!logged.contains("not-a-token"))
        }
    }

    @Test func malformedJSONClosesWith4002() async throws {
        try await withSimulator { _, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL)
            try await client.next(op: 10)
            client.send(text: "{\"op\": 1, \"d\": ")
            #expect(try await client.closeCode() == 4002)
        }
    }

    @Test func unknownOpcodeClosesWith4001() async throws {
        try await withSimulator { _, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(["op": 42, "d": .null])
            #expect(try await client.closeCode() == 4001)
        }
    }

    @Test func unsupportedVersionClosesWith4012() async throws {
        try await withSimulator { _, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL + "/?v=6&encoding=json")
            let code = try await client.closeCode()
            #expect(code == 4012)
        }
    }

    @Test func frameOver4096BytesClosesWith4002() async throws {
        try await withSimulator { _, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            let long = String(repeating: "x", count: 5_000)
            client.send(Payload.presence([Payload.activity(details: long)]))
            #expect(try await client.closeCode() == 4002)
        }
    }

    @Test func heartbeatIsAcknowledged() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(Payload.heartbeat(1))
            let ack = try await client.next(op: 11)
            #expect(ack["d"] == .null)
            client.send(Payload.heartbeat(nil))
            try await client.next(op: 11)
            #expect(simulator.report(for: "alice")?.counters.heartbeatACKs == 2)
            client.close(code: 1000)
        }
    }

    @Test func silentConnectionIsClosedAndSessionStaysResumable() async throws {
        try await withSimulator({
            $0.heartbeatIntervalMilliseconds = 500
            $0.heartbeatTimeoutMilliseconds = 1_500
            $0.heartbeatTimeoutCloseCode = 4009
        }) { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(Payload.presence([Payload.activity()]))
            #expect(try await client.closeCode() == 4009)
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.map(\.state) == [.resumable] })
            #expect(simulator.presence(of: "alice")?.activity?["details"] == "Song")
        }
    }

    @Test func presenceIsValidatedAndApplied() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(Payload.presence([Payload.activity(details: "First")], status: "dnd"))
            #expect(await simulator.waitUntil { $0.presence(of: "alice")?.activity?["details"] == "First" })
            #expect(simulator.presence(of: "alice")?.status == "dnd")
            #expect(simulator.presence(of: "alice")?.warnings == [])

            client.send(Payload.presence([Payload.activity(details: String(repeating: "é", count: 129))]))
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.counters.presenceUpdatesRejected == 1 })
            #expect(simulator.report(for: "alice")?.counters.lastRejection?.contains("details") == true)
            #expect(simulator.presence(of: "alice")?.activity?["details"] == "First")

            let raw = Payload.activity(details: "Raw", extra: ["assets": ["large_image": "https://example.org/a.jpg"]])
            client.send(Payload.presence([raw]))
            #expect(await simulator.waitUntil { $0.presence(of: "alice")?.activity?["details"] == "Raw" })
            #expect(simulator.presence(of: "alice")?.warnings.first?.contains("raw URL") == true)

            client.send(Payload.presence([]))
            #expect(await simulator.waitUntil { $0.presence(of: "alice")?.activity == nil })
            #expect(simulator.presence(of: "alice")?.status == "online")

            client.send(["op": 3, "d": ["since": 0, "status": "busy", "afk": false, "activities": []]])
            #expect(try await client.closeCode() == 4001)
        }
    }

    @Test func presenceRateLimitDropsAndRecordsABreach() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            for index in 1...6 {
                client.send(Payload.presence([Payload.activity(details: "Track \(index)")]))
            }
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.counters.presenceUpdatesDropped == 1 })
            let counters = try #require(simulator.report(for: "alice")?.counters)
            #expect(counters.presenceUpdates == 5)
            #expect(counters.rateLimitBreaches == 1)
            #expect(simulator.rateLimitBreaches().map(\.kind) == [.presence])
            #expect(simulator.presence(of: "alice")?.activity?["details"] == "Track 5")
            client.close(code: 1000)
        }
    }

    @Test func frameRateLimitClosesWith4008() async throws {
        try await withSimulator({ $0.frameRateLimit = RateLimit(count: 10, windowMilliseconds: 60_000) }) { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            for _ in 1...10 { client.send(Payload.heartbeat(1)) }
            #expect(try await client.closeCode() == 4008)
            #expect(simulator.rateLimitBreaches().map(\.kind) == [.frames])
        }
    }

    @Test func clientClose1000ClearsPresenceButOtherCodesKeepIt() async throws {
        try await withSimulator { simulator, endpoints in
            let (alice, _) = try await connectAndIdentify(endpoints, token: aliceToken)
            let (bob, _) = try await connectAndIdentify(endpoints, token: bobToken)
            alice.send(Payload.presence([Payload.activity(details: "A")]))
            bob.send(Payload.presence([Payload.activity(details: "B")]))
            #expect(await simulator.waitUntil { $0.presence(of: "alice") != nil && $0.presence(of: "bob") != nil })
            alice.close(code: 1000)
            bob.close(code: 4200)
            _ = try await alice.closeCode()
            _ = try await bob.closeCode()
            #expect(await simulator.waitUntil { $0.presence(of: "alice") == nil })
            #expect(await simulator.waitUntil { $0.report(for: "bob")?.sessions.map(\.state) == [.resumable] })
            #expect(simulator.presence(of: "bob")?.activity?["details"] == "B")
            #expect(simulator.report(for: "alice")?.counters.closes.last?.code == 1000)
            #expect(simulator.report(for: "bob")?.counters.closes.last?.initiator == .client)
        }
    }
}
