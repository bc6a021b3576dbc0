import ExtismKernel
import Foundation
import Synchronization
@_spi(Fuzzing) import WasmKit

/// Limits applied to every instance and call of a plugin.
public struct PluginLimits: Sendable {
    /// Per-call deadline, seconds (default 30).
    public var callTimeout: Double = 30
    /// Cap on the plugin's linear memory and, separately, on its kernel memory (default 128 MiB).
    public var memoryLimit: Int = 128 * 1024 * 1024
    /// Cap on a call's output (default 16 MiB).
    public var maxOutputBytes: Int = 16 * 1024 * 1024
    /// Cap on a host function's request and response (default 16 MiB).
    public var maxHostPayloadBytes: Int = 16 * 1024 * 1024
    /// Warm instances kept per plugin; 0 creates a new instance for every call, as Navidrome
    /// does (slower: WasmKit translates function bodies per instance). `nil`: 2 × cores, at least 4.
    public var poolSize: Int?
    /// A call may run on its caller's thread when its export's previous call ran shorter than
    /// this without blocking (see ``CallExecutor``); `.zero` sends
    /// every call to a call thread.
    public var inlineCallLimit: Duration = .microseconds(250)
    /// CPU time of one call after which its plugin's calls go to the background (see
    /// ``CallPriority``), seconds (default 0.5; the Discord plugin's calls take milliseconds).
    public var heavyCallCPU: Double = 0.5

    public init(
        callTimeout: Double = 30, memoryLimit: Int = 128 * 1024 * 1024, maxOutputBytes: Int = 16 * 1024 * 1024,
        maxHostPayloadBytes: Int = 16 * 1024 * 1024
    ) {
        self.callTimeout = callTimeout
        self.memoryLimit = memoryLimit
        self.maxOutputBytes = maxOutputBytes
        self.maxHostPayloadBytes = maxHostPayloadBytes
    }
}

/// One instantiated plugin with its own store and kernel, reusable across calls: after
/// instantiation and guest init it records a snapshot (linear memory and mutable globals) and
/// ``restore()`` returns it to exactly that state, so every call sees a pristine instance.
///
/// Instantiation and every call run within the deadline (``PluginLimits/callTimeout``): with a
/// fuel budget for that time (see ``FuelBudget``), and host functions fail with ``CallStopped``
/// once the deadline of the ``RunningCall`` has passed.
final class PluginInstance: @unchecked Sendable {
    // One call at a time uses an instance, on one thread.
    private let store: Store
    private let instance: Instance
    let kernel: ExtismKernel
    private let memory: Memory?
    private let globals: [Global]
    private let memorySnapshot: MemorySnapshot
    private let globalSnapshot: [Value]
    private var functions: [String: Function] = [:]
    /// The interpreter's stack, kept across calls (allocating one per call is a large share of a
    /// small call's cost).
    private var stack: ExecutionStack
    /// The deadline of instantiation and of each call, seconds.
    private let timeout: Double
    private let pluginID: String
    /// The current call's trace, if the caller asked for one.
    private let traceBox = TraceBox()
    /// `/storage`, for a plugin with the `storage` permission.
    private let storage: StorageMount?

    init(compiled: CompiledPlugin, engine: Engine, config: [String: String], hostFunctions: [String: HostFunction],
         limits: PluginLimits, storageFolder: String?, logSink: @escaping @Sendable (KernelLogLevel, String) -> Void) throws {
        let store = Store(engine: engine)
        let storage = storageFolder.map { StorageMount(hostPath: $0) }
        self.storage = storage
        self.store = store
        stack = ExecutionStack(engine: engine)
        store.resourceLimiter = MemoryCap(limit: limits.memoryLimit)
        kernel = ExtismKernel(config: config, memoryLimit: limits.memoryLimit, maxOutputBytes: limits.maxOutputBytes)
        timeout = limits.callTimeout
        pluginID = compiled.id
        let traceBox = self.traceBox
        kernel.logSink = { level, message in
            traceBox.trace?.log(level, message)
            logSink(level, message)
        }
        var imports = Imports()
        let kernel = self.kernel
        let maxPayload = limits.maxHostPayloadBytes
        for entry in compiled.imports {
            switch entry {
            case .kernel(let name):
                imports.define(module: ExtismKernel.moduleName, name: name, kernel.function(named: name, store: store)!)
            case .wasi(let name, let type):
                imports.define(module: WASIPreview1.moduleName, name: name,
                               storage?.function(named: name, type: type, store: store)
                                   ?? WASIPreview1.function(named: name, type: type, store: store)!)
            case .host(let name):
                let body = hostFunctions[name]!
                imports.define(module: "extism:host/user", name: name,
                    Function(store: store, parameters: [.i64], results: [.i64], raw: { _, arguments, results in
                        let call = RunningCall.current
                        call?.payForCPU(pausing: true)
                        guard call?.isPastDeadline != true else { throw CallStopped() }
                        let request = kernel.read(block: arguments[0].i64Bits)
                        guard request.count <= maxPayload else {
                            throw KernelError.message("\(name): request of \(request.count) bytes exceeds the limit of \(maxPayload) bytes")
                        }
                        let response = body(request)
                        traceBox.trace?.hostCall(name, request: request, response: response)
                        // A host function that returned after the deadline: the call stops here.
                        guard call?.isPastDeadline != true else { throw CallStopped() }
                        guard response.count <= maxPayload else {
                            throw KernelError.message("\(name): response of \(response.count) bytes exceeds the limit of \(maxPayload) bytes")
                        }
                        results[0] = .i64(try kernel.write(block: response))
                    }))
            }
        }
        // Data segments, the start function and the guest's initializer, within the deadline of
        // the call that needs the instance, or a deadline of their own.
        let timeout = limits.callTimeout
        defer { storage?.endCall() }
        let call = RunningCall.current ?? RunningCall()
        if call.deadline == nil { call.deadline = .now + .seconds(timeout) }
        store.fuel = Fuel(remaining: FuelBudget.fuel(forSeconds: timeout))
        let instance: Instance
        do {
            instance = try call.run {
                let instance = try compiled.module.instantiate(store: store, imports: imports)
                if let initializer = compiled.initializer, let function = instance.exports[function: initializer] {
                    _ = try function.invoke([])
                }
                return instance
            }
        } catch {
            if error is CallStopped || call.isPastDeadline || Self.ranOutOfFuel(error) {
                throw InitializationTimeout(seconds: timeout)
            }
            throw error
        }
        let memory = compiled.hasMemory ? instance.exports[memory: SnapshotExports.memoryName] : nil
        let globals = compiled.globalNames.compactMap { instance.exports[global: $0] }
        self.instance = instance
        self.memory = memory
        self.globals = globals
        globalSnapshot = globals.map(\.value)
        memorySnapshot = MemorySnapshot(memory)
    }

