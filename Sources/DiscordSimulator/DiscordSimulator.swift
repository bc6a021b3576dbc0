import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import TonearmJSON
import UnixSignals

/// Where a running simulator can be reached.
public struct SimulatorEndpoints: Sendable, Equatable {
    /// The bound TCP port.
    public let port: Int
    /// Base URL for REST (`/api/v9/...`) and the control API (`/_simulator/...`).
    public let httpURL: String
    /// What `GET /api/gateway` returns; clients append `/?v=10&encoding=json`.
    public let gatewayURL: String
    /// The `resume_gateway_url` sent in READY.
    public let resumeGatewayURL: String

    init(host: String, port: Int) {
        let shown = host == "0.0.0.0" || host == "::" ? "127.0.0.1" : (host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host)
        self.port = port
        self.httpURL = "http://\(shown):\(port)"
        self.gatewayURL = "ws://\(shown):\(port)"
        self.resumeGatewayURL = "ws://\(shown):\(port)/resume"
    }

    /// The endpoints as one JSON object (the line the executable prints when ready).
    public var jsonText: String { json.goJSON }

    var json: JSONValue {
        [
            "port": .integer(Int64(port)), "http_url": .string(httpURL), "gateway_url": .string(gatewayURL),
            "resume_gateway_url": .string(resumeGatewayURL),
        ]
    }
}

/// A strict Discord gateway + REST simulator on loopback (DISCORD.md §5), for tests, demos and
/// benchmarks. One HTTP port serves the gateway WebSocket (`/`, resume URL `/resume`), the REST
/// endpoints (`/api[/v9|/v10]/gateway`, `…/applications/{id}/external-assets`) and a JSON control
/// API under `/_simulator`. Everything the control API offers is also available here in-process.
public final class DiscordSimulator: Sendable {
    public let configuration: SimulatorConfiguration
    let logger: Logger
    let state: Mutex<GatewayState>
    private let lifecycle = Mutex<Lifecycle>(Lifecycle())

    private struct Lifecycle {
        var endpoints: SimulatorEndpoints?
        var group: ServiceGroup?
        var task: Task<Void, any Error>?
    }

