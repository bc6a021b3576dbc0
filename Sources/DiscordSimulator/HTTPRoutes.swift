import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization
import TonearmJSON

/// Discord's REST endpoints the plugin uses, and the simulator's own control API under `/_simulator`.
extension DiscordSimulator {
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        for prefix in ["/api", "/api/v9", "/api/v10"] {
            router.get("\(prefix)/gateway") { _, _ in
                let url = self.state.withLock { $0.gatewayURL }
                return Self.json(200, ["url": .string(url)])
            }
            router.post("\(prefix)/applications/:id/external-assets") { request, context in
                try await self.externalAssets(request, context: context)
            }
        }
        addControlRoutes(router)
        return router
    }

    func externalAssets(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let applicationID = context.parameters.get("id") ?? ""
        let description = "POST \(request.uri.path)"
        let token = request.headers[.authorization]
        let body = try await Self.body(request)
        let (reply, user): (ExternalAssets.Reply, String?) = state.withLock { state in
            guard let token, state.userByToken[token] != nil else {
                return (ExternalAssets.unauthorized, nil)
            }
            if !state.restFaults.isEmpty {
                return (ExternalAssets.reply(for: state.restFaults.removeFirst()), state.userByToken[token])
            }
            return (ExternalAssets.reply(applicationID: applicationID, body: body ?? []), state.userByToken[token])
        }
        let finalReply = body == nil ? ExternalAssets.Reply(status: 413, body: ["message": "Request entity too large", "code": 40005]) : reply
        _ = state.withLock { $0.restRequest(description, status: finalReply.status, token: user == nil ? nil : token) }
        var response = Self.json(finalReply.status, finalReply.body)
        for (name, value) in finalReply.headers {
            if let field = HTTPField.Name(name) { response.headers[field] = value }
        }
        return response
    }

    // MARK: Control API

    func addControlRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/_simulator") { _, _ in
            Self.json(200, self.overview())
        }
        router.get("/_simulator/users") { _, _ in
            Self.json(200, .array(self.reports().map(\.json)))
        }
        router.post("/_simulator/users") { request, _ in
            guard let body = try await Self.body(request), let json = try? JSONValue.parse(body),
                let name = json["name"]?.stringValue, let token = json["token"]?.stringValue
            else { return Self.error(400, "body must be {\"name\": …, \"token\": …, \"id\"?: …}") }
            do throws(SimulatorError) {
                try self.addUser(SimulatedUser(name: name, token: token, id: json["id"]?.stringValue))
            } catch {
                return Self.error(400, error.description)
            }
            return Self.json(201, self.report(for: name)?.json ?? .null)
        }
        router.get("/_simulator/users/:name") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let report = self.report(for: name) else { return Self.error(404, "unknown user \(name)") }
            return Self.json(200, report.json)
        }
        router.get("/_simulator/users/:name/presence") { _, context in
            let name = context.parameters.get("name") ?? ""
            guard let report = self.report(for: name) else { return Self.error(404, "unknown user \(name)") }
            return Self.json(200, report.presence?.json ?? .null)
        }
        router.post("/_simulator/users/:name/faults") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard let body = try await Self.body(request), let json = try? JSONValue.parse(body) else {
                return Self.error(400, "body must be a JSON object")
            }
            let fault: GatewayFault
            switch Self.parseFault(json) {
            case .success(let parsed): fault = parsed
            case .failure(let problem): return Self.error(400, problem.message)
            }
            do throws(SimulatorError) {
                try await self.inject(fault, user: name)
            } catch {
                return Self.error(error == .unknownUser(name) ? 404 : 409, error.description)
            }
            return Self.json(200, ["ok": true])
        }
        router.post("/_simulator/users/:name/client-status") { request, context in
            let name = context.parameters.get("name") ?? ""
            guard let body = try await Self.body(request), let json = try? JSONValue.parse(body), let status = json["status"],
                status.isNull || status.stringValue != nil
            else { return Self.error(400, "body must be {\"status\": \"online\" | \"idle\" | \"dnd\" | \"invisible\" | null}") }
            do throws(SimulatorError) {
                try await self.setClientStatus(status.stringValue, user: name)
            } catch {
                return Self.error(error == .unknownUser(name) ? 404 : 400, error.description)
            }
            return Self.json(200, self.report(for: name)?.json ?? .null)
        }
        router.get("/_simulator/frames") { request, _ in
            let query = request.uri.queryParameters
            let frames = self.frames(
                user: query.get("user").map { String($0) }, connectionID: query.get("connection").flatMap { Int(String($0)) },
                after: query.get("after").flatMap { Int(String($0)) } ?? 0)
            return Self.json(200, .array(frames.map(\.json)))
        }
        router.get("/_simulator/breaches") { _, _ in
            Self.json(200, .array(self.rateLimitBreaches().map(\.json)))
        }
        router.get("/_simulator/closes") { _, _ in
            Self.json(200, .array(self.closeRecords().map(\.json)))
        }
        router.post("/_simulator/external-assets/faults") { request, _ in
            guard let body = try await Self.body(request), let json = try? JSONValue.parse(body) else {
                return Self.error(400, "body must be a JSON object")
            }
            let count = json["count"]?.integerValue ?? 1
            let fault: ExternalAssetsFault
            switch json["status"]?.integerValue {
            case 429:
                let retryAfter: Double =
                    switch json["retry_after"] {
                    case .integer(let value): Double(value)
                    case .number(let value): value
                    default: 1
                    }
                fault = .rateLimited(retryAfterSeconds: retryAfter, global: json["global"]?.boolValue ?? false)
            case 500: fault = .serverError
            default: return Self.error(400, "status must be 429 or 500")
            }
            guard (1...1000).contains(count) else { return Self.error(400, "count must be 1-1000") }
            self.scriptExternalAssets(fault, count: Int(count))
            return Self.json(200, ["ok": true])
        }
        router.post("/_simulator/reset") { _, _ in
            await self.reset()
            return Self.json(200, ["ok": true])
        }
    }

    /// `{"fault": "drop" | "reconnect" | "invalid_session" | "stop_acks" | "resume_acks" | "close" | "dispatch", …}`
    static func parseFault(_ json: JSONValue) -> Result<GatewayFault, PresenceProblem> {
        switch json["fault"]?.stringValue {
        case "drop": return .success(.dropConnection)
        case "reconnect": return .success(.reconnect)
        case "invalid_session": return .success(.invalidSession(resumable: json["resumable"]?.boolValue ?? false))
        case "stop_acks": return .success(.stopHeartbeatACKs)
        case "resume_acks": return .success(.resumeHeartbeatACKs)
        case "close":
            guard let code = json["code"]?.integerValue, (1000...4999).contains(code) else {
                return .failure(.invalidPayload("close needs an integer code 1000-4999"))
            }
            return .success(.close(code: UInt16(code)))
        case "dispatch":
            guard let type = json["t"]?.stringValue else { return .failure(.invalidPayload("dispatch needs t (and d)")) }
            return .success(.dispatch(type: type, data: json["d"] ?? .null))
        default:
            return .failure(.invalidPayload("fault must be drop, reconnect, invalid_session, stop_acks, resume_acks, close or dispatch"))
        }
    }

    func overview() -> JSONValue {
        var members = endpoints?.json.objectValue ?? JSONObject()
        members["users"] = .array(reports().map { .string($0.name) })
        members["heartbeat_interval"] = .integer(Int64(configuration.heartbeatIntervalMilliseconds))
        return .object(members)
    }

    // MARK: Helpers

    /// The request body, or nil when it is over 64 KiB.
    static func body(_ request: Request) async throws -> [UInt8]? {
        do {
            let buffer = try await request.body.collect(upTo: 64 * 1024)
            return Array(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return nil
        }
    }

    static func json(_ status: Int, _ body: JSONValue) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: body.goJSON)))
    }

    static func error(_ status: Int, _ message: String) -> Response {
        json(status, ["error": .string(message)])
    }
}
