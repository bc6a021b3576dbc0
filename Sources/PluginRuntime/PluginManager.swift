import Foundation
import Logging
import NavidromeABI
import Synchronization
import TonearmJSON

/// Loads the plugins folder, keeps it in sync while running, and routes calls to the current
/// load of each plugin.
///
/// Every `.ndp` file in the folder is a plugin (id = file name without `.ndp`); it is enabled
/// unless disabled in `<DataFolder>/plugins.json`. While that file exists but cannot be read, no
/// plugin is started (one the operator disabled must not come back): each is reported as failed
/// with the reason, and plugins already running are left as they are. A plugin that fails to load is reported with
/// its reason and the others are unaffected. With `AutoReload`, files added, replaced or removed
/// are noticed within a few seconds and just that plugin is reloaded: new calls use the new
/// code, calls already running finish on the old one, callbacks of the old load are dropped.
public final class PluginManager: Sendable {
    /// The configuration plugins load with now (``reconfigure(_:settings:options:)`` changes it).
    public var configuration: PluginHostConfiguration { loader.withLock { $0.configuration } }
    private let loader: Mutex<PluginLoader>
    private let logger: Logger
    private let stateStore: PluginStateStore
    private let entries = Mutex<[String: Entry]>([:])
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    /// Serialises loads, unloads and rescans.
    private let syncLock = AsyncLock()
    /// The last `plugins.json` problem logged (logged once, not at every rescan).
    private let stateProblem = Mutex<String?>(nil)

    private struct Entry {
        var status: PluginStatus
        var loaded: LoadedPlugin?
        var fingerprint: FileFingerprint?

        /// The status with the loaded plugin's counters as they are now.
        var liveStatus: PluginStatus {
            var live = status
            live.instantiations = loaded?.instantiations
            return live
        }
    }

    /// Creates a manager; nothing is loaded until ``start()``.
    public init(
        configuration: PluginHostConfiguration, services: [any HostService], users: any UserDirectory,
        logger: Logger
    ) {
        self.logger = logger
        loader = Mutex(PluginLoader(configuration: configuration, services: services, users: users, logger: logger))
        stateStore = PluginStateStore(dataFolder: configuration.dataFolder)
    }

