import Foundation
import Logging
import Synchronization
import WasmKit

/// Turns a `.ndp` file into a ``LoadedPlugin``: package and manifest checks, settings validated
/// against the manifest's config schema, host functions of the permitted services, compilation,
/// import resolution and a first instance.
public struct PluginLoader: Sendable {
    public var configuration: PluginHostConfiguration
    public let services: [any HostService]
    public let users: any UserDirectory
    public let logger: Logger
    /// Refuse plugins declaring `users` with nobody assigned, as Navidrome's enable gate does.
    public var requireAssignedUsers: Bool
    /// Warm instances kept per plugin (see ``PluginLimits/poolSize``).
    public var poolSize: Int?
    /// Overrides ``PluginLimits/inlineCallLimit``.
    public var inlineCallLimit: Duration?
    let engine: Engine

    public init(
        configuration: PluginHostConfiguration, services: [any HostService], users: any UserDirectory,
        logger: Logger, requireAssignedUsers: Bool = true
    ) {
        self.init(
            configuration: configuration, services: services, users: users, logger: logger,
            requireAssignedUsers: requireAssignedUsers, engine: Self.engineConfiguration)
    }

    /// A loader whose plugins run on a WasmKit engine configured as `engine` says (with fuel
    /// metering, which deadlines need), for benchmarks comparing configurations.
    @_spi(Benchmarks) public init(
        configuration: PluginHostConfiguration, services: [any HostService], users: any UserDirectory,
        logger: Logger, requireAssignedUsers: Bool = true, engine: EngineConfiguration
    ) {
        self.configuration = configuration
        self.services = services
        self.users = users
        self.logger = logger
        self.requireAssignedUsers = requireAssignedUsers
        var engine = engine
        engine.fuelMetering = true
        self.engine = Engine(configuration: engine)
    }

    /// WasmKit's defaults (direct-threaded interpreter, lazy translation, 512 KiB interpreter
    /// stack, memory bounds checked by guard pages where available) with fuel metering: the
    /// alternatives were no faster in the steady state (`Benchmarks/README.md`, "WasmKit
    /// configurations").
    @_spi(Benchmarks) public static let engineConfiguration = EngineConfiguration(fuelMetering: true)

    /// The limits from the configuration.
    public var limits: PluginLimits {
        var limits = PluginLimits(callTimeout: configuration.callTimeout, memoryLimit: configuration.memoryLimit)
        limits.poolSize = poolSize
        limits.heavyCallCPU = configuration.heavyCallCPU
        if let inlineCallLimit { limits.inlineCallLimit = inlineCallLimit }
        return limits
    }

    /// Loads the package at `path`. `callbacks` resolves the plugin's own callbacks (WebSocket,
    /// scheduler) to this load once it exists.
    public func load(path: String) throws(PluginLoadError) -> LoadedPlugin {
        let package = try PluginPackage(contentsOf: path)
        let id = package.id
        let options = configuration.options(for: id)
        let config = try settings(for: package)
        let access = PluginAccess(
            allUsers: options.allUsers, users: options.users, allowAdmins: options.allowAdmins, directory: users)
        let permissions = package.manifest.permissions
        if requireAssignedUsers && permissions.declares("users") && !options.allUsers && options.users.isEmpty {
            throw PluginLoadError(
                pluginID: id, file: path,
                reason: "the plugin declares the \"users\" permission but no users are assigned; set Users or AllUsers in [Plugins.\(id)]")
        }
        var pluginLogger = logger
        pluginLogger[metadataKey: "plugin"] = "\(id)"
        let target = CallbackTarget(id: id)
        let context = PluginContext(
            id: id, permissions: permissions, config: config, access: access, extraHosts: options.extraHosts,
            callbacks: target, logger: pluginLogger)
        var functions: [String: HostFunction] = [:]
        for service in services where service.permission.map(permissions.declares) ?? true {
            functions.merge(service.functions(for: context)) { first, _ in first }
        }
        var storageFolder: String?
        if permissions.declares("storage") {
            do {
                storageFolder = try StorageMount.folder(dataFolder: configuration.dataFolder, pluginID: id)
            } catch {
                throw PluginLoadError(pluginID: id, file: path, reason: "cannot create the plugin's storage folder: \(error.localizedDescription)")
            }
        }
        let loaded = try LoadedPlugin(
            package: package, context: context, hostFunctions: functions, services: services, limits: limits,
            engine: engine, logger: pluginLogger, storageFolder: storageFolder)
        target.attach(loaded)
        return loaded
    }

    /// The plugin's `[PluginSettings.<id>]`, validated against its config schema (keys matched
    /// case-insensitively, defaults applied) and flattened to strings.
    public func settings(for package: PluginPackage) throws(PluginLoadError) -> [String: String] {
        let raw = configuration.pluginSettings[package.id] ?? [:]
        guard let schema = package.manifest.configSchema else { return ConfigSchema.flatten(raw) }
        do {
            return ConfigSchema.flatten(try schema.validate(raw))
        } catch {
            let problems = error.problems.map { "PluginSettings.\(package.id).\($0)" }
            throw PluginLoadError(pluginID: package.id, file: package.path,
                                  reason: "invalid settings: " + problems.joined(separator: "; "))
        }
    }
}

/// The ``PluginCallbacks`` of one load: calls go to that load only; once it is unloaded they
/// fail with `.pluginUnloaded`.
final class CallbackTarget: PluginCallbacks {
    private struct WeakPlugin: @unchecked Sendable {
        weak var value: LoadedPlugin?
    }

    private let id: String
    private let plugin = Mutex(WeakPlugin())

    init(id: String) { self.id = id }

    func attach(_ loaded: LoadedPlugin) { plugin.withLock { $0.value = loaded } }

    func call(export: String, input: [UInt8]) async throws -> [UInt8] {
        guard let loaded = plugin.withLock({ $0.value }), !loaded.isUnloaded else {
            throw PluginCallError(pluginID: id, export: export, reason: .pluginUnloaded)
        }
        return try await loaded.call(export: export, input: input)
    }

    func exports(_ export: String) -> Bool {
        plugin.withLock { $0.value }?.exports(export) ?? false
    }
}
