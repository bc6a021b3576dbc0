import DiscordSimulator
import Testing
import TonearmJSON

@Suite("Resume and scripted faults", .timeLimit(.minutes(2)))
struct ResumeAndFaultTests {
    @Test func droppedConnectionResumesWithReplayOfMissedDispatches() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            let sessionID = try #require(ready["session_id"]?.stringValue)
            client.send(Payload.presence([Payload.activity(details: "Before drop")]))
            let replace = try await client.next(op: 0)
            #expect(replace["s"] == 2)

            try await simulator.inject(.dropConnection, user: "alice")
            #expect(try await client.closeCode() == nil)
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.map(\.state) == [.resumable] })
            try await simulator.inject(.dispatch(type: "MESSAGE_CREATE", data: ["content": "missed"]), user: "alice")
            #expect(simulator.presence(of: "alice")?.activity?["details"] == "Before drop")

            let resumeURL = try #require(ready["resume_gateway_url"]?.stringValue)
            let resumed = GatewayTestClient(url: resumeURL + "/?v=10&encoding=json")
            try await resumed.next(op: 10)
            resumed.send(Payload.resume(token: aliceToken, sessionID: sessionID, seq: 2))
            let missed = try await resumed.next(op: 0)
            #expect(missed["t"] == "MESSAGE_CREATE")
            #expect(missed["s"] == 3)
            let done = try await resumed.next(op: 0)
            #expect(done["t"] == "RESUMED")
            #expect(done["s"] == 4)
            let report = try #require(simulator.report(for: "alice"))
            #expect(report.counters.resumes == 1)
            #expect(report.counters.resumesOffResumeURL == 0)
            #expect(report.sessions.map(\.state) == [.connected])
            #expect(report.presence?.activity?["details"] == "Before drop")
            #expect(report.counters.closes.first?.initiator == .dropped)
            resumed.close(code: 1000)
        }
    }

    @Test func resumeOfUnknownSessionGetsInvalidSessionAndBadSeqCloses4007() async throws {
        try await withSimulator { simulator, endpoints in
            let unknown = GatewayTestClient(url: endpoints.resumeGatewayURL)
            try await unknown.next(op: 10)
            unknown.send(Payload.resume(token: aliceToken, sessionID: "nope", seq: 1))
            let invalid = try await unknown.next(op: 9)
            #expect(invalid["d"] == false)
            unknown.close(code: 1000)

            let (client, ready) = try await connectAndIdentify(endpoints)
            client.close(code: 4000)
            _ = try await client.closeCode()
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.map(\.state) == [.resumable] })
            let resumed = GatewayTestClient(url: endpoints.resumeGatewayURL)
            try await resumed.next(op: 10)
            resumed.send(Payload.resume(token: aliceToken, sessionID: ready["session_id"]?.stringValue ?? "", seq: 99))
            #expect(try await resumed.closeCode() == 4007)
        }
    }

    @Test func reconnectFaultSendsOp7ThenClosesIfClientStays() async throws {
        try await withSimulator({ $0.reconnectCloseDelayMilliseconds = 200 }) { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            try await simulator.inject(.reconnect, user: "alice")
            let reconnect = try await client.next(op: 7)
            #expect(reconnect["d"] == .null)
            #expect(try await client.closeCode() == 4000)
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.map(\.state) == [.resumable] })
        }
    }

    @Test func invalidSessionFaultTellsWhetherResumable() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            client.send(Payload.presence([Payload.activity()]))
            #expect(await simulator.waitUntil { $0.presence(of: "alice") != nil })

            try await simulator.inject(.invalidSession(resumable: true), user: "alice")
            #expect(try await client.next(op: 9)["d"] == true)
            client.send(Payload.resume(token: aliceToken, sessionID: ready["session_id"]?.stringValue ?? "", seq: 2))
            #expect(try await client.next(op: 0)["t"] == "RESUMED")

            try await simulator.inject(.invalidSession(resumable: false), user: "alice")
            #expect(try await client.next(op: 9)["d"] == false)
            #expect(simulator.presence(of: "alice") == nil)
            client.send(Payload.identify(token: aliceToken))
            #expect(try await client.next(op: 0)["t"] == "READY")
            #expect(simulator.report(for: "alice")?.counters.identifies == 2)
            client.close(code: 1000)
        }
    }

    @Test func stoppedACKsLeaveHeartbeatsUnanswered() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            try await simulator.inject(.stopHeartbeatACKs, user: "alice")
            client.send(Payload.heartbeat(1))
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.counters.heartbeats == 1 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(!client.frames.contains { $0["op"] == 11 })
            try await simulator.inject(.resumeHeartbeatACKs, user: "alice")
            client.send(Payload.heartbeat(1))
            try await client.next(op: 11)
            client.close(code: 1000)
        }
    }

    @Test func scriptedCloseUsesTheGivenCode() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            try await simulator.inject(.close(code: 4004), user: "alice")
            #expect(try await client.closeCode() == 4004)
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.isEmpty == true })
        }
    }

    @Test func faultsNeedAKnownConnectedUser() async throws {
        try await withSimulator { simulator, _ in
            await #expect(throws: SimulatorError.unknownUser("carol")) { try await simulator.inject(.reconnect, user: "carol") }
            await #expect(throws: SimulatorError.notConnected("bob")) { try await simulator.inject(.reconnect, user: "bob") }
        }
    }

    @Test func resumableSessionExpiresAndItsPresenceGoesOffline() async throws {
        try await withSimulator({ $0.sessionResumeWindowMilliseconds = 300 }) { simulator, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            client.send(Payload.presence([Payload.activity()]))
            #expect(await simulator.waitUntil { $0.presence(of: "alice") != nil })
            client.close(code: 4000)
            _ = try await client.closeCode()
            #expect(await simulator.waitUntil { $0.presence(of: "alice") == nil })
            #expect(simulator.report(for: "alice")?.sessions.isEmpty == true)

            let late = GatewayTestClient(url: endpoints.gatewayURL)
            try await late.next(op: 10)
            late.send(Payload.resume(token: aliceToken, sessionID: ready["session_id"]?.stringValue ?? "", seq: 2))
            #expect(try await late.next(op: 9)["d"] == false)
            late.close(code: 1000)
        }
    }

    @Test func resumeOnTheMainURLIsCounted() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            try await simulator.inject(.dropConnection, user: "alice")
            _ = try await client.closeCode()
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.map(\.state) == [.resumable] })
            let again = GatewayTestClient(url: endpoints.gatewayURL + "/?v=10&encoding=json")
            try await again.next(op: 10)
            again.send(Payload.resume(token: aliceToken, sessionID: ready["session_id"]?.stringValue ?? "", seq: 1))
            #expect(try await again.next(op: 0)["t"] == "RESUMED")
            #expect(simulator.report(for: "alice")?.counters.resumesOffResumeURL == 1)
            again.close(code: 1000)
        }
    }

    @Test func presenceInIdentifyIsAppliedAtReady() async throws {
        try await withSimulator { simulator, endpoints in
            let client = GatewayTestClient(url: endpoints.gatewayURL)
            let presence: JSONValue = ["since": 0, "status": "idle", "afk": true, "activities": [Payload.activity(details: "From Identify")]]
            client.send(Payload.identify(token: aliceToken, presence: presence))
            let ready = try await client.next(op: 0)
            #expect(ready["t"] == "READY")
            #expect(await simulator.waitUntil { $0.presence(of: "alice")?.activity?["details"] == "From Identify" })
            #expect(simulator.presence(of: "alice")?.status == "idle")
            client.close(code: 1000)
        }
    }

    @Test func dispatchFaultAndCloseLogOverHTTP() async throws {
        try await withSimulator { simulator, endpoints in
            let base = endpoints.httpURL + "/_simulator"
            let (client, _) = try await connectAndIdentify(endpoints)
            let reply = try await http("POST", base + "/users/alice/faults", body: ["fault": "dispatch", "t": "PING", "d": ["n": 1]])
            #expect(reply.status == 200)
            let dispatch = try await client.next(op: 0)
            #expect(dispatch["t"] == "PING")
            #expect(dispatch["s"] == 2)
            #expect(try await http("POST", base + "/users/alice/faults", body: ["fault": "close", "code": 4000]).status == 200)
            #expect(try await client.closeCode() == 4000)
            #expect(await simulator.waitUntil { !$0.closeRecords().isEmpty })
            let closes = try await http("GET", base + "/closes")
            #expect(closes.json.arrayValue?.last?["code"] == 4000)
            #expect(closes.json.arrayValue?.last?["initiator"] == "server")
            #expect(try await http("GET", base + "/breaches").json == [])
        }
    }
}