    /// The size of linear memory now, and in the snapshot, bytes.
    var memoryByteCount: Int { memory?.byteCount ?? 0 }
    var snapshotByteCount: Int { memorySnapshot.byteCount }

    /// Whether the export exists.
    func hasExport(_ name: String) -> Bool { function(name) != nil }

    private func function(_ name: String) -> Function? {
        if let cached = functions[name] { return cached }
        guard let found = instance.exports[function: name] else { return nil }
        functions[name] = found
        return found
    }

    /// Runs `export` with `input`. Returns the output or the reason of failure, and whether the
    /// instance may be reused (not after a trap, a timeout or memory growth).
    func call(export: String, input: [UInt8], trace: CallTrace?) -> (Result<[UInt8], PluginCallError>, reusable: Bool) {
        func failure(_ reason: PluginCallError.Reason) -> Result<[UInt8], PluginCallError> {
            .failure(PluginCallError(pluginID: pluginID, export: export, reason: reason))
        }
        guard let function = function(export) else { return (failure(.notImplemented(missingExport: true)), true) }
        traceBox.trace = trace
        defer {
            traceBox.trace = nil
            storage?.endCall()
        }
        store.fuel = Fuel(remaining: FuelBudget.fuel(forSeconds: timeout))
        do {
            try kernel.beginCall(input: input)
        } catch {
            return (failure(.trap(error.description)), true)
        }
        var exitCode: Int32 = 0
        do {
            let results = try function.invoke([], on: &stack)
            if case .i32(let code)? = results.first { exitCode = Int32(bitPattern: code) }
        } catch let exit as WASIExit {
            exitCode = exit.code
        } catch {
            if error is CallStopped || RunningCall.current?.isPastDeadline == true || Self.ranOutOfFuel(error) {
                return (failure(.timeout(timeout)), false)
            }
            return (failure(.trap(Self.describe(error))), false)
        }
        let reusable = memory.map { $0.byteCount == memorySnapshot.byteCount } ?? true
        if let message = kernel.errorMessage() { return (failure(.pluginError(message)), reusable) }
        if exitCode == -2 { return (failure(.notImplemented(missingExport: false)), reusable) }
        if exitCode != 0 { return (failure(.exitCode(exitCode)), reusable) }
        do {
            return (.success(try kernel.output()), reusable)
        } catch {
            return (failure(.trap(error.description)), reusable)
        }
    }

    /// Whether `error` is the interpreter's out-of-fuel trap.
    private static func ranOutOfFuel(_ error: any Error) -> Bool {
        guard let trap = error as? Trap else { return false }
        return trap.description.contains("out of fuel")
    }

    /// Returns linear memory and mutable globals to their post-initialization snapshot.
    func restore() throws {
        if let memory { memorySnapshot.restore(memory) }
        for (global, value) in zip(globals, globalSnapshot) { try global.assign(value) }
    }

    private static func describe(_ error: any Error) -> String {
        if let trap = error as? Trap {
            let text = trap.description
            let firstLine = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? text
            return firstLine.hasPrefix("Trap: ") ? String(firstLine.dropFirst(6)) : firstLine
        }
        return String(describing: error)
    }
}

/// Refuses linear-memory growth past the cap.
private final class MemoryCap: ResourceLimiter {
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= limit }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 1_000_000 }
}

private final class TraceBox: @unchecked Sendable {
    // Set and cleared by the thread running the call; read by host functions on that thread.
    var trace: CallTrace?
}

/// What a call did besides producing output: the host calls it made and its log lines
/// (`tonearm plugin call` prints them).
public final class CallTrace: Sendable {
    public struct HostCall: Sendable, Equatable, Codable {
        public let function: String
        public let request: String
        public let response: String
    }

    public struct LogLine: Sendable, Equatable, Codable {
        public let level: String
        public let message: String
    }

    private let state = Mutex<([HostCall], [LogLine])>(([], []))

    public init() {}

    public var hostCalls: [HostCall] { state.withLock { $0.0 } }
    public var logLines: [LogLine] { state.withLock { $0.1 } }

    func hostCall(_ function: String, request: [UInt8], response: [UInt8]) {
        let call = HostCall(function: function, request: String(decoding: request, as: UTF8.self),
                            response: String(decoding: response, as: UTF8.self))
        state.withLock { $0.0.append(call) }
    }

    func log(_ level: KernelLogLevel, _ message: String) {
        state.withLock { $0.1.append(LogLine(level: level.description, message: message)) }
    }
}

extension Value {
    var i64Bits: UInt64 {
        switch self {
        case .i64(let v): v
        case .i32(let v): UInt64(v)
        default: 0
        }
    }
}
