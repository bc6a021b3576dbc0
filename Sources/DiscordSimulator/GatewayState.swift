import HummingbirdWebSocket
import NIOCore
import TonearmJSON

/// The socket side of a gateway connection, used outside the state lock to write and close.
final class ConnectionTransport: Sendable {
    let writer: WebSocketOutboundWriter
    let channel: any Channel

    init(writer: WebSocketOutboundWriter, channel: any Channel) {
        self.writer = writer
        self.channel = channel
    }
}

/// Socket work decided under the state lock and carried out after it is released.
enum GatewayAction: Sendable {
    case send(ConnectionTransport, String)
    case close(ConnectionTransport, code: UInt16, reason: String)
    case drop(ConnectionTransport)
    case readyAfter(connectionID: Int, milliseconds: Int)
    case closeIfOpenAfter(connectionID: Int, milliseconds: Int, code: UInt16)
}

/// "At most N per window" over a ring of timestamps: O(1) per event, N instants per connection.
struct RateWindow {
    let limit: RateLimit
    private var stamps: [ContinuousClock.Instant] = []
    private var oldest = 0

    init(_ limit: RateLimit) { self.limit = limit }

    /// Records an event at `now` unless that would exceed the limit.
    mutating func admit(_ now: ContinuousClock.Instant) -> Bool {
        if stamps.count < limit.count {
            stamps.append(now)
            return true
        }
        guard now - stamps[oldest] >= .milliseconds(limit.windowMilliseconds) else { return false }
        stamps[oldest] = now
        oldest = (oldest + 1) % limit.count
        return true
    }
}

/// All gateway and REST state of the simulator; every method runs under one lock and returns
/// the socket work to do.
struct GatewayState {
    enum Phase: Equatable {
        /// Hello sent; only Heartbeat, Identify and Resume are allowed.
        case unauthenticated
        /// Identify accepted; READY is on its way.
        case awaitingReady
        /// READY or RESUMED sent.
        case ready
        /// The server sent a close frame (or dropped the socket).
        case closing
    }

    struct Connection {
        let id: Int
        let transport: ConnectionTransport
        let viaResumeURL: Bool
        let apiVersion: Int
        var user: String?
        var sessionID: String?
        var phase = Phase.unauthenticated
        var heartbeatDeadline: ContinuousClock.Instant
        var acksEnabled = true
        var frames: RateWindow
        var presences: RateWindow
        var pendingPresence: PresenceUpdate?
        /// Set when the server closed or dropped: (code, reason, initiator, session survives).
        var serverClose: (code: UInt16?, reason: String, initiator: CloseRecord.Initiator, keepsSession: Bool)?
    }

    struct Session {
        let id: String
        let user: String
        var sequence = 0
        var history: [(sequence: Int, text: String)] = []
        var presence: Presence?
        var connectionID: Int?
        var readySent = false
        var resumableUntil: ContinuousClock.Instant?
    }

    struct User {
        var account: SimulatedUser
        var counters = UserCounters()
        /// Status of the user's own Discord client (a phantom session); nil while it is disconnected.
        var clientStatus: String?
    }

    /// Server close codes after which the session cannot be resumed.
    static let sessionEndingCodes: Set<UInt16> = [1000, 1001, 4004, 4005, 4006, 4007, 4009, 4010, 4011, 4012, 4013, 4014, 4015]

    let configuration: SimulatorConfiguration
    var gatewayURL = ""
    var resumeURL = ""
    var users: [String: User] = [:]
    var userByToken: [String: String] = [:]
    var sessions: [String: Session] = [:]
    var connections: [Int: Connection] = [:]
    /// Which user each connection (open or closed) belonged to, for log filtering.
    var connectionUsers: [Int: String] = [:]
    var log: FrameLog
    var breaches: [RateLimitBreach] = []
    var closes: [CloseRecord] = []
    var restFaults: [ExternalAssetsFault] = []
    var nextConnectionID = 1

