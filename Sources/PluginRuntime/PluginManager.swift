import Foundation
import Logging
import Synchronization

/// Loads the plugins folder, keeps it in sync while running, and routes calls to the current
/// load of each plugin.
///
/// Every `.ndp` file in the folder is a plugin (id = file name without `.ndp`); it is enabled
/// unless disabled in `<DataFolder>/plugins.json`. A plugin that fails to load is reported with
/// its reason and the others are unaffected. With `AutoReload`, files added, replaced or removed
/// are noticed within a few seconds and just that plugin is reloaded: new calls use the new
/// code, calls already running finish on the old one, callbacks of the old load are dropped.
public final class PluginManager: Sendable {
    public let configuration: PluginHostConfiguration
    private let loader: PluginLoader
    private let logger: Logger
    private let stateStore: PluginStateStore
    private let entries = Mutex<[String: Entry]>([:])
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    /// Serialises loads, unloads and rescans.
    private let syncLock = AsyncLock()

    private struct Entry {
        var status: PluginStatus
        var loaded: LoadedPlugin?
        var fingerprint: FileFingerprint?
    }

    /// Creates a manager; nothing is loaded until ``start()``.
    public init(
        configuration: PluginHostConfiguration, services: [any HostService], users: any UserDirectory,
        logger: Logger
    ) {
        self.configuration = configuration
        self.logger = logger
        loader = PluginLoader(configuration: configuration, services: services, users: users, logger: logger)
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
            let disabled = stateStore.disabled()
            let known = entries.withLock { $0 }
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

    /// Calls `export` of plugin `id` with `input` on a pristine instance.
    public func call(
        plugin id: String, export: String, input: [UInt8], trace: CallTrace? = nil
    ) async throws(PluginCallError) -> [UInt8] {
        guard let loaded = entries.withLock({ $0[id]?.loaded }) else {
            throw PluginCallError(pluginID: id, export: export, reason: .pluginNotLoaded)
        }
        return try await loaded.call(export: export, input: input, trace: trace)
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
        entries.withLock { $0.values.map(\.status) }.sorted { $0.id < $1.id }
    }

    /// The status of plugin `id`, if it is in the folder.
    public func status(of id: String) -> PluginStatus? { entries.withLock { $0[id]?.status } }

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
            let loaded = try loader.load(path: path)
            status.state = .loaded
            status.describe(loaded)
            entries.withLock { $0[id] = Entry(status: status, loaded: loaded, fingerprint: fingerprint) }
            logger.info("plugin loaded", metadata: [
                "plugin": "\(id)", "capabilities": "\(loaded.capabilities.map(\.rawValue).joined(separator: ","))",
            ])
            if loaded.exports("nd_on_init") {
                do {
                    _ = try await loaded.call(export: "nd_on_init", input: Array("{}".utf8))
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
        for service in loader.services { await service.pluginUnloaded(id) }
        logger.info("plugin unloaded", metadata: ["plugin": "\(id)"])
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
    public var capabilities: [String] = []

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
    }

    mutating func describe(_ loaded: LoadedPlugin) {
        describe(loaded.package)
        capabilities = loaded.capabilities.map(\.rawValue)
    }
}

/// `<DataFolder>/plugins.json`: which plugins the operator disabled (`{"disabled": [ids]}`).
public struct PluginStateStore: Sendable {
    public let file: String

    public init(dataFolder: String) {
        file = (dataFolder as NSString).appendingPathComponent("plugins.json")
    }

    private struct Contents: Codable {
        var disabled: [String]
    }

    /// Ids of disabled plugins.
    public func disabled() -> Set<String> {
        guard let data = FileManager.default.contents(atPath: file),
            let contents = try? JSONDecoder().decode(Contents.self, from: data)
        else { return [] }
        return Set(contents.disabled)
    }

    /// Records plugin `id` as disabled or enabled.
    public func setDisabled(_ id: String, _ isDisabled: Bool) throws {
        var set = disabled()
        if isDisabled { set.insert(id) } else { set.remove(id) }
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Contents(disabled: set.sorted())).write(to: URL(fileURLWithPath: file), options: .atomic)
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
