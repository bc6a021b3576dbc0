import ExtismKernel
import Foundation
import Logging
import NavidromeABI
import Synchronization
import TonearmJSON
import WasmKit

/// One load of one plugin: its checked package, compiled module, configuration, host
/// functions and a pool of warm instances. Calls behave exactly as on a fresh instance.
public final class LoadedPlugin: Sendable {
    public let id: String
    public let package: PluginPackage
    /// Capabilities detected from the module's exports.
    public let capabilities: [PluginCapability]
    /// The configuration plugins read (`config_get`), flattened as Navidrome does.
    public let config: [String: String]
    public let limits: PluginLimits
    /// What host services know about this load (permissions, assigned users, extra hosts).
    public let context: PluginContext
    let compiled: CompiledPlugin
    /// What new instances are made from: ``compiled``, or a copy whose memory starts as large as
    /// the most any call grew it to (see ``raiseMemoryFloor(to:)``).
    private let instanceModule: Mutex<(module: CompiledPlugin, raises: Int)>
    private let services: [any HostService]
    private let instancesMade = Atomic<Int>(0)
    /// The host folder mounted at `/storage` (Storage), for a plugin with the `storage` permission.
    let storageFolder: String?
    let engine: Engine
    private let hostFunctions: [String: HostFunction]
    private let logger: Logger
    private let idle = Mutex<[PluginInstance]>([])
    private let unloaded = Atomic<Bool>(false)
    private let maxIdle: Int
    private let slots: CallSlots
    /// How each export's last call went (to decide whether the next runs inline).
    private let lastCalls = Mutex<[String: (duration: Duration, blocked: Bool)]>([:])
    /// Whether calls run in the background after a heavy call, and their CPU budget there.
    private let background = BackgroundBudget()
    /// The call threads running this load's calls now, so a demotion lowers them all.
    private let callThreads = Mutex<[ObjectIdentifier: CallThreads.Worker]>([:])

    /// Compiles `package`, resolves its imports against `hostFunctions` and creates the first
    /// instance (so a module that cannot instantiate fails here, with the reason).
    init(
        package: PluginPackage, context: PluginContext, hostFunctions: [String: HostFunction],
        services: [any HostService], limits: PluginLimits, engine: Engine, logger: Logger, storageFolder: String? = nil
    ) throws(PluginLoadError) {
        self.storageFolder = storageFolder
        id = package.id
        self.package = package
        self.config = context.config
        self.context = context
        self.hostFunctions = hostFunctions
        self.limits = limits
        self.engine = engine
        self.logger = logger
        maxIdle = limits.poolSize ?? max(4, ProcessInfo.processInfo.activeProcessorCount * 2)
        slots = CallSlots(capacity: max(maxIdle, 4))
        compiled = try Self.compile(package, hostFunctions: hostFunctions, services: services, engine: engine)
        capabilities = compiled.capabilities
        instanceModule = Mutex((compiled, 0))
        self.services = services
        if let violation = PluginCapability.violation(
            permissions: package.manifest.permissions, capabilities: capabilities)
        {
            throw PluginLoadError(pluginID: id, file: package.path, reason: violation)
        }
        do {
            let first = try makeInstance()
            idle.withLock { $0.append(first) }
        } catch let timeout as InitializationTimeout {
            throw PluginLoadError(pluginID: id, file: package.path, reason: timeout.description)
        } catch {
            throw PluginLoadError(pluginID: id, file: package.path, reason: "cannot instantiate plugin.wasm: \(error)")
        }
    }

    /// Whether the module exports `export`.
    public func exports(_ export: String) -> Bool { compiled.exports.contains(export) }

    /// Calls `export` with `input` on a pristine instance, within the deadline. `trace`, when
    /// given, records host calls and log lines.
    ///
    /// At most ``maxInFlight`` calls of one load run at once (more would only create instances
    /// and threads the cores cannot serve); the others wait their turn as `precedence` says.
    /// The deadline starts when a call runs. Calls made from inside a
    /// host function of a running call (a callback the host delivers synchronously) do not wait,
    /// so they cannot deadlock.
    ///
    /// A call runs on a call thread, where host functions may block, except a call that is
    /// known to be quick: see ``runsInline(_:)``. After a call that burned CPU, the plugin's
    /// calls run on low-priority threads for a while (see ``CallPriority``).
    public func call(
        export: String, input: [UInt8], trace: CallTrace? = nil, precedence: CallPrecedence = .urgent
    ) async throws(PluginCallError) -> [UInt8] {
        let nested = PluginCallNesting.isNested
        if !nested { await slots.acquire(precedence) }
        let alone = Self.callsInFlight.add(1, ordering: .relaxed).newValue == 1
        defer { Self.callsInFlight.subtract(1, ordering: .relaxed) }
        let running = RunningCall()
        let priority = self.priority
        let inline = alone && !nested && priority == .normal && runsInline(export)
        if !inline { running.budget = background }
        let result: Result<[UInt8], PluginCallError>
        if inline {
            result = running.run { callSynchronously(export: export, input: input, trace: trace) }
            if !nested { slots.release() }
        } else {
            result = await withCheckedContinuation { continuation in
                let once = ResumeOnce(continuation)
                CallThreads.shared.run(priority: priority) { [self] in
                    let result = running.run {
                        callSynchronously(export: export, input: input, trace: trace, onTimeout: once)
                    }
                    // The slot is freed and the caller resumed after the instance went back to
                    // the pool and this thread to the idle list, so the call that gets the slot
                    // (or the caller's next call) finds both there instead of starting a thread.
                    return { [slots] in
                        if !nested { slots.release() }
                        once.resume(result)
                    }
                }
            }
        }
        return try result.get()
    }

