import ExtismKernel
import Foundation
import Logging
import NavidromeABI
import Synchronization
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
    let executor: CallExecutor

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
        executor = CallExecutor(capacity: max(maxIdle, 4), limits: limits, logger: logger)
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
    /// given, records host calls and log lines. How many calls run at once, in which order
    /// (`precedence`), on which thread and at which priority: see ``CallExecutor``.
    public func call(
        export: String, input: [UInt8], trace: CallTrace? = nil, precedence: CallPrecedence = .urgent
    ) async throws(PluginCallError) -> [UInt8] {
        let timeout = PluginCallError(pluginID: id, export: export, reason: .timeout(limits.callTimeout))
        return try await executor.run(export: export, precedence: precedence, timeoutError: timeout) { [self] in
            callOnInstance(export: export, input: input, trace: trace)
        }.get()
    }

    /// Runs `call` on a pooled or new instance, which goes back to the pool after it unless it
    /// cannot be reused.
    private func callOnInstance(export: String, input: [UInt8], trace: CallTrace?) -> Result<[UInt8], PluginCallError> {
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
        let (outcome, reusable) = instance.call(export: export, input: input, trace: trace)
        if instance.memoryByteCount > instance.snapshotByteCount { raiseMemoryFloor(to: instance.memoryByteCount) }
        if reusable { recycle(instance) }
        return outcome
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
