import Foundation
import Synchronization
import Logging
import TonearmJSON
@testable import PluginRuntime
import WAT
import ZIPFoundation

/// Builds `.ndp` packages from WAT or raw bytes in a temporary folder.
struct TestFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "tonearm-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/plugins", withIntermediateDirectories: true)
    }

    var plugins: String { path + "/plugins" }

    /// Writes `<plugins>/<id>.ndp` holding `manifest` and `wasm`; returns its path.
    @discardableResult
    func package(_ id: String, manifest: String = TestFolder.manifest(), wasm: [UInt8]) throws -> String {
        try Self.writePackage(at: plugins + "/\(id).ndp", entries: ["manifest.json": Array(manifest.utf8), "plugin.wasm": wasm])
    }

    @discardableResult
    func package(_ id: String, manifest: String = TestFolder.manifest(), wat: String) throws -> String {
        try package(id, manifest: manifest, wasm: try wat2wasm(wat))
    }

    static func writePackage(at path: String, entries: [String: [UInt8]]) throws -> String {
        let temporary = path + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
        for (name, bytes) in entries.sorted(by: { $0.key < $1.key }) {
            let data = Data(bytes)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return path
    }

    static func manifest(permissions: String = "{}", extra: String = "") -> String {
        #"{"name":"Test","author":"Tonearm","version":"1.0.0","permissions":\#(permissions)\#(extra)}"#
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

struct StaticUsers: UserDirectory {
    var list: [TonearmUser] = [TonearmUser(userName: "alice", name: "Alice", isAdmin: false)]
    func users() -> [TonearmUser] { list }
}

/// A host service with no permission: `echo_back` returns its request, `echo_reenter` calls the
/// plugin's `echo` export through the callbacks and returns that output.
final class EchoService: HostService {
    let permission: String? = nil
    let functionPrefix = "echo"

    func functions(for plugin: PluginContext) -> [String: HostFunction] {
        [
            "echo_back": { request in request },
            "echo_reenter": { request in
                (try? HostCallBridge.wait { try await plugin.callbacks.call(export: "echo", input: request) }) ?? Array("failed".utf8)
            },
            "echo_sleep": { request in
                Thread.sleep(forTimeInterval: 5)
                return request
            },
            // Where the host function runs ("call thread" or "caller"); blocks first when the
            // request is "block".
            "echo_where": { request in
                if request == Array("block".utf8) { _ = HostCallBridge.blocking { usleep(1_000) } }
                return Array((RunningCall.current?.thread != nil ? "call thread" : "caller").utf8)
            },
            // The nice value of the thread running the host function.
            "echo_nice": { _ in
                Array(String(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)).utf8)
            },
            // Burns CPU on the calling thread until its nice value is raised (or 5 s of CPU).
            "echo_burn": { request in
                let start = cpuSeconds()
                while getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == 0, cpuSeconds() - start < 5 {}
                return request
            },
            // Burns 10 ms of CPU on the calling thread.
            "echo_slice": { request in
                let start = cpuSeconds()
                while cpuSeconds() - start < 0.01 {}
                return request
            },
            // Waits (through the bridge) for work that would take an hour; records whether the
            // work saw the cancellation and whether the host function came back.
            "echo_hang": { request in
                do {
                    _ = try HostCallBridge.wait { () async throws -> Int in
                        do {
                            try await Task.sleep(for: .seconds(3600))
                        } catch {
                            HangLog.shared.record(cancelled: true)
                            throw error
                        }
                        return 0
                    }
                } catch {
                    HangLog.shared.record(cancelled: false)
                }
                return request
            },
            // Counts the calls inside it while it blocks (as an HTTP request or a WebSocket
            // connect does).
            "echo_track": { request in
                let inFlight = InFlight.of(plugin.id)
                inFlight.enter()
                HostCallBridge.blocking { Thread.sleep(forTimeInterval: 0.05) }
                inFlight.leave()
                return request
            },
        ]
    }

    func pluginUnloaded(_ pluginID: String) async {}
}

/// What the `echo_hang` host function saw: cancelled host work, host functions that came back.
final class HangLog: Sendable {
    static let shared = HangLog()
    private let state = Mutex((cancelled: 0, returned: 0))

    func record(cancelled: Bool) {
        state.withLock { if cancelled { $0.cancelled += 1 } else { $0.returned += 1 } }
    }

    var counts: (cancelled: Int, returned: Int) { state.withLock { $0 } }
}

/// How many `echo_track` host calls run at once, and the most seen.
final class InFlight: Sendable {
    private static let byPlugin = Mutex<[String: InFlight]>([:])
    private let state = Mutex((now: 0, most: 0))

    /// The counts of the plugin with id `pluginID`.
    static func of(_ pluginID: String) -> InFlight {
        byPlugin.withLock { plugins in
            if let inFlight = plugins[pluginID] { return inFlight }
            let inFlight = InFlight()
            plugins[pluginID] = inFlight
            return inFlight
        }
    }

    func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
    func leave() { state.withLock { $0.now -= 1 } }
    func reset() { state.withLock { $0 = (0, 0) } }
    var most: Int { state.withLock { $0.most } }
}

/// Stands for a permission-gated service (prefix `cache`, permission `cache`).
final class GatedService: HostService {
    let permission: String? = "cache"
    let functionPrefix = "cache"
    func functions(for plugin: PluginContext) -> [String: HostFunction] { ["cache_setstring": { _ in Array("{}".utf8) }] }
    func pluginUnloaded(_ pluginID: String) async {}
}

func testLoader(
    _ folder: TestFolder, timeout: Double = 30, memoryMiB: Int = 128, heavyCallCPU: Double = 0.5,
    plugins: [String: PluginOptions] = [:], settings: [String: [String: JSONValue]] = [:]
) -> PluginLoader {
    let configuration = PluginHostConfiguration(
        dataFolder: "\(folder.path)/data", pluginsFolder: folder.plugins, callTimeout: timeout, heavyCallCPU: heavyCallCPU,
        memoryLimit: memoryMiB * 1024 * 1024, plugins: plugins, pluginSettings: settings)
    return PluginLoader(configuration: configuration, services: [EchoService(), GatedService()], users: StaticUsers(),
                        logger: Logger(label: "test"))
}

/// A hand-written plugin exercising the kernel: echo, state, hostile exports.
let kernelWAT = #"""
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/user" "echo_back" (func $echo_back (param i64) (result i64)))
  (import "extism:host/user" "echo_reenter" (func $echo_reenter (param i64) (result i64)))
  (import "extism:host/user" "echo_sleep" (func $echo_sleep (param i64) (result i64)))
  (import "extism:host/user" "echo_track" (func $echo_track (param i64) (result i64)))
  (import "extism:host/user" "echo_where" (func $echo_where (param i64) (result i64)))
  (import "extism:host/user" "echo_nice" (func $echo_nice (param i64) (result i64)))
  (import "extism:host/user" "echo_burn" (func $echo_burn (param i64) (result i64)))
  (import "extism:host/user" "echo_hang" (func $echo_hang (param i64) (result i64)))
  (import "extism:host/user" "echo_slice" (func $echo_slice (param i64) (result i64)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $counter (mut i32) (i32.const 0))
  (data (i32.const 16) "boom")
  (data (i32.const 32) "key")

  ;; Copies `len` bytes at plugin address `ptr` into a new kernel block.
  (func $block (param $ptr i32) (param $len i32) (result i64)
    (local $h i64) (local $i i32)
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $h))

  (func (export "echo") (result i32)
    (call $output_set (call $input_offset) (call $input_length))
    (i32.const 0))

  ;; Outputs [global counter, memory cell, var present] after incrementing counter and cell and
  ;; setting a var: always [1, 1, 0] on a pristine instance.
  (func (export "count") (result i32)
    (local $h i64)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 1)))
    (local.set $h (call $alloc (i64.const 3)))
    (call $store_u8 (local.get $h) (global.get $counter))
    (call $store_u8 (i64.add (local.get $h) (i64.const 1)) (i32.load8_u (i32.const 100)))
    (call $store_u8 (i64.add (local.get $h) (i64.const 2))
      (i32.wrap_i64 (call $length (call $var_get (call $block (i32.const 32) (i32.const 3))))))
    (call $var_set (call $block (i32.const 32) (i32.const 3)) (call $block (i32.const 16) (i32.const 4)))
    (call $output_set (local.get $h) (i64.const 3))
    (i32.const 0))

  (func (export "config") (result i32)
    (local $h i64)
    (local.set $h (call $config_get (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  (func (export "host") (result i32)
    (local $h i64)
    (local.set $h (call $echo_back (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  (func (export "nice") (result i32)
    (local $h i64)
    (local.set $h (call $echo_nice (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  (func (export "burnThenNice") (result i32)
    (local $h i64)
    (drop (call $echo_burn (call $input_offset)))
    (local.set $h (call $echo_nice (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  (func (export "sleepThenNice") (result i32)
    (local $h i64)
    (drop (call $echo_sleep (call $input_offset)))
    (local.set $h (call $echo_nice (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  ;; Burns 1.5 s of CPU in 150 host calls of 10 ms.
  (func (export "slices") (result i32)
    (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const 150)))
      (drop (call $echo_slice (call $input_offset)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "where") (result i32)
    (local $h i64)
    (local.set $h (call $echo_where (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  ;; Outputs the bytes at 70000 and 131071 (zero at instantiation, far from the data), then sets
  ;; them: always [0, 0] on a pristine instance.
  (func (export "scribble") (result i32)
    (local $h i64)
    (local.set $h (call $alloc (i64.const 2)))
    (call $store_u8 (local.get $h) (i32.load8_u (i32.const 70000)))
    (call $store_u8 (i64.add (local.get $h) (i64.const 1)) (i32.load8_u (i32.const 131071)))
    (i32.store8 (i32.const 70000) (i32.const 7))
    (i32.store8 (i32.const 131071) (i32.const 9))
    (call $output_set (local.get $h) (i64.const 2))
    (i32.const 0))

  ;; Loops forever when the input is not empty.
  (func (export "spinIf") (result i32)
    (if (i64.ne (call $input_length) (i64.const 0)) (then (loop $l (br $l))))
    (i32.const 0))

  (func (export "reenter") (result i32)
    (local $h i64)
    (local.set $h (call $echo_reenter (call $input_offset)))
    (call $output_set (local.get $h) (call $length (local.get $h)))
    (i32.const 0))

  (func (export "track") (result i32)
    (drop (call $echo_track (call $input_offset)))
    (i32.const 0))

  (func (export "sleep") (result i32)
    (drop (call $echo_sleep (call $input_offset)))
    (i32.const 0))

  (func (export "hang") (result i32)
    (drop (call $echo_hang (call $input_offset)))
    (i32.const 0))

  (func (export "log") (result i32)
    (call $log_info (call $block (i32.const 16) (i32.const 4)))
    (i32.const 0))

  (func (export "clock") (result i32)
    (call $clock (i32.const 0) (i64.const 1) (i32.const 200)))

  (func (export "fail") (result i32)
    (call $error_set (call $block (i32.const 16) (i32.const 4)))
    (i32.const 0))
  (func (export "notimpl") (result i32) (i32.const -2))
  (func (export "exit3") (result i32) (i32.const 3))
  (func (export "trap") (result i32) unreachable)
  (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))
  (func (export "bomb") (result i32)
    (if (i32.eq (memory.grow (i32.const 4000)) (i32.const -1))
      (then (call $error_set (call $block (i32.const 16) (i32.const 4)))))
    (i32.const 0))
  (func (export "grow") (result i32) (drop (memory.grow (i32.const 1))) (i32.const 0))
  ;; Needs 4 pages, growing memory to that as a bump allocator does.
  (func (export "need4") (result i32)
    (if (i32.lt_u (memory.size) (i32.const 4))
      (then (drop (memory.grow (i32.sub (i32.const 4) (memory.size))))))
    (i32.const 0))
  (func (export "huge") (result i32)
    (local $h i64)
    (local.set $h (call $alloc (i64.const 20000000)))
    (call $output_set (local.get $h) (i64.const 20000000))
    (i32.const 0))
)
"""#
