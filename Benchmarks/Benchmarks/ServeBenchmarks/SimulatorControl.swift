import Foundation

/// One entry of the simulator's frame log (`GET /_simulator/frames`).
struct SimulatorFrame: Decodable, Sendable {
    var index: Int
    /// Wall clock (CLOCK_REALTIME), microseconds since the Unix epoch, taken as the frame was read.
    var timestampMicros: Int64
    var user: String?
    var direction: String
    var op: Int?
    var text: String

    enum CodingKeys: String, CodingKey {
        case index, user, direction, op, text
        case timestampMicros = "timestamp_us"
    }

    /// Whether this is a Presence Update (op 3) from the client naming `title`.
    func isPresenceUpdate(showing title: String) -> Bool {
        direction == "received" && op == 3 && text.contains(title)
    }
}

/// What the simulator shows for a user (`GET /_simulator/users`), reduced to what the benchmarks check.
struct SimulatorUserReport: Decodable, Sendable {
    struct Presence: Decodable, Sendable {
        struct Activity: Decodable, Sendable { var details: String? }
        var activity: Activity?
    }
    struct Counters: Decodable, Sendable {
        var heartbeats: Int
        var connections: Int
    }
    var name: String
    var presence: Presence?
    var counters: Counters

    /// The shown activity's first line (the track title), if any.
    var shownTitle: String? { presence?.activity?.details }
}

/// The simulator's control API under `/_simulator`.
struct SimulatorControl: Sendable {
    let baseURL: String
    let http: LoopbackHTTP

    /// Frames after index `after`, of one user or all.
    func frames(user: String? = nil, after: Int) async throws -> [SimulatorFrame] {
        var url = "\(baseURL)/_simulator/frames?after=\(after)"
        if let user { url += "&user=\(user)" }
        return try await http.get(url, as: [SimulatorFrame].self)
    }

    func users() async throws -> [SimulatorUserReport] {
        try await http.get("\(baseURL)/_simulator/users", as: [SimulatorUserReport].self)
    }

    /// How many rate-limit breaches (presence or frames) the simulator recorded.
    func breachCount() async throws -> Int {
        struct Breach: Decodable { var kind: String }
        return try await http.get("\(baseURL)/_simulator/breaches", as: [Breach].self).count
    }
}
