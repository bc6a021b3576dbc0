// libFuzzer target: the request decoding of every host service function, through the
// `HostFunction` each service gives a plugin (the same entry point a plugin's host call reaches),
// with an in-memory plugin context: fake users, callbacks that do nothing, a Subsonic upstream
// that answers at once, KVStore databases in a scratch folder.
//
// Input: a function name (`cache_setstring`), a newline, then the JSON request. An unknown name
// picks a function by its first byte, so mutations stay useful. Two extra names reach parsers a
// plugin drives through its manifest or requests: `cron` (a cron expression, parsed and its next
// activations computed, as `scheduler_schedulerecurring` does in the background) and `bytesize`
// (`permissions.kvstore.maxSize`).
//
// No network: HTTP and WebSocket hosts must match `fuzz.invalid` (a name that never resolves),
// and requests naming such a host are skipped before they are sent; `scripts/fuzz` also runs
// this target without network access where it can.
//
// Invariant: every response is a JSON object (a result, or `{"error": "…"}`).

import Foundation
import LibFuzzer
import Logging
import PluginRuntime

@testable import HostServices

private let allowedHost = "fuzz.invalid"

private struct Users: UserDirectory {
    func users() -> [TonearmUser] {
        [
            TonearmUser(userName: "alice", name: "Alice", isAdmin: false),
            TonearmUser(userName: "bob", name: "Bob", isAdmin: true),
            TonearmUser(userName: "carol", name: "Carol", isAdmin: false),
        ]
    }
}

private struct Callbacks: PluginCallbacks {
    func call(export: String, input: [UInt8]) async throws -> [UInt8] { [] }
    func exports(_ export: String) -> Bool { true }
}

private struct Upstream: SubsonicUpstream {
    func get(endpoint: String, query: [(String, String)], as user: String) async throws -> SubsonicUpstreamResponse {
        SubsonicUpstreamResponse(
            statusCode: 200, contentType: "application/json",
            body: Array(#"{"subsonic-response":{"status":"ok","version":"1.16.1"}}"#.utf8))
    }
}

/// A folder of this process under the temporary directory (`TMPDIR`), removed at exit.
private let scratch: URL = {
    let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("tonearm-fuzz-hostservices-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: scratch) }
    return folder
}()

private let scheduler = SchedulerService(timeZone: TimeZone(identifier: "UTC")!)
private let context = PluginContext(
    id: "fuzz",
    permissions: PluginPermissions(
        declared: ["http", "websocket", "cache", "kvstore", "scheduler", "artwork", "subsonicapi", "users", "config"],
        httpRequiredHosts: [allowedHost], webSocketRequiredHosts: [allowedHost], kvStoreMaxSize: "64KiB"),
    config: ["name": "value", "count": "42", "big": "9223372036854775808", "negative": "-7", "empty": ""],
    access: PluginAccess(allUsers: false, users: ["alice", "bob"], allowAdmins: false, directory: Users()),
    extraHosts: [],
    callbacks: Callbacks(),
    logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))

private let services: [any HostService] = [
    ConfigService(),
    CacheService(limits: .init(maxBytes: 1 << 20, maxEntries: 1000)),
    KVStoreService(dataFolder: scratch),
    HTTPService(limits: .init(defaultTimeout: .seconds(1), maxResponseBytes: 1 << 16)),
    WebSocketService(limits: .init(maxMessageBytes: 1 << 16, connectTimeout: .seconds(1), closeTimeout: .seconds(1))),
    scheduler,
    ArtworkService(
        signer: ArtworkLinkSigner(secret: Array(repeating: 7, count: 32), publicBaseURL: URL(string: "http://tonearm.test")!)),
    SubsonicAPIService(upstream: Upstream()),
    UsersService(),
]

private let functions: [String: HostFunction] = {
    var all: [String: HostFunction] = [:]
    for service in services { all.merge(service.functions(for: context)) { first, _ in first } }
    return all
}()
private let names = (functions.keys + ["cron", "bytesize"]).sorted()

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let newline = input.firstIndex(of: UInt8(ascii: "\n"))
    let written = newline.map { String(decoding: input[..<$0], as: UTF8.self) }
    let name = written.flatMap { names.contains($0) ? $0 : nil } ?? names[Int(first) % names.count]
    let request = Array(newline.map { input[($0 + 1)...] } ?? input[1...])

    switch name {
    case "cron":
        let text = String(decoding: request, as: UTF8.self)
        guard let schedule = try? CronSchedule(text, timeZone: TimeZone(identifier: "UTC")!) else { return 0 }
        var after = Date(timeIntervalSince1970: 1_700_000_000)
        for _ in 0..<5 {
            guard let next = schedule.next(after: after) else { break }
            require(next > after, "cron \"\(text)\": next activation \(next) is not after \(after)")
            after = next
        }
        return 0
    case "bytesize":
        if let bytes = try? ByteSize.parse(String(decoding: request, as: UTF8.self)) { require(bytes >= 0, "negative size") }
        return 0
    default:
        break
    }
    if name == "http_send" || name == "websocket_connect", reachesNetwork(request, http: name == "http_send") { return 0 }

    let response = functions[name]!(request)
    let object = try? JSONSerialization.jsonObject(with: Data(response))
    require(object is [String: Any], "\(name) answered \(String(decoding: response, as: UTF8.self))")

    if name.hasPrefix("scheduler_") {
        // Schedules would pile up across inputs: drop them (callbacks of a dropped schedule never
        // run). Started on this thread, the task normally ends before `Task.immediate` returns.
        let done = DispatchSemaphore(value: 0)
        Task.immediate {
            await scheduler.pluginUnloaded(context.id)
            done.signal()
        }
        done.wait()
    }
    return 0
}

/// Whether the request names the allowed host, which would pass the policy and be connected to.
private func reachesNetwork(_ request: [UInt8], http: Bool) -> Bool {
    guard let object = try? JSONSerialization.jsonObject(with: Data(request)) as? [String: Any] else { return false }
    let fields = http ? object["request"] as? [String: Any] : object
    guard let text = fields?["url"] as? String else { return false }
    if text.lowercased().contains("invalid") { return true }
    guard let host = URL(string: text)?.host else { return false }
    return host.lowercased().contains("invalid") || host.removingPercentEncoding?.lowercased().contains("invalid") == true
}

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("FuzzHostServices invariant: \(message())") }
}
