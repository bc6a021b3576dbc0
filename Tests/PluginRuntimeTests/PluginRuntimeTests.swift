import Foundation
import Logging
import TestSupport
import Testing
import WAT
import TonearmJSON
@testable import PluginRuntime

@Suite(.timeLimit(.minutes(3))) struct PluginCallTests {
    let folder: TestFolder
    let plugin: LoadedPlugin

    init() throws {
        folder = try TestFolder()
        let path = try folder.package("kernel", wat: kernelWAT)
        var loader = testLoader(folder, timeout: 2, memoryMiB: 64, settings: ["kernel": ["greeting": "hello"]])
        // Debug builds interpret far slower than release ones.
        loader.inlineCallLimit = .milliseconds(20) * testTimeScale
        plugin = try loader.load(path: path)
    }

    func call(_ export: String, _ input: String = "") async throws -> String {
        String(decoding: try await plugin.call(export: export, input: Array(input.utf8)), as: UTF8.self)
    }

    func failure(_ export: String) async -> PluginCallError? {
        do {
            _ = try await plugin.call(export: export, input: [])
            return nil
        } catch {
            return error
        }
    }

    @Test func echoesInput() async throws {
        #expect(try await call("echo", #"{"a":1}"#) == #"{"a":1}"#)
        #expect(try await call("echo", "") == "")
    }

    @Test func everyCallSeesAPristineInstance() async throws {
        for _ in 0..<5 {
            let output = try await plugin.call(export: "count", input: [])
            #expect(output == [1, 1, 0])
        }
    }

    @Test func writesToZeroedMemoryAreClearedBetweenCalls() async throws {
        for _ in 0..<5 { #expect(try await plugin.call(export: "scribble", input: []) == [0, 0]) }
    }

    @Test func parallelCallsAreIsolated() async throws {
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 { group.addTask { try await plugin.call(export: "count", input: []) } }
            for try await output in group { #expect(output == [1, 1, 0]) }
        }
    }

    @Test func readsConfig() async throws {
        #expect(try await call("config", "greeting") == "hello")
        #expect(try await call("config", "missing") == "")
    }

    @Test func hostFunctionRoundTrip() async throws {
        let trace = CallTrace()
        let output = try await plugin.call(export: "host", input: Array(#"{"x":"y"}"#.utf8), trace: trace)
        #expect(String(decoding: output, as: UTF8.self) == #"{"x":"y"}"#)
        #expect(trace.hostCalls == [.init(function: "echo_back", request: #"{"x":"y"}"#, response: #"{"x":"y"}"#)])
    }

    /// The same plugin with a generous deadline, for tests whose calls wait on other calls
    /// (the suite's 2 s deadline is for the timeout tests, and a loaded machine can exceed it).
    func patientPlugin() throws -> LoadedPlugin {
        try testLoader(folder, timeout: 60).load(path: try folder.package("patient", wat: kernelWAT))
    }

    @Test func reentrantCallbackDoesNotDeadlock() async throws {
        let patient = try patientPlugin()
        let output = try await patient.call(export: "reenter", input: Array("again".utf8))
        #expect(String(decoding: output, as: UTF8.self) == "again")
    }

    /// A call blocked in a host function keeps its slot: a plugin never holds more call threads
    /// than it has slots.
    @Test func callsBeyondTheLimitWaitTheirTurn() async throws {
        let patient = try patientPlugin()
        InFlight.of(patient.id).reset()
        let count = patient.executor.capacity * 4
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<count {
                group.addTask {
                    String(decoding: try await patient.call(export: "track", input: Array("\(index)".utf8)), as: UTF8.self)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outputs.count == count)
        #expect(InFlight.of(patient.id).most <= patient.executor.capacity)
        #expect(InFlight.of(patient.id).most >= 2)
    }

    @Test func reentrantCallbacksDoNotWaitForSlotsTheirCallersHold() async throws {
        // More re-entering calls than slots: each holds a slot while its callback runs.
        let patient = try patientPlugin()
        let count = patient.executor.capacity + 2
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<count {
                group.addTask {
                    String(decoding: try await patient.call(export: "reenter", input: Array("r\(index)".utf8)), as: UTF8.self)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outputs) == Set((0..<count).map { "r\($0)" }))
    }

    @Test func logLinesAreTraced() async throws {
        let trace = CallTrace()
        _ = try await plugin.call(export: "log", input: [], trace: trace)
        #expect(trace.logLines == [.init(level: "info", message: "boom")])
    }

    @Test func wasiClockWorks() async throws {
        _ = try await call("clock")
    }

    @Test func failuresCarryPluginExportAndReason() async throws {
        #expect(await failure("fail") == PluginCallError(pluginID: "kernel", export: "fail", reason: .pluginError("boom")))
        #expect(await failure("notimpl")?.reason == .notImplemented(missingExport: false))
        #expect(await failure("absent")?.reason == .notImplemented(missingExport: true))
        #expect(await failure("exit3")?.reason == .exitCode(3))
        guard case .trap(let text)? = await failure("trap")?.reason else { Issue.record("no trap"); return }
        #expect(text.contains("unreachable"))
        // The host is fine afterwards.
        #expect(try await call("echo", "ok") == "ok")
    }

    @Test func memoryBombIsRefusedAtTheCap() async throws {
        #expect(await failure("bomb")?.reason == .pluginError("boom"))
        #expect(try await plugin.call(export: "count", input: []) == [1, 1, 0])
    }

    @Test func memoryGrowthDoesNotLeak() async throws {
        _ = try await call("grow")
        #expect(try await plugin.call(export: "count", input: []) == [1, 1, 0])
    }

    @Test func callsThatGrowMemoryGetInstancesThatNeedNotGrow() async throws {
        #expect(plugin.instantiations == 1)
        for _ in 0..<5 { _ = try await call("need4") }
        // The first call grew the pooled instance, which was dropped; the next instance started
        // with 4 pages and went back to the pool after every call.
        #expect(plugin.instantiations == 2)
        #expect(try await plugin.call(export: "count", input: []) == [1, 1, 0])
    }

    @Test func memoryThatKeepsGrowingStopsRaisingTheFloor() async throws {
        for _ in 0..<10 { _ = try await call("grow") }
        // Every call grows memory again, so every call after the first needs a new instance.
        #expect(plugin.instantiations == 10)
        #expect(try await plugin.call(export: "count", input: []) == [1, 1, 0])
    }

    @Test func hugeOutputIsRefused() async throws {
        guard case .trap(let text)? = await failure("huge")?.reason else { Issue.record("no error"); return }
        #expect(text.contains("exceeds the limit"))
    }

    @Test func infiniteLoopStopsAtTheDeadline() async throws {
        let start = ContinuousClock.now
        async let stuck = failure("spin")
        // The host keeps answering while the loop runs.
        #expect(try await call("echo", "alive") == "alive")
        #expect(await stuck?.reason == .timeout(2))
        // The watchdog answers the caller at the deadline; the bound leaves room for a loaded
        // machine, whose other suites can keep every cooperative thread busy for seconds.
        #expect(ContinuousClock.now - start < .seconds(2 + 20))
        #expect(try await call("echo", "after") == "after")
    }

    /// What `nice` answers: the nice value of the thread running the call.
    let normal = "0", background = "\(CallPriority.backgroundNice)"

    @Test func aPluginWhoseCallBurnedCPURunsItsCallsInTheBackground() async throws {
        #expect(try await call("nice") == normal)
        #expect(await failure("spin")?.reason == .timeout(2))
        // The caller had its answer at the deadline; the loop burns CPU until its fuel (2 s of
        // CPU time) runs out.
        let until = ContinuousClock.now + .seconds(60)
        while plugin.executor.priority == .normal, ContinuousClock.now < until { try await Task.sleep(for: .milliseconds(20)) }
        #expect(plugin.executor.priority == .background)
        for _ in 0..<3 { #expect(try await call("nice") == background) }
        // Other plugins keep normal priority.
        #expect(try await patientPlugin().call(export: "nice", input: []) == Array(normal.utf8))
    }

    @Test func aHeavyCallMovesItsOwnThreadToTheBackgroundAtOnce() async throws {
        let patient = try patientPlugin()
        #expect(try await patient.call(export: "nice", input: []) == Array(normal.utf8))
        // The host function burns CPU until its thread's nice value is raised.
        let nice = try await patient.call(export: "burnThenNice", input: [])
        #expect(String(decoding: nice, as: UTF8.self) == background)
        #expect(patient.executor.priority == .background)
        #expect(try await patient.call(export: "nice", input: []) == Array(background.utf8))
    }

    @Test func aCallWithinHeavyCallCPUKeepsItsPluginInTheForeground() async throws {
        let tolerant = try testLoader(folder, timeout: 60, heavyCallCPU: 60)
            .load(path: try folder.package("tolerant", wat: kernelWAT))
        // The host function burns 5 s of CPU unless its thread's nice value is raised first.
        let nice = try await tolerant.call(export: "burnThenNice", input: [])
        #expect(String(decoding: nice, as: UTF8.self) == normal)
        #expect(tolerant.executor.priority == .normal)
    }

    @Test func aHeavyCallMovesTheCallsAlreadyRunningToTheBackground() async throws {
        let patient = try patientPlugin()
        // Blocks 5 s in a host function, then answers its thread's nice value.
        async let sleeper = patient.call(export: "sleepThenNice", input: [])
        try await Task.sleep(for: .milliseconds(200))
        _ = try await patient.call(export: "burnThenNice", input: [])
        #expect(String(decoding: try await sleeper, as: UTF8.self) == background)
    }

    @Test func aPluginInTheBackgroundGetsItsShareOfACoreAndNoMore() async throws {
        let patient = try patientPlugin()
        _ = try await patient.call(export: "burnThenNice", input: [])
        #expect(patient.executor.priority == .background)
        // 1.5 s of CPU time in host calls: the call pauses at host functions once the budget
        // (its burst, then its share of a core per second) is spent.
        let start = ContinuousClock.now
        _ = try await patient.call(export: "slices", input: [])
        let wall = ContinuousClock.now - start
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        #expect(1.5 <= BackgroundBudget.burstSeconds + BackgroundBudget.cores * seconds + 0.05)
    }

    @Test func aQuickExportThatLoopsStopsAtTheDeadlineOnTheCallersThread() async throws {
        // A short deadline: a loop on the caller's thread holds a cooperative thread until its
        // fuel (the CPU time of the deadline) runs out, which other suites would feel.
        var loader = testLoader(folder, timeout: 0.5)
        loader.inlineCallLimit = .milliseconds(20) * testTimeScale
        let quick = try loader.load(path: try folder.package("quick", wat: kernelWAT))
        for _ in 0..<20 { _ = try await quick.call(export: "spinIf", input: []) }
        let start = ContinuousClock.now
        do {
            _ = try await quick.call(export: "spinIf", input: Array("x".utf8))
            Issue.record("the loop returned")
        } catch {
            #expect(error.reason == .timeout(0.5))
        }
        // Fuel is CPU time: on a loaded machine the wall time can be several times the deadline.
        #expect(ContinuousClock.now - start < wallTimeBound(20))
        #expect(try await quick.call(export: "echo", input: Array("after".utf8)) == Array("after".utf8))
    }

    @Test func blockedHostFunctionReturnsTimeoutToTheCaller() async throws {
        let start = ContinuousClock.now
        #expect(await failure("sleep")?.reason == .timeout(2))
        #expect(ContinuousClock.now - start < wallTimeBound(4))
    }
}

/// Calls on the caller's thread: their waits for a moment with no other call in the process
/// grow with ``testTimeScale``, beyond the call suite's time limit under sanitizers.
@Suite(.timeLimit(.minutes(8))) struct InlineCallTests {
    let calls: PluginCallTests
    init() throws { calls = try PluginCallTests() }

    /// Runs `export` until a call runs on the caller's thread (a call runs inline only while no
    /// other call is in flight in the process, and other suites' calls, such as the deadline
    /// tests' loops and the Discord scenarios, run at the same time); false if none did within
    /// 80 s (times ``testTimeScale``), longer than the other suites run on a loaded two-core
    /// machine.
    func ranInline(_ export: String, _ input: String = "") async throws -> Bool {
        let until = ContinuousClock.now + wallTimeBound(80)
        while ContinuousClock.now < until {
            if try await calls.call(export, input) == "caller" { return true }
            try await Task.sleep(for: .milliseconds(1))
        }
        return false
    }

    @Test func quickCallsRunOnTheCallersThread() async throws {
        // The first call of an export goes to a call thread: nothing is known of it yet.
        #expect(try await calls.call("where") == "call thread")
        #expect(try await ranInline("where"))
    }

    @Test func aCallThatBlockedInAHostFunctionMovesToACallThread() async throws {
        #expect(try await ranInline("where"))
        _ = try await calls.call("where", "block")
        #expect(try await calls.call("where") == "call thread")
        #expect(try await ranInline("where"))
    }
}

@Suite(.timeLimit(.minutes(3))) struct PluginLoadTests {
    let folder: TestFolder
    init() throws { folder = try TestFolder() }

    func loadError(_ path: String, loader: PluginLoader? = nil) -> String? {
        do {
            _ = try (loader ?? testLoader(folder)).load(path: path)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func corruptZip() throws {
        let path = folder.plugins + "/broken.ndp"
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: path))
        #expect(loadError(path)?.contains("not a valid .ndp package") == true)
    }

    @Test func missingEntries() throws {
        let path = try TestFolder.writePackage(at: folder.plugins + "/nowasm.ndp", entries: ["manifest.json": Array(TestFolder.manifest().utf8)])
        #expect(loadError(path) == "package missing plugin.wasm")
        let nested = try TestFolder.writePackage(
            at: folder.plugins + "/nested.ndp", entries: ["x/manifest.json": [1], "plugin.wasm": [0]])
        #expect(loadError(nested) == "package missing manifest.json")
    }

    @Test func invalidWasm() throws {
        let path = try folder.package("badwasm", wasm: Array("garbage".utf8))
        #expect(loadError(path)?.contains("not a valid WebAssembly module") == true)
    }

    @Test func badManifests() throws {
        let cases: [(String, String)] = [
            (#"{"author":"a","version":"1"}"#, #"required field "name" is missing"#),
            (#"{"name":"","author":"a","version":"1"}"#, #"field "name" must not be empty"#),
            (#"{"name":"n","author":"a","version":1}"#, #"field "version" must be a string"#),
            (#"{"name":"n","author":"a","version":"1","permissions":{"subsonicapi":{}}}"#,
             "'subsonicapi' permission requires 'users' permission"),
            (#"{"name":"n","author":"a","version":"1","config":{}}"#, #"field "config" must contain "schema""#),
            (#"{"name":"n","author":"a","version":"1","permissions":{"endpoints":{"auth":"subsonic"}}}"#,
             "'endpoints' permission with auth 'subsonic' requires 'users' permission"),
            (#"{"name":"n","author":"a","version":"1","permissions":{"endpoints":{}}}"#,
             #"field "permissions.endpoints.auth" is required ("native", "subsonic" or "none")"#),
            (#"{"name":"n","author":"a","version":"1","permissions":{"endpoints":{"auth":"jwt"}}}"#,
             #"field "permissions.endpoints.auth" must be "native", "subsonic" or "none", not "jwt""#),
            (#"{"name":"n","author":"a","version":"1","permissions":{"endpoints":{"auth":"none","paths":[1]}}}"#,
             #"field "permissions.endpoints.paths[0]" must be a string, not number"#),
            ("{not json", "not valid JSON"),
        ]
        for (index, (manifest, expected)) in cases.enumerated() {
            let path = try folder.package("m\(index)", manifest: manifest, wat: "(module)")
            let error = loadError(path)
            #expect(error?.contains(expected) == true, "\(manifest) → \(error ?? "loaded")")
            #expect(error?.contains(path) == true, "error names the file")
        }
    }

    @Test func unknownKeysAndSchemaAreAccepted() throws {
        let manifest = #"{"$schema":"https://x/manifest-schema.json","name":"n","author":"a","version":"1","extra":true}"#
        let path = try folder.package("lenient", manifest: manifest, wat: "(module)")
        #expect(loadError(path) == nil)
        let package = try PluginPackage(contentsOf: path)
        #expect(package.manifest.schemaWarnings.contains(#"unknown top-level field "$schema""#))
    }

    @Test func undeclaredPermissionNamesTheService() throws {
        let wat = #"(module (import "extism:host/user" "cache_setstring" (func (param i64) (result i64))))"#
        let path = try folder.package("x", wat: wat)
        #expect(loadError(path) == #"imports cache_setstring but the manifest does not declare the "cache" permission"#)
        let allowed = try folder.package("y", manifest: TestFolder.manifest(permissions: #"{"cache":{}}"#), wat: wat)
        #expect(loadError(allowed) == nil)
    }

    @Test func unknownHostFunctionsAreNamed() throws {
        let wat = #"(module (import "extism:host/user" "nope_a" (func (param i64) (result i64))) (import "extism:host/user" "nope_b" (func (param i64) (result i64))))"#
        let path = try folder.package("unknown", wat: wat)
        #expect(loadError(path) == "imports unknown host function(s) from extism:host/user: nope_a, nope_b")
    }

    @Test func wrongKernelSignature() throws {
        let wat = #"(module (import "extism:host/env" "alloc" (func (param i32) (result i32))))"#
        let path = try folder.package("sig", wat: wat)
        #expect(loadError(path)?.contains("imports extism:host/env.alloc with signature (i32) -> (i32)") == true)
    }

    @Test func schedulerAndWebSocketNeedTheirCallbacks() throws {
        let scheduler = try folder.package("s", manifest: TestFolder.manifest(permissions: #"{"scheduler":{}}"#), wat: "(module)")
        #expect(loadError(scheduler) == "'scheduler' permission requires plugin to export 'nd_scheduler_callback' function")
        let websocket = try folder.package("w", manifest: TestFolder.manifest(permissions: #"{"websocket":{}}"#), wat: "(module)")
        #expect(loadError(websocket)?.contains("nd_websocket_on_") == true)
        let good = try folder.package("g", manifest: TestFolder.manifest(permissions: #"{"scheduler":{}}"#),
                                      wat: #"(module (func (export "nd_scheduler_callback") (result i32) (i32.const 0)))"#)
        #expect(loadError(good) == nil)
    }

    @Test func httpEndpointNeedsTheEndpointsPermission() throws {
        let wat = #"(module (func (export "nd_http_handle_request") (result i32) (i32.const 0)))"#
        let bare = try folder.package("ep", wat: wat)
        #expect(loadError(bare) == "HTTP endpoint capability requires 'endpoints' permission to be declared in manifest")
        let anonymous = try folder.package(
            "ep2", manifest: TestFolder.manifest(permissions: #"{"endpoints":{"auth":"none","paths":["/"]}}"#), wat: wat)
        #expect(loadError(anonymous) == nil)
        let package = try PluginPackage(contentsOf: anonymous)
        #expect(package.manifest.permissions.endpointsAuth == EndpointsAuth.none)
        #expect(package.manifest.permissions.endpointPaths == ["/"])
        #expect(package.manifest.schemaWarnings.isEmpty)
    }

    @Test func capabilitiesComeFromExports() throws {
        let wat = #"(module (func (export "nd_scrobbler_now_playing") (result i32) (i32.const 0)) (func (export "nd_on_init") (result i32) (i32.const 0)))"#
        let path = try folder.package("cap", manifest: TestFolder.manifest(permissions: #"{"users":{}}"#), wat: wat)
        #expect(loadError(path)?.contains("no users are assigned") == true)
        let loader = testLoader(folder, plugins: ["cap": PluginOptions(allUsers: true)])
        let loaded = try loader.load(path: path)
        #expect(Set(loaded.capabilities) == [.scrobbler, .lifecycle])
        let noUsers = try folder.package("cap2", wat: wat)
        #expect(loadError(noUsers, loader: loader) == "scrobbler capability requires 'users' permission to be declared in manifest")
    }

    @Test func settingsAreValidatedAgainstTheSchema() throws {
        let schema = #"""
            ,"config":{"schema":{"type":"object","properties":{
              "clientid":{"type":"string","pattern":"^[0-9]+$","minLength":3},
              "mode":{"type":"string","enum":["a","b"],"default":"a"},
              "count":{"type":"integer","minimum":1},
              "users":{"type":"array","minItems":1,"items":{"type":"object","required":["username"]}}},
              "required":["clientid"]}}
            """#
        let path = try folder.package("cfg", manifest: TestFolder.manifest(extra: schema), wat: "(module)")
        let good = try testLoader(folder, settings: [
            "cfg": ["ClientID": "12345", "Count": 3, "Users": [["username": "alice", "token": "a<b"]]],
        ]).load(path: path)
        #expect(good.config == ["clientid": "12345", "mode": "a", "count": "3",
                                "users": #"[{"token":"a\u003cb","username":"alice"}]"#])
        let bad = testLoader(folder, settings: ["cfg": ["ClientID": "x1", "Mode": "c", "Count": 0]])
        let error = loadError(path, loader: bad) ?? ""
        #expect(error.contains("PluginSettings.cfg.clientid: does not match the pattern"))
        #expect(error.contains("PluginSettings.cfg.clientid: must be at least 3 characters long"))
        #expect(error.contains(#"PluginSettings.cfg.mode: "c" is not one of "a", "b""#))
        #expect(error.contains("PluginSettings.cfg.count: must be ≥ 1"))
    }
}

@Suite(.timeLimit(.minutes(1))) struct ConfigSchemaTests {
    let schema = ConfigSchema(.object([
        "type": .string("object"),
        "properties": .object([
            "users": .object(["anyOf": .array([
                .object(["type": .string("array"), "minItems": .number(1)]),
                .object(["type": .string("string"), "pattern": .string("^[^:,]+:[^:,]+(,[^:,]+:[^:,]+)*$")]),
            ])]),
        ]),
    ]))

    @Test func anyOfAcceptsEitherForm() throws {
        #expect(try schema.validate(["users": .string("alice:t1,bob:t2")])["users"] == .string("alice:t1,bob:t2"))
        #expect(try schema.validate(["Users": .array([.string("x")])]).keys.sorted() == ["users"])
        #expect(throws: ConfigValidationError.self) { try schema.validate(["users": .string("no-token")]) }
        #expect(throws: ConfigValidationError.self) { try schema.validate(["users": .array([])]) }
    }

    /// A manifest's bounds are numbers from outside: a bound no Int holds is named, not converted
    /// (found by FuzzManifest: `"minLength": 1e300` trapped while validating settings).
    @Test func boundsOutsideIntAreReportedNotConverted() throws {
        let bounds = ConfigSchema(.object([
            "type": .string("object"),
            "properties": .object([
                "name": .object(["type": .string("string"), "minLength": .number(1e300), "maxLength": .number(-1e300)]),
                "tags": .object(["type": .string("array"), "minItems": .number(9.3e18), "maxItems": .number(-1e19)]),
                "short": .object(["type": .string("string"), "minLength": .number(3)]),
            ]),
        ]))
        let error = try #require(throws: ConfigValidationError.self) {
            try bounds.validate(["name": .string("x"), "tags": .array([]), "short": .string("ab")])
        }
        let message = "\(error)"
        #expect(message.contains("name: must be at least 1e+300 characters long"))
        #expect(message.contains("name: must be at most -1e+300 characters long"))
        #expect(message.contains("tags: must have at least 9300000000000000000 items"))
        #expect(message.contains("tags: must have at most -10000000000000000000 items"))
        #expect(message.contains("short: must be at least 3 characters long"))
    }

    @Test func flattensAsNavidromeDoes() {
        let flat = ConfigSchema.flatten([
            "n": .number(3), "f": .number(0.5), "b": .bool(true), "s": .string("<x>"),
            "o": .object(["b": .string("&"), "a": .number(1)]),
        ])
        #expect(flat == ["n": "3", "f": "0.5", "b": "true", "s": "<x>", "o": #"{"a":1,"b":"\u0026"}"#])
    }
}

@Suite(.timeLimit(.minutes(3))) struct PluginManagerTests {
    @Test func loadsReloadsAndRemoves() async throws {
        let folder = try TestFolder()
        try folder.package("one", wat: kernelWAT)
        try folder.package("broken", wasm: [0, 1, 2])
        let manager = PluginManager(
            configuration: testLoader(folder).configuration, services: [EchoService()], users: StaticUsers(),
            logger: .init(label: "test"))
        await manager.start()
        defer { Task { await manager.shutdown() } }
        #expect(manager.status(of: "one")?.state == .loaded)
        #expect(manager.status(of: "one")?.instantiations == 1)
        #expect(manager.status(of: "broken")?.instantiations == nil)
        #expect(manager.status(of: "broken")?.state == .failed)
        #expect(manager.status(of: "broken")?.lastError?.contains("not a valid WebAssembly module") == true)
        #expect(try await manager.call(plugin: "one", export: "echo", input: [7]) == [7])

        // Replaced while a call runs: the running call finishes, new calls use the new code.
        let old = manager.loadedPlugin("one")
        async let running = manager.call(plugin: "one", export: "sleep", input: [])
        try await Task.sleep(for: .milliseconds(200))
        try folder.package("one", wat: #"(module (func (export "fresh") (result i32) (i32.const 0)))"#)
        await manager.rescan()
        #expect(manager.loadedPlugin("one") !== old)
        #expect(old?.isUnloaded == true)
        #expect(try await manager.call(plugin: "one", export: "fresh", input: []) == [])
        _ = try? await running

        try await manager.setEnabled("one", false)
        #expect(manager.status(of: "one")?.state == .disabled)
        await #expect(throws: PluginCallError.self) { try await manager.call(plugin: "one", export: "fresh", input: []) }
        try await manager.setEnabled("one", true)
        #expect(manager.status(of: "one")?.state == .loaded)

        try FileManager.default.removeItem(atPath: folder.plugins + "/one.ndp")
        await manager.rescan()
        #expect(manager.status(of: "one") == nil)
        folder.remove()
    }
}