    /// Plugin calls running in this process.
    private static let callsInFlight = Atomic<Int>(0)
    /// A blocked call holds its thread; with one core, the Swift concurrency pool has only one.
    private static let canRunInline = ProcessInfo.processInfo.activeProcessorCount >= 2

    /// Whether a call of `export` that is the only plugin call in the process (a blocked
    /// concurrency thread then leaves the others free) and not nested runs on the caller's own
    /// (Swift concurrency) thread.
    ///
    /// Handing a call to a call thread and resuming the caller costs two thread wake-ups, more
    /// than a quick call itself. So such a call runs inline when the export's previous call ran
    /// under ``PluginLimits/inlineCallLimit`` without blocking in a host function. The deadline
    /// applies as on a call thread.
    private func runsInline(_ export: String) -> Bool {
        guard Self.canRunInline else { return false }
        guard let last = lastCalls.withLock({ $0[export] }) else { return false }
        return !last.blocked && last.duration < limits.inlineCallLimit
    }

    /// The priority of this load's calls now.
    var priority: CallPriority { background.isActive() ? .background : .normal }

    /// Moves the load's calls to the background after a heavy call of `export`, those running
    /// on call threads at once (their threads then serve background calls only, so a demotion
    /// leaves no extra normal threads behind); logs when they were not there already.
    private func demote(after export: String) {
        callThreads.withLock { threads in
            for thread in threads.values { thread.moveToBackground() }
        }
        guard background.demote(for: CallPriority.demotion) else { return }
        logger.warning(
            "plugin calls run at low priority for \(CallPriority.demotion.components.seconds / 60) minutes: a call used over \(GoJSONWriter.number(limits.heavyCallCPU)) s of CPU",
            metadata: ["export": "\(export)"])
    }

    /// How many calls of this load run at once (the pool size, at least 4).
    var maxInFlight: Int { slots.capacity }

    /// Runs a call on the current thread. The deadline still applies: the call is interrupted
    /// at its deadline.
    func callSynchronously(
        export: String, input: [UInt8], trace: CallTrace?, onTimeout: ResumeOnce? = nil
    ) -> Result<[UInt8], PluginCallError> {
        func failure(_ reason: PluginCallError.Reason) -> Result<[UInt8], PluginCallError> {
            .failure(PluginCallError(pluginID: id, export: export, reason: reason))
        }
        guard !unloaded.load(ordering: .relaxed) else { return failure(.pluginUnloaded) }
        guard compiled.exports.contains(export) else { return failure(.notImplemented(missingExport: true)) }
        let instance: PluginInstance
        do {
            instance = try idle.withLock { $0.popLast() } ?? makeInstance()
        } catch {
            return failure(.instantiation(String(describing: error)))
        }
        let timeout = limits.callTimeout
        let running = RunningCall.current
        running?.startPaying(atMost: timeout)
        running?.deadline = .now + .seconds(timeout)
        let expired = Atomic<Bool>(false)
        let timeoutError = PluginCallError(pluginID: id, export: export, reason: .timeout(timeout))
        // A heavy call lowers its plugin's priority, and the priority of the call threads
        // running its calls (never a Swift concurrency thread running a call inline).
        let thread = CallThreads.current
        if let thread {
            callThreads.withLock { $0[ObjectIdentifier(thread)] = thread }
            if background.isActive() { thread.moveToBackground() }
        }
        defer { if let thread { callThreads.withLock { $0[ObjectIdentifier(thread)] = nil } } }
        let allowance = CallWatchdog.CPUAllowance(seconds: limits.heavyCallCPU) { [self] in
            demote(after: export)
        }
        let token = CallWatchdog.shared.watch(deadline: .now() + timeout, allowance: allowance) {
            if !expired.exchange(true, ordering: .relaxed) {
                onTimeout?.resume(.failure(timeoutError))
            }
            instance.requestStop()
        }
        let clock = ContinuousClock()
        let start = clock.now
        let (outcome, reusable) = instance.call(export: export, input: input, trace: trace)
        let ran = clock.now - start
        CallWatchdog.shared.finish(token)
        running?.payForCPU(pausing: nil)
        let blocked = running?.blocked ?? true
        lastCalls.withLock { $0[export] = (ran, blocked) }
        let timedOut = expired.load(ordering: .relaxed)
        let result: Result<[UInt8], PluginCallError>
        switch outcome {
        case .success(let output): result = timedOut ? .failure(timeoutError) : .success(output)
        case .failure(.interrupted): result = .failure(timeoutError)
        case .failure(.notImplemented(let missing)): result = failure(.notImplemented(missingExport: missing))
        case .failure(.pluginError(let text)): result = failure(.pluginError(text))
        case .failure(.exitCode(let code)): result = failure(.exitCode(code))
        case .failure(.trap(let text)): result = timedOut ? .failure(timeoutError) : failure(.trap(text))
        }
        if instance.memoryByteCount > instance.snapshotByteCount { raiseMemoryFloor(to: instance.memoryByteCount) }
        if reusable && !timedOut { recycle(instance) }
        return result
    }

