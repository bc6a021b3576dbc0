import DiscordSimulator
import Testing
import TonearmJSON

/// The sessions of a READY or SESSIONS_REPLACE by `session_id`.
private func byID(_ sessions: JSONValue?) -> [String: JSONValue] {
    var found: [String: JSONValue] = [:]
    for session in sessions?.arrayValue ?? [] {
        if let id = session["session_id"]?.stringValue { found[id] = session }
    }
    return found
}

/// The next SESSIONS_REPLACE the client gets, as `session_id` → session.
@discardableResult
private func nextSessionsReplace(_ client: GatewayTestClient) async throws -> [String: JSONValue] {
    let frame = try await client.next(op: 0)
    #expect(frame["t"] == "SESSIONS_REPLACE")
    return byID(frame["d"])
}

@Suite("The user's own Discord client", .timeLimit(.minutes(1)))
struct ClientStatusTests {
    @Test func readyListsNoSessionsWhileNothingIsShown() async throws {
        try await withSimulator { _, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            #expect(ready["sessions"] == [])
            client.close(code: 1000)
        }
    }

    @Test func readyListsAnInvisibleClientAndTheAllEntry() async throws {
        try await withSimulator { simulator, endpoints in
            try await simulator.setClientStatus("invisible", user: "alice")
            #expect(simulator.report(for: "alice")?.clientStatus == "invisible")
            let (client, ready) = try await connectAndIdentify(endpoints)
            let sessions = byID(ready["sessions"])
            #expect(sessions.keys.sorted() == ["all", "client-alice"])
            #expect(sessions["client-alice"]?["status"] == "invisible")
            #expect(sessions["client-alice"]?["activities"] == [])
            #expect(sessions["client-alice"]?["client_info"]?["client"] == "desktop")
            #expect(sessions["client-alice"]?["active"] == true)
            #expect(sessions["all"]?["status"] == "invisible")
            client.close(code: 1000)
        }
    }

    @Test func settingTheStatusSendsSessionsReplaceWithEverySession() async throws {
        try await withSimulator { simulator, endpoints in
            let (alice, ready) = try await connectAndIdentify(endpoints)
            let (bob, _) = try await connectAndIdentify(endpoints, token: bobToken)
            let own = try #require(ready["session_id"]?.stringValue)
            let song = Payload.activity(details: "Song")
            alice.send(Payload.presence([song]))
            var sessions = try await nextSessionsReplace(alice)
            #expect(sessions.keys.sorted() == [own, "all"].sorted())
            #expect(sessions["all"]?["status"] == "online")

            try await simulator.setClientStatus("dnd", user: "alice")
            sessions = try await nextSessionsReplace(alice)
            #expect(sessions.keys.sorted() == [own, "all", "client-alice"].sorted())
            #expect(sessions[own]?["status"] == "online")
            #expect(sessions[own]?["activities"] == [song])
            #expect(sessions["client-alice"]?["status"] == "dnd")
            #expect(sessions["client-alice"]?["activities"] == [])
            #expect(sessions["all"]?["status"] == "online")
            #expect(sessions["all"]?["activities"] == [song])

            try await simulator.setClientStatus("invisible", user: "alice")
            sessions = try await nextSessionsReplace(alice)
            #expect(sessions["client-alice"]?["status"] == "invisible")
            #expect(sessions["all"]?["status"] == "invisible")
            #expect(sessions["all"]?["activities"] == [song])

            alice.send(Payload.presence([], status: "invisible"))
            sessions = try await nextSessionsReplace(alice)
            #expect(sessions[own]?["status"] == "invisible")
            #expect(sessions["client-alice"]?["status"] == "invisible")
            #expect(sessions["all"]?["activities"] == [])

            try await simulator.setClientStatus(nil, user: "alice")
            sessions = try await nextSessionsReplace(alice)
            #expect(sessions.keys.sorted() == [own, "all"].sorted())
            #expect(simulator.report(for: "alice")?.clientStatus == nil)
            #expect(!bob.frames.contains { $0["t"] == "SESSIONS_REPLACE" })
            alice.close(code: 1000)
            bob.close(code: 1000)
        }
    }

