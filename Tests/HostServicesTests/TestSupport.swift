import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PluginRuntime
import Synchronization
import Testing
import TonearmJSON

@testable import HostServices

/// A `PluginCallbacks` that records every call, optionally slowly.
final class RecordingCallbacks: PluginCallbacks {
    struct Call: Sendable {
        let export: String
        let input: [String: any Sendable]
        let started: Date
        let finished: Date
    }

    private let exported: Set<String>
    private let delay: Duration
    private let state = Mutex<(calls: [Call], running: Int, maxRunning: Int)>(([], 0, 0))
    private let onCall: (@Sendable (String, [String: any Sendable]) -> Void)?

    init(exports: Set<String>, delay: Duration = .zero, onCall: (@Sendable (String, [String: any Sendable]) -> Void)? = nil) {
        self.exported = exports
        self.delay = delay
        self.onCall = onCall
    }

    func exports(_ export: String) -> Bool { exported.contains(export) }

    func call(export: String, input: [UInt8]) async throws -> [UInt8] {
        let started = Date()
        state.withLock {
            $0.running += 1
            $0.maxRunning = max($0.maxRunning, $0.running)
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(input)) as? [String: Any]) ?? [:]
        let decoded = object.compactMapValues { sendable($0) }
        onCall?(export, decoded)
        if delay > .zero { try? await Task.sleep(for: delay) }
        state.withLock {
            $0.running -= 1
            $0.calls.append(Call(export: export, input: decoded, started: started, finished: Date()))
        }
        return []
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var maxConcurrent: Int { state.withLock { $0.maxRunning } }

    func calls(to export: String) -> [Call] { calls.filter { $0.export == export } }

    /// Waits until `condition` holds over the recorded calls (generous timeout).
    func waitUntil(timeout: Duration = .seconds(30), _ condition: ([Call]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(calls) {
            if ContinuousClock.now > deadline {
                Issue.record("timed out waiting; calls so far: \(calls.map(\.export))")
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

private func sendable(_ value: Any) -> (any Sendable)? {
    switch value {
    case let s as String: return s
    case let n as NSNumber: return n
    case let d as [String: Any]: return d.compactMapValues { sendable($0) }
    case let a as [Any]: return a.compactMap { sendable($0) }
    default: return nil
    }
}

struct StaticDirectory: UserDirectory {
    let list: [TonearmUser]
    func users() -> [TonearmUser] { list }
}

let alice = TonearmUser(userName: "alice", name: "Alice A.", isAdmin: false)
let bob = TonearmUser(userName: "bob", name: "Bob B.", isAdmin: false)
let root = TonearmUser(userName: "root", name: "Admin", isAdmin: true)
let everyone = StaticDirectory(list: [alice, bob, root])

func makeContext(
    id: String = "test-plugin",
    permissions: PluginPermissions = PluginPermissions(),
    config: [String: String] = [:],
    access: PluginAccess = PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: everyone),
    extraHosts: [String] = [],
    callbacks: any PluginCallbacks = RecordingCallbacks(exports: [])
) -> PluginContext {
    PluginContext(
        id: id, permissions: permissions, config: config, access: access, extraHosts: extraHosts,
        callbacks: callbacks, logger: Logger(label: "test.\(id)"))
}

/// Calls a host function with a JSON object, returning the parsed response and its raw text.
/// Runs on a plain thread, as the runtime does, so the function may block.
func invoke(_ function: HostFunction?, _ request: [String: Any] = [:]) async throws -> (json: [String: Any], text: String) {
    let function = try #require(function, "host function missing")
    let bytes = try JSONSerialization.data(withJSONObject: request)
    let output: [UInt8] = await withCheckedContinuation { continuation in
        let input = Array(bytes)
        Thread.detachNewThread { continuation.resume(returning: function(input)) }
    }
    let text = String(decoding: output, as: UTF8.self)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(output)) as? [String: Any], "not an object: \(text)")
    return (json, text)
}

/// Calls a host function with raw bytes.
func invokeRaw(_ function: HostFunction?, _ bytes: [UInt8]) async throws -> String {
    let function = try #require(function)
    let output: [UInt8] = await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: function(bytes)) }
    }
    return String(decoding: output, as: UTF8.self)
}

/// Runs `body` with a live Hummingbird server on 127.0.0.1 (port chosen by the system).
func withHTTPServer<Value: Sendable>(
    _ router: Router<BasicRequestContext>, _ body: @Sendable (Int) async throws -> Value
) async throws -> Value {
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    return try await app.test(.live) { client in try await body(try #require(client.port)) }
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
