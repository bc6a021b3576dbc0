import Foundation
import NavidromeJSON
import NavidromePDK

/// An in-memory Navidrome host for running plugin code natively, in `swift test`.
///
/// Natively, the PDK's Extism kernel functions (`extism_*`) and Navidrome host functions
/// (`nd_host_*`) are C symbols this library defines: plugin code linked with it talks to a
/// `TestHost` instead of a wasm runtime. Set the configuration, seed the services, call an
/// export, then look at the output, the logs and what the plugin asked of the host:
///
/// ```swift
/// let host = TestHost()
/// host.config["prefix"] = "np"
/// let result = host.call(MyPlugin.ndScrobblerNowPlaying, NowPlayingRequest(username: "alice"))
/// #expect(result.succeeded)
/// #expect(host.logs.map(\.message) == ["np: alice …"])
/// ```
///
/// Which host answers: plugin code running inside ``call(_:input:)-(_,String)``,
/// ``run(_:)`` or a WebSocket/scheduler delivery reaches the host it was called on (a task-local
/// scope), so tests that each make their own `TestHost` can run in parallel. Plugin code run
/// outside any scope reaches ``shared``; suites that use it should be `.serialized` and call
/// ``reset()`` first. Every `TestHost` is lock-protected and may be used from any thread.
public final class TestHost: @unchecked Sendable {
    /// The host plugin code reaches when it runs outside ``call(_:input:)-(_,String)`` and ``run(_:)``.
    public static let shared = TestHost()

    @TaskLocal static var scoped: TestHost?

    /// The host for the current task: the scoped one, else ``shared``.
    static var active: TestHost { scoped ?? shared }

    private let lock = NSLock()
    private var state: HostState

    /// A host with no configuration, empty services, logging at `trace` and its clock at the
    /// current time.
    public init() {
        state = HostState(nowMs: Self.wallClockMs())
    }

    /// Forgets everything: configuration, services, logs, answers, recorded calls; the clock
    /// goes back to the current time.
    public func reset() {
        withState { $0 = HostState(nowMs: Self.wallClockMs()) }
    }

    func withState<T>(_ body: (inout HostState) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    static func wallClockMs() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    // MARK: Configuration, logs, clock

    /// The plugin configuration (what `Extism.config(_:)` and `ConfigService` read).
    public var config: [String: String] {
        get { withState { $0.config } }
        set { withState { $0.config = newValue } }
    }

    /// The host's log level; `nil` turns logging off. Messages below it are not recorded
    /// (plugins skip them before calling the host).
    public var logLevel: LogLevel? {
        get { withState { LogLevel(rawValue: $0.logLevel) } }
        set { withState { $0.logLevel = newValue?.rawValue ?? Int32.max } }
    }

    /// Every message the plugin logged, oldest first.
    public var logs: [LogEntry] {
        withState { $0.logs }
    }

    /// The host's clock in Unix milliseconds: what the plugin reads through WASI
    /// `clock_time_get` (`Clock.unixMilliseconds()`) and what cache and KV store expiry use.
    /// Starts at the current time and only moves when set or advanced.
    public var unixMilliseconds: Int64 {
        get { withState { $0.nowMs } }
        set { withState { $0.nowMs = newValue } }
    }

    /// Moves the clock forward.
    public func advance(seconds: Double) {
        withState { $0.nowMs += Int64((seconds * 1000).rounded()) }
    }

    /// Extism vars (`Extism.variable(_:)`); unlike Navidrome's per-call instances they persist
    /// between calls on this host.
    public var vars: [String: [UInt8]] {
        get { withState { $0.vars } }
        set { withState { $0.vars = newValue } }
    }

    // MARK: Host services

    /// The cache service (`cache_*`), typed, with time to live.
    public var cache: TestCache { TestCache(host: self) }
    /// The KV store service (`kvstore_*`), with time to live.
    public var kvstore: TestKVStore { TestKVStore(host: self) }
    /// The HTTP service (`http_send`): canned responses, recorded requests.
    public var http: TestHTTP { TestHTTP(host: self) }
    /// The WebSocket service (`websocket_*`): recorded connects, sends and closes; deliveries.
    public var websocket: TestWebSocket { TestWebSocket(host: self) }
    /// The scheduler service (`scheduler_*`): recorded schedules that a test fires.
    public var scheduler: TestScheduler { TestScheduler(host: self) }

    /// The users assigned to the plugin (`users_getusers`; `users_getadmins` returns those
    /// with `isAdmin`).
    public var users: [TestUser] {
        get { withState { $0.users } }
        set { withState { $0.users = newValue } }
    }

    /// Base of the artwork URLs `artwork_get*url` answers:
    /// `<base>/<artist|album|track|playlist>/<id>?size=<size>`. Empty: no URL (as a Navidrome
    /// without a public address).
    public var artworkBaseURL: String {
        get { withState { $0.artworkBaseURL } }
        set { withState { $0.artworkBaseURL = newValue } }
    }

    /// Sets the raw JSON response of a host function (e.g. `"subsonicapi_call"`), replacing its
    /// in-memory implementation; `nil` removes it. An answer of `{"error":"…"}` makes the call
    /// fail. Functions without an in-memory implementation (library, matcher,
    /// scrobbleretriever, storage, subsonicapi, task) fail with "no answer set for <function>"
    /// until they have one.
    public func answer(_ function: String, with json: String?) {
        withState { $0.answers[function] = json }
    }

    /// Every host function call, oldest first: function name and request JSON.
    public var hostCalls: [RecordedHostCall] {
        withState { $0.hostCalls }
    }

    /// The recorded calls of one host function.
    public func hostCalls(to function: String) -> [RecordedHostCall] {
        hostCalls.filter { $0.function == function }
    }

    // MARK: Calling plugin code

    /// Calls a capability export (e.g. `MyPlugin.ndScrobblerNowPlaying`) with `input` as the
    /// call's input, the way a host does: fresh kernel memory, no output or error before the call.
    @discardableResult
    public func call(_ export: () -> Int32, input: [UInt8]) -> CallResult {
        withState { $0.beginCall(input: input) }
        let code = Self.$scoped.withValue(self) { export() }
        return withState { CallResult(code: code, output: $0.output, error: $0.error) }
    }

    /// Calls a capability export with JSON text as input.
    @discardableResult
    public func call(_ export: () -> Int32, input: String) -> CallResult {
        call(export, input: Array(input.utf8))
    }

    /// Calls a capability export with a request payload (e.g. a `NowPlayingRequest`) as input.
    @discardableResult
    public func call<Request: JSONEncodable>(_ export: () -> Int32, _ request: Request) -> CallResult {
        call(export, input: request.jsonBytes())
    }

    /// Runs plugin code directly (not through an export) against this host, e.g. a function
    /// that reads the configuration or the cache.
    public func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = Self.$scoped.withValue(self) {
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