    private static let maxMemoryFloorRaises = 3

    /// Instances made since the plugin loaded (the first one included). In steady state a
    /// plugin's calls reuse pooled instances and this stays put.
    public var instantiations: Int { instancesMade.load(ordering: .relaxed) }

    /// A call grew linear memory to `bytes`: its instance cannot be restored to its snapshot, so
    /// new instances start with that much memory (the module's declared minimum raised, within
    /// ``PluginLimits/memoryLimit``). A plugin whose calls need more memory than the module
    /// declares (the Discord plugin reading a long users list) then stops growing memory, and
    /// its instances go back to the pool instead of being made again for every call. A plugin
    /// sees a larger `memory.size` than in Navidrome; allocators that grow from it need not grow.
    /// The floor rises at most ``maxMemoryFloorRaises`` times: memory that grows on every call
    /// whatever its size is not helped by it.
    private func raiseMemoryFloor(to bytes: Int) {
        let page = 65_536
        let pages = UInt64((min(bytes, limits.memoryLimit) + page - 1) / page)
        instanceModule.withLock { current in
            guard pages > current.module.minimumMemoryPages, current.raises < Self.maxMemoryFloorRaises else { return }
            current.raises += 1
            do throws(PluginLoadError) {
                current.module = try Self.compile(
                    package, hostFunctions: hostFunctions, services: services, engine: engine, minimumMemoryPages: pages)
                logger.debug("new instances start with \(pages) pages of memory: a call grew it")
                // Pooled instances would grow again on their next call.
                idle.withLock { $0.removeAll() }
            } catch {
                logger.warning("cannot raise the plugin's initial memory: \(error)")
            }
        }
    }

    private static func compile(
        _ package: PluginPackage, hostFunctions: [String: HostFunction], services: [any HostService], engine: Engine,
        minimumMemoryPages: UInt64 = 0
    ) throws(PluginLoadError) -> CompiledPlugin {
        try CompiledPlugin(
            id: package.id, file: package.path, wasm: package.wasm, hostFunctionNames: Set(hostFunctions.keys),
            services: services, declared: package.manifest.permissions.declared, engine: engine,
            minimumMemoryPages: minimumMemoryPages)
    }

    private func recycle(_ instance: PluginInstance) {
        guard maxIdle > 0, !unloaded.load(ordering: .relaxed) else { return }
        do {
            try instance.restore()
        } catch {
            logger.warning("discarding an instance that could not be restored: \(error)")
            return
        }
        idle.withLock { instances in
            if instances.count < maxIdle { instances.append(instance) }
        }
    }

    private func makeInstance() throws -> PluginInstance {
        let logger = self.logger
        instancesMade.add(1, ordering: .relaxed)
        return try PluginInstance(
            compiled: instanceModule.withLock { $0.module }, engine: engine, config: config, hostFunctions: hostFunctions, limits: limits,
            storageFolder: storageFolder, logSink: { level, message in
                switch level {
                case .trace: logger.trace("\(message)")
                case .debug: logger.debug("\(message)")
                case .info: logger.info("\(message)")
                case .warn: logger.warning("\(message)")
                case .error: logger.error("\(message)")
                }
            })
    }

    /// Marks this load gone: new calls fail with `.pluginUnloaded`, idle instances are dropped.
    func markUnloaded() {
        unloaded.store(true, ordering: .relaxed)
        idle.withLock { $0.removeAll() }
    }

    /// Whether ``markUnloaded()`` was called.
    public var isUnloaded: Bool { unloaded.load(ordering: .relaxed) }
}

/// Resumes a continuation once, from whichever comes first: the call or its deadline.
final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<[UInt8], PluginCallError>, Never>?>

    init(_ continuation: CheckedContinuation<Result<[UInt8], PluginCallError>, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<[UInt8], PluginCallError>) {
        continuation.withLock { $0.take() }?.resume(returning: result)
    }
}