    /// Loads every plugin in the folder and, with `AutoReload`, starts watching it.
    public func start() async {
        await rescan()
        guard configuration.autoReload else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                guard let self, !Task.isCancelled else { return }
                await self.rescan()
            }
        }
        watcher.withLock { $0 = task }
    }

    /// Stops watching and unloads every plugin.
    public func shutdown() async {
        watcher.withLock { $0.take() }?.cancel()
        await syncLock.run {
            let ids = entries.withLock { Array($0.keys) }
            for id in ids { await unload(id, removeEntry: true) }
        }
    }

    /// Compares the folder with what is loaded: loads new files, reloads changed ones, unloads
    /// removed ones.
    public func rescan() async {
        await syncLock.run {
            let files = Self.packageFiles(in: configuration.pluginsFolder)
            let known = entries.withLock { $0 }
            let disabled: Set<String>
            do throws(PluginStateError) {
                disabled = try stateStore.disabled()
            } catch {
                refuseToStart(files: files, known: known, because: error)
                return
            }
            stateProblem.withLock { $0 = nil }
            for (id, path) in files.sorted(by: { $0.key < $1.key }) {
                let fingerprint = FileFingerprint(path: path)
                let entry = known[id]
                let wantEnabled = !disabled.contains(id)
                if let entry, entry.fingerprint == fingerprint, entry.status.enabled == wantEnabled { continue }
                if entry != nil { await unload(id, removeEntry: false) }
                await load(id: id, path: path, fingerprint: fingerprint, enabled: wantEnabled)
            }
            for id in known.keys where files[id] == nil {
                logger.info("plugin removed", metadata: ["plugin": "\(id)"])
                await unload(id, removeEntry: true)
            }
        }
    }

    /// `plugins.json` is unreadable: plugins not yet known are recorded as failed with the
    /// reason; nothing is loaded or unloaded.
    private func refuseToStart(files: [String: String], known: [String: Entry], because error: PluginStateError) {
        let reason = "\(error); no plugin is started until it is fixed or removed (it lists the plugins the operator disabled)"
        let isNew = stateProblem.withLock { last -> Bool in
            defer { last = reason }
            return last != reason
        }
        if isNew { logger.error("cannot read the plugin state", metadata: ["error": "\(reason)"]) }
        entries.withLock { entries in
            for (id, path) in files where known[id] == nil {
                var status = PluginStatus(id: id, file: path)
                status.enabled = false
                status.state = .failed
                status.lastError = reason
                entries[id] = Entry(status: status, loaded: nil, fingerprint: nil)
            }
        }
    }

    /// Calls `export` of plugin `id` with `input` on a pristine instance (see
    /// ``LoadedPlugin/call(export:input:trace:precedence:)``).
    public func call(
        plugin id: String, export: String, input: [UInt8], trace: CallTrace? = nil, precedence: CallPrecedence = .urgent
    ) async throws(PluginCallError) -> [UInt8] {
        guard let loaded = entries.withLock({ $0[id]?.loaded }) else {
            throw PluginCallError(pluginID: id, export: export, reason: .pluginNotLoaded)
        }
        return try await loaded.call(export: export, input: input, trace: trace, precedence: precedence)
    }

    /// Ids of loaded plugins with `capability`, sorted.
    public func plugins(withCapability capability: PluginCapability) -> [String] {
        entries.withLock { entries in
            entries.values.compactMap { $0.loaded?.capabilities.contains(capability) == true ? $0.status.id : nil }
        }.sorted()
    }

    /// The current load of plugin `id`, if loaded.
    public func loadedPlugin(_ id: String) -> LoadedPlugin? { entries.withLock { $0[id]?.loaded } }

    /// Every plugin found in the folder, sorted by id.
    public func statuses() -> [PluginStatus] {
        entries.withLock { $0.values.map(\.liveStatus) }.sorted { $0.id < $1.id }
    }

    /// The status of plugin `id`, if it is in the folder.
    public func status(of id: String) -> PluginStatus? { entries.withLock { $0[id]?.liveStatus } }

    /// Gives plugin `id` new settings (`[PluginSettings.<id>]`) and options (`[Plugins.<id>]`)
    /// and loads it again with them (a disabled plugin keeps them for when it is enabled).
    public func reconfigure(_ id: String, settings: [String: JSONValue], options: PluginOptions) async {
        loader.withLock { loader in
            loader.configuration.pluginSettings[id] = settings
            loader.configuration.plugins[id] = options
        }
        await reload(id)
    }

    /// Loads plugin `id` again from its file (a no-op for a disabled or unknown plugin).
    public func reload(_ id: String) async {
        await syncLock.run {
            guard let entry = entries.withLock({ $0[id] }), entry.status.enabled else { return }
            await unload(id, removeEntry: false)
            await load(id: id, path: entry.status.file, fingerprint: FileFingerprint(path: entry.status.file), enabled: true)
        }
    }

    /// Enables or disables plugin `id`, persisting the choice in `<DataFolder>/plugins.json`.
    public func setEnabled(_ id: String, _ enabled: Bool) async throws {
        try stateStore.setDisabled(id, !enabled)
        await rescan()
    }

    private func load(id: String, path: String, fingerprint: FileFingerprint?, enabled: Bool) async {
        var status = PluginStatus(id: id, file: path)
        status.enabled = enabled
        guard enabled else {
            status.state = .disabled
            entries.withLock { $0[id] = Entry(status: status, loaded: nil, fingerprint: fingerprint) }
            return
        }
        do {
            let current = loader.withLock { $0 }
            let loaded = try await Self.offThePool { Result { () throws(PluginLoadError) in try current.load(path: path) } }.get()
            status.state = .loaded
            status.describe(loaded)
            entries.withLock { $0[id] = Entry(status: status, loaded: loaded, fingerprint: fingerprint) }
            logger.info("plugin loaded", metadata: [
                "plugin": "\(id)", "capabilities": "\(loaded.capabilities.map(\.rawValue).joined(separator: ","))",
            ])
            if loaded.exports(LifecycleCapability.onInit) {
                do {
                    _ = try await loaded.call(export: LifecycleCapability.onInit, input: Array("{}".utf8))
                } catch {
                    logger.error("nd_on_init failed", metadata: ["plugin": "\(id)", "error": "\(error)"])
                }
            }
        } catch {
            status.state = .failed
            status.lastError = error.reason
            if let package = try? PluginPackage(contentsOf: path) { status.describe(package) }
            entries.withLock { $0[id] = Entry(status: status, loaded: nil, fingerprint: fingerprint) }
            logger.error("plugin failed to load", metadata: ["plugin": "\(id)", "error": "\(error.reason)"])
        }
    }

    private func unload(_ id: String, removeEntry: Bool) async {
        let loaded = entries.withLock { entries in
            let loaded = entries[id]?.loaded
            if removeEntry { entries[id] = nil } else { entries[id]?.loaded = nil }
            return loaded
        }
        guard let loaded else { return }
        loaded.markUnloaded()
        for service in loader.withLock({ $0.services }) { await service.pluginUnloaded(id) }
        logger.info("plugin unloaded", metadata: ["plugin": "\(id)"])
    }

    /// Checks the package at `path` as `tonearm plugin validate` does (users need not be
    /// assigned yet), on a call thread.
    public func validate(path: String) async -> PluginValidation {
        let validator = loader.withLock { loader in
            var validator = loader
            validator.requireAssignedUsers = false
            return validator
        }
        return await Self.offThePool { validator.validate(path: path) }
    }

    /// Runs `work` (a load: compiling and instantiating within the call deadline, or a
    /// validation) on a call thread, so that it does not hold a thread of the Swift concurrency
    /// pool.
    private static func offThePool<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { (continuation: CheckedContinuation<Value, Never>) in
            CallThreads.shared.run { _ in
                let value = work()
                return { continuation.resume(returning: value) }
            }
        }
    }

    /// `.ndp` files in `folder`, by plugin id.
    static func packageFiles(in folder: String) -> [String: String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [:] }
        var files: [String: String] = [:]
        for name in names where name.hasSuffix(".ndp") {
            let path = (folder as NSString).appendingPathComponent(name)
            if let id = try? PluginPackage.pluginID(forFile: path) { files[id] = path }
        }
        return files
    }
}