    /// Creates a simulator; nothing listens until `start()` or `run(...)`.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), logger: Logger? = nil) throws(SimulatorError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger ?? Logger(label: "discord-simulator")
        self.state = Mutex(GatewayState(configuration: configuration))
    }

    /// Set once the server is listening.
    public var endpoints: SimulatorEndpoints? { lifecycle.withLock { $0.endpoints } }

    // MARK: Running

    /// Starts listening in the background and returns where; stop with `stop()`.
    @discardableResult
    public func start() async throws -> SimulatorEndpoints {
        guard lifecycle.withLock({ $0.group == nil }) else { throw SimulatorError.alreadyRunning }
        let ready = ReadySignal()
        let group = makeServiceGroup(signals: [], onReady: { ready.succeed($0) })
        let task = Task {
            do {
                try await group.run()
                ready.fail(SimulatorError.notRunning)
            } catch {
                ready.fail(error)
                throw error
            }
        }
        lifecycle.withLock {
            $0.group = group
            $0.task = task
        }
        return try await ready.wait()
    }

    /// Runs in the foreground until one of `signals` arrives; `onReady` gets the endpoints once listening.
    public func run(
        gracefulShutdownSignals signals: [UnixSignal] = [.sigterm, .sigint],
        onReady: @escaping @Sendable (SimulatorEndpoints) -> Void
    ) async throws {
        let group = makeServiceGroup(signals: signals, onReady: onReady)
        let started = lifecycle.withLock { lifecycle in
            guard lifecycle.group == nil else { return false }
            lifecycle.group = group
            return true
        }
        guard started else { throw SimulatorError.alreadyRunning }
        try await group.run()
    }

    /// How long ``stop()`` waits for the server to wind down before it cancels it and returns.
    static let stopLimit: Duration = .seconds(15)

    /// Drops every connection and stops the server started by `start()`; returns within about
    /// ``stopLimit`` even when a connection handler does not end.
    public func stop() async {
        let (group, task) = lifecycle.withLock { ($0.group, $0.task) }
        let transports = state.withLock { $0.connections.values.map(\.transport) }
        for transport in transports { try? await transport.channel.close() }
        await group?.triggerGracefulShutdown()
        if let task, await !Self.waitForEnd(of: task, atMost: Self.stopLimit) {
            logger.warning("the simulator did not stop within \(Self.stopLimit); cancelling it")
            task.cancel()
        }
        lifecycle.withLock { $0 = Lifecycle() }
    }

    /// Whether `task` ended within `limit`. (Awaiting a task's value cannot be cancelled, so the
    /// wait races it against a timer outside structured concurrency.)
    private static func waitForEnd(of task: Task<Void, any Error>, atMost limit: Duration) async -> Bool {
        final class Outcome: Sendable {
            let pending = Mutex<CheckedContinuation<Bool, Never>?>(nil)
            func finish(_ ended: Bool) { pending.withLock { $0.take() }?.resume(returning: ended) }
        }
        let outcome = Outcome()
        let timer = Mutex<Task<Void, Never>?>(nil)
        let ended = await withCheckedContinuation { continuation in
            outcome.pending.withLock { $0 = continuation }
            Task { _ = try? await task.value; outcome.finish(true) }
            timer.withLock { $0 = Task { try? await Task.sleep(for: limit); outcome.finish(false) } }
        }
        timer.withLock { $0?.cancel() }
        return ended
    }

    private func makeServiceGroup(signals: [UnixSignal], onReady: @escaping @Sendable (SimulatorEndpoints) -> Void) -> ServiceGroup {
        let host = configuration.host
        let webSocket = WebSocketServerConfiguration(maxFrameSize: 1 << 20, autoPing: .disabled, closeTimeout: .seconds(5))
        let application = Application(
            router: makeRouter(),
            server: .http1WebSocketUpgrade(configuration: .init(ws: webSocket)) { request, channel, _ in
                self.shouldUpgrade(request, channel: channel)
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), backlog: 4096),
            onServerRunning: { channel in
                let endpoints = SimulatorEndpoints(host: host, port: channel.localAddress?.port ?? 0)
                self.state.withLock {
                    $0.gatewayURL = endpoints.gatewayURL
                    $0.resumeURL = endpoints.resumeGatewayURL
                }
                self.lifecycle.withLock { $0.endpoints = endpoints }
                self.logger.info("discord simulator listening on \(endpoints.httpURL)")
                onReady(endpoints)
            },
            logger: logger
        )
        var configuration = ServiceGroupConfiguration(
            services: [application, Sweeper(simulator: self)], gracefulShutdownSignals: signals, logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(10)
        return ServiceGroup(configuration: configuration)
    }

    // MARK: Users

    /// Adds a user, or replaces the token/id of an existing one.
    public func addUser(_ user: SimulatedUser) throws(SimulatorError) {
        try state.withLock { state throws(SimulatorError) in try state.addUser(user) }
    }

    // MARK: Inspection

    /// What others see for `user` now: nil when offline (no live or resumable session with a presence).
    public func presence(of user: String) -> Presence? {
        state.withLock { $0.presence(of: user) }
    }

    /// Presence, sessions and counters of one user.
    public func report(for user: String) -> UserReport? {
        state.withLock { $0.report(user) }
    }

    /// Reports of all users, by name.
    public func reports() -> [UserReport] {
        state.withLock { $0.reports() }
    }

    /// The frame log, optionally for one user or connection and only entries after `after`.
    public func frames(user: String? = nil, connectionID: Int? = nil, after: Int = 0) -> [FrameRecord] {
        state.withLock { $0.frames(user: user, connection: connectionID, after: after) }
    }

    /// Every rate-limit breach so far.
    public func rateLimitBreaches() -> [RateLimitBreach] {
        state.withLock { $0.breaches }
    }

    /// Every gateway close so far, in order.
    public func closeRecords() -> [CloseRecord] {
        state.withLock { $0.closes }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    public func waitUntil(timeout: Duration = .seconds(10), _ condition: @Sendable (DiscordSimulator) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(self)
    }

    // MARK: Faults

    /// Applies a scripted fault to the user's open connections (or session, for `.dispatch`).
    public func inject(_ fault: GatewayFault, user: String) async throws(SimulatorError) {
        let actions = try state.withLock { state throws(SimulatorError) in try state.inject(fault, user: user) }
        await execute(actions)
    }

    /// Models the user's own Discord client: `status` (online, idle, dnd, invisible) or nil when it is
    /// disconnected. Each of the user's sessions past READY gets a SESSIONS_REPLACE listing all sessions;
    /// later READYs list it too.
    public func setClientStatus(_ status: String?, user: String) async throws(SimulatorError) {
        let actions = try state.withLock { state throws(SimulatorError) in try state.setClientStatus(status, user: user) }
        await execute(actions)
    }

    /// The next `count` external-assets calls with a known token get `fault` instead of an answer.
    public func scriptExternalAssets(_ fault: ExternalAssetsFault, count: Int = 1) {
        state.withLock { $0.restFaults += Array(repeating: fault, count: count) }
    }

    /// Closes every connection (1001) and forgets sessions, client statuses, counters, the log and scripted faults; users stay.
    public func reset() async {
        await execute(state.withLock { $0.reset() })
    }
}

/// Closes silent connections and expires sessions, for all connections at once.
private struct Sweeper: Service {
    let simulator: DiscordSimulator

    func run() async throws {
        let configuration = simulator.configuration
        let shortest = min(configuration.effectiveHeartbeatTimeoutMilliseconds, max(configuration.sessionResumeWindowMilliseconds, 1))
        let tick = Duration.milliseconds(max(5, min(250, shortest / 10)))
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: tick)
                await simulator.execute(simulator.state.withLock { $0.sweep(now: .now) })
            }
        }
    }
}

/// A one-shot hand-over of the endpoints (or the startup error) to `start()`.
private final class ReadySignal: Sendable {
    private let state = Mutex<(result: Result<SimulatorEndpoints, any Error>?, waiter: CheckedContinuation<SimulatorEndpoints, any Error>?)>((nil, nil))

    func succeed(_ endpoints: SimulatorEndpoints) { complete(.success(endpoints)) }
    func fail(_ error: any Error) { complete(.failure(error)) }

    private func complete(_ result: Result<SimulatorEndpoints, any Error>) {
        let waiter: CheckedContinuation<SimulatorEndpoints, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> SimulatorEndpoints {
        try await withCheckedThrowingContinuation { continuation in
            let result: Result<SimulatorEndpoints, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