    @Test func theAllEntryTakesTheMostOnlineStatus() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            client.send(Payload.presence([Payload.activity()], status: "idle"))
            try await nextSessionsReplace(client)
            try await simulator.setClientStatus("dnd", user: "alice")
            #expect(try await nextSessionsReplace(client)["all"]?["status"] == "dnd")
            try await simulator.setClientStatus("online", user: "alice")
            #expect(try await nextSessionsReplace(client)["all"]?["status"] == "online")
            try await simulator.setClientStatus("idle", user: "alice")
            #expect(try await nextSessionsReplace(client)["all"]?["status"] == "idle")
            client.close(code: 1000)
        }
    }

    @Test func aResumableSessionGetsTheChangeReplayed() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, ready) = try await connectAndIdentify(endpoints)
            let sessionID = try #require(ready["session_id"]?.stringValue)
            client.close(code: 4200)
            #expect(await simulator.waitUntil { $0.report(for: "alice")?.sessions.map(\.state) == [.resumable] })
            try await simulator.setClientStatus("invisible", user: "alice")
            let resumed = GatewayTestClient(url: endpoints.resumeGatewayURL + "/?v=10&encoding=json")
            try await resumed.next(op: 10)
            resumed.send(Payload.resume(token: aliceToken, sessionID: sessionID, seq: 1))
            let replayed = try await resumed.next(op: 0)
            #expect(replayed["t"] == "SESSIONS_REPLACE")
            #expect(replayed["s"] == 2)
            #expect(byID(replayed["d"])["client-alice"]?["status"] == "invisible")
            #expect(try await resumed.next(op: 0)["t"] == "RESUMED")
            resumed.close(code: 1000)
        }
    }

    @Test func unknownUsersAndStatusesAreRefused() async throws {
        try await withSimulator { simulator, _ in
            await #expect(throws: SimulatorError.unknownUser("nobody")) {
                try await simulator.setClientStatus("online", user: "nobody")
            }
            await #expect(throws: SimulatorError.self) { try await simulator.setClientStatus("away", user: "alice") }
            #expect(simulator.report(for: "alice")?.clientStatus == nil)
        }
    }

    @Test func resetDisconnectsTheClient() async throws {
        try await withSimulator { simulator, _ in
            try await simulator.setClientStatus("idle", user: "alice")
            await simulator.reset()
            #expect(simulator.report(for: "alice")?.clientStatus == nil)
        }
    }

    @Test func controlRouteSetsTheStatus() async throws {
        try await withSimulator { _, endpoints in
            let route = endpoints.httpURL + "/_simulator/users/alice/client-status"
            let (client, _) = try await connectAndIdentify(endpoints)
            let set = try await http("POST", route, body: ["status": "invisible"])
            #expect(set.status == 200)
            #expect(set.json["client_status"] == "invisible")
            #expect(try await nextSessionsReplace(client)["client-alice"]?["status"] == "invisible")
            let user = try await http("GET", endpoints.httpURL + "/_simulator/users/alice")
            #expect(user.json["client_status"] == "invisible")
            let cleared = try await http("POST", route, body: ["status": .null])
            #expect(cleared.status == 200)
            #expect(cleared.json["client_status"] == .null)
            #expect(try await nextSessionsReplace(client)["client-alice"] == nil)
            #expect(try await http("POST", route, body: ["status": "away"]).status == 400)
            #expect(try await http("POST", route, body: ["state": "idle"]).status == 400)
            let unknown = endpoints.httpURL + "/_simulator/users/nobody/client-status"
            #expect(try await http("POST", unknown, body: ["status": "idle"]).status == 404)
            client.close(code: 1000)
        }
    }
}

@Suite("Activity links", .timeLimit(.minutes(1)))
struct ActivityLinkTests {
    @Test func linksMustBeHTTPURLs() async throws {
        try await withSimulator { simulator, endpoints in
            let (client, _) = try await connectAndIdentify(endpoints)
            let rejected: [[String: JSONValue]] = [
                ["details_url": "ftp://example.org/a"],
                ["state_url": "javascript:alert(1)"],
                ["details_url": "https://"],
                ["state_url": .string("https://example.org/" + String(repeating: "a", count: 240))],
                ["assets": ["large_image": "mp:x", "large_url": "mp:external/a"]],
                ["assets": ["small_image": "mp:x", "small_url": "example.org/b"]],
                ["status_display_type": 3],
            ]
            for (index, extra) in rejected.enumerated() {
                client.send(Payload.presence([Payload.activity(extra: extra)]))
                #expect(await simulator.waitUntil { $0.report(for: "alice")?.counters.presenceUpdatesRejected == index + 1 })
            }
            #expect(simulator.report(for: "alice")?.counters.lastRejection?.contains("status_display_type") == true)
            #expect(simulator.presence(of: "alice") == nil)
            let links: [String: JSONValue] = [
                "details_url": "https://example.org/track", "state_url": "HTTP://example.org/artist",
                "status_display_type": 1,
                "assets": ["large_image": "mp:x", "large_url": "https://example.org/album", "small_url": "http://example.org/s"],
            ]
            client.send(Payload.presence([Payload.activity(details: "Linked", extra: links)]))
            #expect(await simulator.waitUntil { $0.presence(of: "alice")?.activity?["details"] == "Linked" })
            #expect(simulator.report(for: "alice")?.counters.presenceUpdatesRejected == rejected.count)
            client.close(code: 1000)
        }
    }
}
