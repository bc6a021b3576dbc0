import NavidromeJSON

/// Hands a host function call to the active ``TestHost``: records it, then answers with the
/// answer a test set, the in-memory service, or "no answer set for <function>".
enum HostDispatch {
    static func call(_ function: String, _ requestOffset: Int64) -> Int64 {
        TestHost.active.withState { state in
            let requestBytes = state.memory.block(requestOffset)
            let request = requestBytes.isEmpty ? "{}" : String(decoding: requestBytes, as: UTF8.self)
            state.hostCalls.append(RecordedHostCall(function: function, request: request))
            let response = state.answers[function].map { Array($0.utf8) } ?? state.respond(function, request)
            return state.memory.allocate(response)
        }
    }
}

extension HostState {
    /// The JSON response of an in-memory host function; failures become `{"error": "…"}`.
    mutating func respond(_ function: String, _ request: String) -> [UInt8] {
        var response = JSONObjectWriter()
        do {
            guard case .object(let object) = try JSONValue.parse(request) else {
                throw HostError("invalid request: not a JSON object")
            }
            try handle(function, JSONObjectReader(object), &response)
        } catch {
            response = JSONObjectWriter()
            switch error {
            case let error as HostError: response.set("error", error.message)
            case let error as JSONError: response.set("error", "invalid request: " + error.message)
            default: response.set("error", "\(error)")
            }
        }
        return JSONValue.object(response.object).serialized()
    }

    private mutating func handle(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        let service = function.split(separator: "_", maxSplits: 1).first.map(String.init) ?? function
        switch service {
        case "config": try handleConfig(function, request, &response)
        case "cache": try handleCache(function, request, &response)
        case "kvstore": try handleKVStore(function, request, &response)
        case "scheduler": try handleScheduler(function, request, &response)
        case "http": try handleHTTP(function, request, &response)
        case "websocket": try handleWebSocket(function, request, &response)
        case "users": try handleUsers(function, request, &response)
        case "artwork": try handleArtwork(function, request, &response)
        default: throw HostError.noAnswer(function)
        }
    }
}

extension HostError {
    /// The failure of a host function this host does not implement and no test answered.
    static func noAnswer(_ function: String) -> HostError {
        HostError("no answer set for \(function)")
    }
}