    init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        self.log = FrameLog(capacity: configuration.frameLogCapacity)
        for user in configuration.users {
            users[user.name] = User(account: user)
            userByToken[user.token] = user.name
        }
    }

    var heartbeatTimeout: Duration { .milliseconds(configuration.effectiveHeartbeatTimeoutMilliseconds) }

    // MARK: Users

    mutating func addUser(_ account: SimulatedUser) throws(SimulatorError) {
        try SimulatedUser.validate(account)
        if let owner = userByToken[account.token], owner != account.name {
            throw .invalidConfiguration("user \(account.name) shares its token with \(owner)")
        }
        if let old = users[account.name] {
            userByToken[old.account.token] = nil
            users[account.name]?.account = account
        } else {
            users[account.name] = User(account: account)
        }
        userByToken[account.token] = account.name
    }

    // MARK: Logging

    mutating func record(
        _ direction: FrameRecord.Direction, connection: Int, op: Int?, type: String? = nil, sequence: Int? = nil,
        text: String, bytes: Int? = nil
    ) {
        let user = connectionUsers[connection]
        log.append { index in
            FrameRecord(
                index: index, timestampMicros: wallClockMicros(), connectionID: connection, user: user,
                direction: direction, op: op, type: type, sequence: sequence, bytes: bytes ?? text.utf8.count, text: text)
        }
    }

    mutating func send(_ connection: Connection, op: Int, data: JSONValue) -> GatewayAction {
        let text = JSONValue.object(["op": .integer(Int64(op)), "d": data, "s": .null, "t": .null]).goJSON
        record(.sent, connection: connection.id, op: op, text: text)
        return .send(connection.transport, text)
    }

    // MARK: Connection lifecycle

    /// Registers a new socket and greets it with Hello (or closes it if the URL is not acceptable).
    mutating func open(
        transport: ConnectionTransport, viaResumeURL: Bool, apiVersion: Int, urlProblem: (code: UInt16, reason: String)?
    ) -> (Int, [GatewayAction]) {
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = Connection(
            id: id, transport: transport, viaResumeURL: viaResumeURL, apiVersion: apiVersion,
            heartbeatDeadline: .now + heartbeatTimeout,
            frames: RateWindow(configuration.frameRateLimit), presences: RateWindow(configuration.presenceRateLimit))
        connections[id] = connection
        record(.event, connection: id, op: nil, text: viaResumeURL ? "open (resume_gateway_url)" : "open")
        if let urlProblem {
            return (id, [close(id, code: urlProblem.code, reason: urlProblem.reason, keepsSession: false)])
        }
        let hello: JSONValue = [
            "heartbeat_interval": .integer(Int64(configuration.heartbeatIntervalMilliseconds)),
            "_trace": ["[\"tonearm-discord-simulator\",{\"micros\":0}]"],
        ]
        return (id, [send(connection, op: 10, data: hello)])
    }

    /// Starts a server close: logs it, remembers what happens to the session, returns the close action.
    mutating func close(_ id: Int, code: UInt16, reason: String, keepsSession: Bool) -> GatewayAction {
        connections[id]!.phase = .closing
        connections[id]!.serverClose = (code, reason, .server, keepsSession)
        record(.event, connection: id, op: Int(code), text: "server close \(code): \(reason)")
        return .close(connections[id]!.transport, code: code, reason: reason)
    }

    /// The socket is gone; decides what happens to its session.
    mutating func ended(_ id: Int, clientCloseCode: UInt16?, clientSentClose: Bool) {
        guard let connection = connections.removeValue(forKey: id) else { return }
        let outcome: (code: UInt16?, reason: String, initiator: CloseRecord.Initiator, keepsSession: Bool)
        if let serverClose = connection.serverClose {
            outcome = serverClose
        } else if clientSentClose {
            let code = clientCloseCode ?? 1005
            outcome = (code, "client close", .client, code != 1000 && code != 1001)
        } else {
            outcome = (nil, "connection dropped without a close frame", .dropped, true)
        }
        let closeRecord = CloseRecord(
            code: outcome.code, reason: outcome.reason, initiator: outcome.initiator, connectionID: id,
            atMicros: wallClockMicros())
        closes.append(closeRecord)
        if let user = connection.user { users[user]?.counters.closes.append(closeRecord) }
        record(.event, connection: id, op: outcome.code.map(Int.init), text: "closed by \(outcome.initiator.rawValue)")
        if let sessionID = connection.sessionID, sessions[sessionID]?.connectionID == id {
            if outcome.keepsSession {
                sessions[sessionID]!.connectionID = nil
                sessions[sessionID]!.resumableUntil = .now + .milliseconds(configuration.sessionResumeWindowMilliseconds)
            } else {
                sessions[sessionID] = nil
            }
        }
    }

    // MARK: Inbound frames

    mutating func receiveBinary(_ id: Int, bytes: Int) -> [GatewayAction] {
        guard let connection = connections[id], connection.phase != .closing else { return [] }
        record(.received, connection: id, op: nil, text: "<binary frame>", bytes: bytes)
        return [close(id, code: 4002, reason: "Error while decoding payload: binary frames need encoding=etf", keepsSession: true)]
    }

    mutating func receive(_ id: Int, text: String) -> [GatewayAction] {
        guard var connection = connections[id], connection.phase != .closing else { return [] }
        let now = ContinuousClock.now
        let bytes = text.utf8.count
        let parsed = bytes <= configuration.maxClientFrameBytes ? try? JSONValue.parse(text) : nil
        let op = parsed?["op"]?.integerValue.map(Int.init)
        record(.received, connection: id, op: op, text: Self.redactingToken(text, parsed: parsed), bytes: bytes)

        guard connection.frames.admit(now) else {
            connections[id] = connection
            breach(.frames, connection: id)
            return [close(id, code: 4008, reason: "Rate limited.", keepsSession: true)]
        }
        connections[id] = connection
        guard bytes <= configuration.maxClientFrameBytes else {
            return [close(id, code: 4002, reason: "Error while decoding payload: frame of \(bytes) bytes exceeds 4096", keepsSession: true)]
        }
        guard let payload = parsed, payload.objectValue != nil else {
            let detail: String
            do {
                _ = try JSONValue.parse(text)
                detail = "payload is not a JSON object"
            } catch {
                detail = error.description
            }
            return [close(id, code: 4002, reason: "Error while decoding payload: \(detail)", keepsSession: true)]
        }
        guard let op else {
            return [close(id, code: 4002, reason: "Error while decoding payload: op must be an integer", keepsSession: true)]
        }
        let data = payload["d"]
        switch op {
        case 1: return heartbeat(id, data: data, now: now)
        case 2: return identify(id, data: data)
        case 3: return presenceUpdate(id, data: data, now: now)
        case 6: return resume(id, data: data)
        case 4, 8, 31:
            guard connection.phase != .unauthenticated else {
                return [close(id, code: 4003, reason: "Not authenticated.", keepsSession: false)]
            }
            return []
        default:
            return [close(id, code: 4001, reason: "Unknown opcode \(op).", keepsSession: true)]
        }
    }

    mutating func heartbeat(_ id: Int, data: JSONValue?, now: ContinuousClock.Instant) -> [GatewayAction] {
        switch data {
        case .none, .null, .integer: break
        default: return [close(id, code: 4001, reason: "Invalid payload for op 1: d must be the last sequence or null", keepsSession: true)]
        }
        connections[id]!.heartbeatDeadline = now + heartbeatTimeout
        let connection = connections[id]!
        if let user = connection.user { users[user]?.counters.heartbeats += 1 }
        guard connection.acksEnabled else { return [] }
        if let user = connection.user { users[user]?.counters.heartbeatACKs += 1 }
        return [send(connection, op: 11, data: .null)]
    }

    mutating func identify(_ id: Int, data: JSONValue?) -> [GatewayAction] {
        guard connections[id]!.phase == .unauthenticated else {
            return [close(id, code: 4005, reason: "Already authenticated.", keepsSession: false)]
        }
        guard let token = data?["token"]?.stringValue else {
            return [close(id, code: 4001, reason: "Invalid payload for op 2: token must be a string", keepsSession: false)]
        }
        guard let properties = data?["properties"]?.objectValue,
            ["os", "browser", "device"].allSatisfy({ properties[$0]?.stringValue != nil })
        else {
            return [close(id, code: 4001, reason: "Invalid payload for op 2: properties needs os, browser, device strings", keepsSession: false)]
        }
        if let intents = data?["intents"], !intents.isNull, intents.integerValue == nil {
            return [close(id, code: 4001, reason: "Invalid payload for op 2: intents must be an integer", keepsSession: false)]
        }
        guard let userName = userByToken[token] else {
            return [close(id, code: 4004, reason: "Authentication failed.", keepsSession: false)]
        }
        var pending: PresenceUpdate?
        if let presence = data?["presence"], !presence.isNull {
            do {
                let update = try PresenceValidation.validate(presence, identify: true)
                if !update.activities.isEmpty { pending = update }
            } catch {
                if case .invalidPayload(let message) = error {
                    return [close(id, code: 4001, reason: "Invalid payload for op 2: presence: \(message)", keepsSession: false)]
                }
                users[userName]?.counters.presenceUpdatesRejected += 1
                users[userName]?.counters.lastRejection = error.message
            }
        }
        let sessionID = Self.makeSessionID()
        sessions[sessionID] = Session(id: sessionID, user: userName, connectionID: id)
        connectionUsers[id] = userName
        connections[id]!.user = userName
        connections[id]!.sessionID = sessionID
        connections[id]!.phase = .awaitingReady
        connections[id]!.pendingPresence = pending
        users[userName]?.counters.identifies += 1
        users[userName]?.counters.connections += 1
        if configuration.readyDelayMilliseconds > 0 {
            return [.readyAfter(connectionID: id, milliseconds: configuration.readyDelayMilliseconds)]
        }
        return sendReady(id)
    }

    /// Sends READY and applies a presence received between Identify and READY.
    mutating func sendReady(_ id: Int) -> [GatewayAction] {
        guard let connection = connections[id], connection.phase == .awaitingReady,
            let sessionID = connection.sessionID, let session = sessions[sessionID], let user = users[session.user]
        else { return [] }
        connections[id]!.phase = .ready
        sessions[sessionID]!.readySent = true
        let ready: JSONValue = [
            "v": .integer(Int64(connection.apiVersion)),
            "user": [
                "id": .string(user.account.id), "username": .string(user.account.name), "global_name": .string(user.account.name),
                "discriminator": "0", "bot": false, "verified": true,
            ],
            "session_id": .string(sessionID),
            "session_type": "normal",
            "resume_gateway_url": .string(resumeURL),
            "sessions": .array(sessionObjects(of: session.user)),
            "guilds": [],
            "relationships": [],
            "private_channels": [],
            "_trace": ["[\"tonearm-discord-simulator\",{\"micros\":0}]"],
        ]
        var actions = dispatch(sessionID, type: "READY", data: ready)
        if let pending = connection.pendingPresence {
            connections[id]!.pendingPresence = nil
            actions += applyPresence(pending, sessionID: sessionID)
        }
        return actions
    }

    mutating func presenceUpdate(_ id: Int, data: JSONValue?, now: ContinuousClock.Instant) -> [GatewayAction] {
        guard connections[id]!.phase != .unauthenticated, let user = connections[id]!.user,
            let sessionID = connections[id]!.sessionID
        else {
            return [close(id, code: 4003, reason: "Not authenticated.", keepsSession: false)]
        }
        let update: PresenceUpdate
        do {
            update = try PresenceValidation.validate(data)
        } catch {
            switch error {
            case .invalidPayload(let message):
                return [close(id, code: 4001, reason: "Invalid payload for op 3: \(message)", keepsSession: true)]
            case .rejectedActivity(let message):
                users[user]?.counters.presenceUpdatesRejected += 1
                users[user]?.counters.lastRejection = message
                record(.event, connection: id, op: nil, text: "presence update rejected: \(message)")
                return []
            }
        }
        guard connections[id]!.presences.admit(now) else {
            users[user]?.counters.presenceUpdatesDropped += 1
            breach(.presence, connection: id)
            record(.event, connection: id, op: nil, text: "presence update dropped: over \(configuration.presenceRateLimit.count) per \(configuration.presenceRateLimit.windowMilliseconds) ms")
            return []
        }
        users[user]?.counters.presenceUpdates += 1
        if connections[id]!.phase == .awaitingReady {
            connections[id]!.pendingPresence = update
            return []
        }
        return applyPresence(update, sessionID: sessionID)
    }

    mutating func applyPresence(_ update: PresenceUpdate, sessionID: String) -> [GatewayAction] {
        guard let session = sessions[sessionID] else { return [] }
        let presence = Presence(
            status: update.status, activities: update.activities, since: update.since, afk: update.afk,
            sessionID: sessionID, appliedAtMicros: wallClockMicros(), warnings: update.warnings)
        sessions[sessionID]!.presence = presence
        return dispatch(sessionID, type: "SESSIONS_REPLACE", data: .array(sessionObjects(of: session.user)))
    }

    // MARK: The user's own client

    /// Statuses from least to most online, for the aggregate `"all"` session.
    static let statusRank = ["invisible": 0, "idle": 1, "dnd": 2, "online": 3]

    static func clientSessionID(of user: String) -> String { "client-\(user)" }

    /// The user's sessions as READY and SESSIONS_REPLACE list them: each gateway session with a
    /// presence, the user's own client (if connected) and, when there is any, the aggregate `"all"`
    /// (the client's status when it is invisible, else the most online status; every activity).
    func sessionObjects(of user: String) -> [JSONValue] {
        func entry(_ id: String, _ status: String, _ activities: [JSONValue], client: String, os: String) -> JSONValue {
            [
                "session_id": .string(id), "status": .string(status), "activities": .array(activities),
                "client_info": ["client": .string(client), "os": .string(os), "version": 0], "active": true,
            ]
        }
        var statuses: [String] = []
        var activities: [JSONValue] = []
        var list: [JSONValue] = []
        for session in sessions.values.filter({ $0.user == user }).sorted(by: { $0.id < $1.id }) {
            guard let presence = session.presence else { continue }
            statuses.append(presence.status)
            for activity in presence.activities where !activities.contains(activity) { activities.append(activity) }
            list.append(entry(session.id, presence.status, presence.activities, client: "desktop", os: "other"))
        }
        let clientStatus = users[user]?.clientStatus
        if let clientStatus {
            statuses.append(clientStatus)
            list.append(entry(Self.clientSessionID(of: user), clientStatus, [], client: "desktop", os: "windows"))
        }
        guard let best = statuses.max(by: { Self.statusRank[$0, default: -1] < Self.statusRank[$1, default: -1] }) else { return [] }
        let all = clientStatus == "invisible" ? "invisible" : best
        return [entry("all", all, activities, client: "unknown", os: "unknown")] + list
    }

    /// Sets (or, with nil, disconnects) the user's own client and sends SESSIONS_REPLACE to each of
    /// the user's sessions past READY (queued for replay while one is resumable).
    mutating func setClientStatus(_ status: String?, user: String) throws(SimulatorError) -> [GatewayAction] {
        guard users[user] != nil else { throw .unknownUser(user) }
        if let status, Self.statusRank[status] == nil {
            throw .invalidConfiguration("client status \"\(status)\" is not one of online, idle, dnd, invisible")
        }
        users[user]!.clientStatus = status
        let list = JSONValue.array(sessionObjects(of: user))
        let targets = sessions.values.filter { $0.user == user && $0.readySent }.map(\.id).sorted()
        return targets.flatMap { dispatch($0, type: "SESSIONS_REPLACE", data: list) }
    }

    mutating func resume(_ id: Int, data: JSONValue?) -> [GatewayAction] {
        guard connections[id]!.phase == .unauthenticated else {
            return [close(id, code: 4005, reason: "Already authenticated.", keepsSession: false)]
        }
        guard let token = data?["token"]?.stringValue, let sessionID = data?["session_id"]?.stringValue,
            let seq = data?["seq"]?.integerValue
        else {
            return [close(id, code: 4001, reason: "Invalid payload for op 6: needs token, session_id and integer seq", keepsSession: false)]
        }
        guard let userName = userByToken[token] else {
            return [close(id, code: 4004, reason: "Authentication failed.", keepsSession: false)]
        }
        let now = ContinuousClock.now
        guard let session = sessions[sessionID], session.user == userName, session.readySent,
            session.resumableUntil.map({ now < $0 }) ?? true
        else {
            return [send(connections[id]!, op: 9, data: false)]
        }
        guard seq >= 0, seq <= session.sequence else {
            sessions[sessionID] = nil
            return [close(id, code: 4007, reason: "Invalid seq.", keepsSession: false)]
        }
        if let oldest = session.history.first?.sequence, oldest > seq + 1 {
            sessions[sessionID] = nil
            return [send(connections[id]!, op: 9, data: false)]
        }
        var actions: [GatewayAction] = []
        if let previous = session.connectionID, previous != id, connections[previous] != nil {
            connections[previous]!.sessionID = nil
            actions.append(close(previous, code: 4000, reason: "Session resumed on another connection.", keepsSession: false))
        }
        sessions[sessionID]!.connectionID = id
        sessions[sessionID]!.resumableUntil = nil
        connectionUsers[id] = userName
        connections[id]!.user = userName
        connections[id]!.sessionID = sessionID
        connections[id]!.phase = .ready
        users[userName]?.counters.resumes += 1
        users[userName]?.counters.connections += 1
        if !connections[id]!.viaResumeURL { users[userName]?.counters.resumesOffResumeURL += 1 }
        let connection = connections[id]!
        for entry in session.history where entry.sequence > Int(seq) {
            record(.sent, connection: id, op: 0, type: Self.dispatchType(entry.text), sequence: entry.sequence, text: entry.text)
            actions.append(.send(connection.transport, entry.text))
        }
        actions += dispatch(sessionID, type: "RESUMED", data: ["_trace": ["[\"tonearm-discord-simulator\",{\"micros\":0}]"]])
        return actions
    }

    /// Sends a dispatch on the session's socket (if any) and keeps it for replay.
    mutating func dispatch(_ sessionID: String, type: String, data: JSONValue) -> [GatewayAction] {
        guard var session = sessions[sessionID] else { return [] }
        session.sequence += 1
        let text = JSONValue.object([
            "op": 0, "t": .string(type), "s": .integer(Int64(session.sequence)), "d": data,
        ]).goJSON
        session.history.append((session.sequence, text))
        if session.history.count > configuration.replayCapacity {
            session.history.removeFirst(session.history.count - configuration.replayCapacity)
        }
        sessions[sessionID] = session
        guard let connectionID = session.connectionID, let connection = connections[connectionID],
            connection.phase == .ready || (connection.phase == .awaitingReady && type == "READY")
        else { return [] }
        record(.sent, connection: connectionID, op: 0, type: type, sequence: session.sequence, text: text)
        return [.send(connection.transport, text)]
    }

    /// The frame text with an Identify/Resume token replaced, so the log never holds a secret.
    static func redactingToken(_ text: String, parsed: JSONValue?) -> String {
        guard let token = parsed?["d"]?["token"]?.stringValue, !token.isEmpty else { return text }
        return text.replacing(token, with: "[redacted]")
    }

    static func dispatchType(_ text: String) -> String? { (try? JSONValue.parse(text))?["t"]?.stringValue }

    mutating func breach(_ kind: RateLimitBreach.Kind, connection: Int) {
        let user = connections[connection]?.user
        breaches.append(RateLimitBreach(kind: kind, user: user, connectionID: connection, atMicros: wallClockMicros()))
        if let user { users[user]?.counters.rateLimitBreaches += 1 }
    }

    static func makeSessionID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    // MARK: Timers

    /// Closes connections whose heartbeats stopped and forgets sessions whose resume window passed.
    mutating func sweep(now: ContinuousClock.Instant) -> [GatewayAction] {
        var actions: [GatewayAction] = []
        for (id, connection) in connections where connection.phase != .closing && connection.heartbeatDeadline < now {
            actions.append(close(id, code: configuration.heartbeatTimeoutCloseCode, reason: "Heartbeat timed out.", keepsSession: true))
        }
        for (id, session) in sessions where session.connectionID == nil {
            if let until = session.resumableUntil, until < now { sessions[id] = nil }
        }
        return actions
    }

    mutating func closeIfOpen(_ id: Int, code: UInt16) -> [GatewayAction] {
        guard let connection = connections[id], connection.phase != .closing else { return [] }
        return [close(id, code: code, reason: "Reconnect requested and not honoured.", keepsSession: true)]
    }

    // MARK: Faults

    mutating func inject(_ fault: GatewayFault, user: String) throws(SimulatorError) -> [GatewayAction] {
        guard users[user] != nil else { throw .unknownUser(user) }
        if case .dispatch(let type, let data) = fault {
            let targets = sessions.values.filter { $0.user == user }.map(\.id)
            guard !targets.isEmpty else { throw .notConnected(user) }
            return targets.flatMap { dispatch($0, type: type, data: data) }
        }
        let targets = connections.values.filter { $0.user == user && $0.phase != .closing }.map(\.id).sorted()
        guard !targets.isEmpty else { throw .notConnected(user) }
        var actions: [GatewayAction] = []
        for id in targets {
            switch fault {
            case .dropConnection:
                connections[id]!.phase = .closing
                connections[id]!.serverClose = (nil, "scripted drop", .dropped, true)
                record(.event, connection: id, op: nil, text: "scripted drop (no close frame)")
                actions.append(.drop(connections[id]!.transport))
            case .reconnect:
                actions.append(send(connections[id]!, op: 7, data: .null))
                actions.append(.closeIfOpenAfter(connectionID: id, milliseconds: configuration.reconnectCloseDelayMilliseconds, code: 4000))
            case .invalidSession(let resumable):
                actions.append(send(connections[id]!, op: 9, data: .bool(resumable)))
                if let sessionID = connections[id]!.sessionID {
                    if resumable {
                        sessions[sessionID]?.connectionID = nil
                        sessions[sessionID]?.resumableUntil = .now + .milliseconds(configuration.sessionResumeWindowMilliseconds)
                    } else {
                        sessions[sessionID] = nil
                    }
                }
                connections[id]!.sessionID = nil
                connections[id]!.phase = .unauthenticated
                connections[id]!.pendingPresence = nil
            case .stopHeartbeatACKs:
                connections[id]!.acksEnabled = false
            case .resumeHeartbeatACKs:
                connections[id]!.acksEnabled = true
            case .close(let code):
                actions.append(close(id, code: code, reason: "Scripted close.", keepsSession: !Self.sessionEndingCodes.contains(code)))
            case .dispatch:
                break
            }
        }
        return actions
    }

    // MARK: REST

    /// Logs a REST request and returns the user owning `token`, if any.
    mutating func restRequest(_ description: String, status: Int, token: String?) -> String? {
        let user = token.flatMap { userByToken[$0] }
        if let user { users[user]?.counters.externalAssetRequests += 1 }
        log.append { index in
            FrameRecord(
                index: index, timestampMicros: wallClockMicros(), connectionID: 0, user: user, direction: .http,
                op: status, type: nil, sequence: nil, bytes: 0, text: description)
        }
        return user
    }

    // MARK: Reports

    func presence(of user: String) -> Presence? {
        Self.latestPresence(sessions.values.filter { $0.user == user })
    }

    /// The presence others see among `sessions` (one user's): the one applied last.
    private static func latestPresence(_ sessions: [Session]) -> Presence? {
        sessions.compactMap(\.presence).max { $0.appliedAtMicros < $1.appliedAtMicros }
    }

    func report(_ name: String) -> UserReport? {
        report(name, sessions: sessions.values.filter { $0.user == name })
    }

    /// Reports of all users, by name. Sessions are grouped by user once: a report per user from
    /// a pass over every session would cost users × sessions (seconds of CPU with 10,000 users).
    func reports() -> [UserReport] {
        var byUser: [String: [Session]] = [:]
        for session in sessions.values { byUser[session.user, default: []].append(session) }
        return users.keys.sorted().compactMap { report($0, sessions: byUser[$0] ?? []) }
    }

    private func report(_ name: String, sessions: [Session]) -> UserReport? {
        guard let user = users[name] else { return nil }
        let userSessions = sessions.sorted { $0.id < $1.id }.map { session in
            let state: SessionReport.State =
                if session.connectionID == nil {
                    .resumable
                } else if session.readySent {
                    .connected
                } else {
                    .awaitingReady
                }
            return SessionReport(
                sessionID: session.id, state: state, sequence: session.sequence, connectionID: session.connectionID,
                presence: session.presence)
        }
        return UserReport(
            name: name, id: user.account.id, presence: Self.latestPresence(sessions), clientStatus: user.clientStatus,
            sessions: userSessions, counters: user.counters)
    }

    func frames(user: String?, connection: Int?, after: Int) -> [FrameRecord] {
        log.ordered(after: after).filter { record in
            if let connection, record.connectionID != connection { return false }
            if let user, connectionUsers[record.connectionID] ?? record.user != user { return false }
            return true
        }
    }

    /// Forgets sessions, client statuses, counters, the log and scripted faults; closes every socket with 1001.
    mutating func reset() -> [GatewayAction] {
        var actions: [GatewayAction] = []
        for id in connections.keys.sorted() where connections[id]!.phase != .closing {
            actions.append(close(id, code: 1001, reason: "Simulator reset.", keepsSession: false))
        }
        sessions = [:]
        for name in users.keys {
            users[name]!.counters = UserCounters()
            users[name]!.clientStatus = nil
        }
        log = FrameLog(capacity: configuration.frameLogCapacity)
        breaches = []
        closes = []
        restFaults = []
        return actions
    }
}