/// What `/api/status` and `tonearm plugin list` show about a plugin.
public struct PluginStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case loaded, disabled, failed
    }

    public let id: String
    public let file: String
    public var enabled = true
    public var state: State = .disabled
    /// Why the last load failed.
    public var lastError: String?
    public var name: String?
    public var version: String?
    public var author: String?
    public var description: String?
    public var permissions: [String] = []
    /// Why the plugin asks for each permission (the manifest's `reason`s).
    public var permissionReasons: [String: String]?
    public var capabilities: [String] = []
    /// Instances of the loaded plugin made since it loaded (steady state: no new ones).
    public var instantiations: Int?

    init(id: String, file: String) {
        self.id = id
        self.file = file
    }

    mutating func describe(_ package: PluginPackage) {
        name = package.manifest.name
        version = package.manifest.version
        author = package.manifest.author
        description = package.manifest.description
        permissions = package.manifest.permissions.declared.sorted()
        permissionReasons = package.manifest.permissions.reasons
    }

    mutating func describe(_ loaded: LoadedPlugin) {
        describe(loaded.package)
        capabilities = loaded.capabilities.map(\.rawValue)
    }
}

/// A FIFO async mutex.
final class AsyncLock: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func run<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let acquired = state.withLock { state -> Bool in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.locked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
