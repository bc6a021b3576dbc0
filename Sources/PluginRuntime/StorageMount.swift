import ExtismKernel
import Foundation
import WasmKit
import WASI
import WasmKitWASI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Navidrome's Storage for one plugin instance: the plugin's private folder,
/// `<DataFolder>/plugins/<id>/storage`, mounted read-write at `/storage` (WASI preopen, fd 3)
/// and reached through WASI's file functions (`fd_*`, `path_*`), as Navidrome mounts it for a
/// plugin with the `storage` permission. Paths cannot leave the folder (WasmKit's WASI resolves
/// them beneath the preopened directory).
///
/// A fresh WASI bridge serves each call and is closed when the call ends (``endCall()``), so
/// files a plugin leaves open are closed, and no descriptor outlives its call or refers to state
/// a restored instance no longer has. Standard input, output and error are `/dev/null`.
package final class StorageMount: @unchecked Sendable {
    // One call at a time uses an instance, and so its mount.
    package static let guestPath = "/storage"

    /// The host folder behind `/storage`.
    let hostPath: String
    private var bridge: WASIBridgeToHost?
    private var implementations: [String: (Memory, [Value]) throws -> [Value]] = [:]

    init(hostPath: String) {
        self.hostPath = hostPath
    }

    deinit { endCall() }

    /// The folder of plugin `id`'s storage below `dataFolder`, created (mode 0700) when missing.
    static func folder(dataFolder: String, pluginID: String) throws -> String {
        let folder = URL(fileURLWithPath: dataFolder).standardizedFileURL
            .appendingPathComponent("plugins").appendingPathComponent(pluginID).appendingPathComponent("storage")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder.path
    }

    /// The import `name` with type `type` when the mount serves it: a WASI file function
    /// imported with its preview 1 signature. Other WASI imports keep ``WASIPreview1``.
    func function(named name: String, type: FunctionType, store: Store) -> Function? {
        guard Self.isFileFunction(name), Self.fileFunctionTypes[name] == type else { return nil }
        return Function(store: store, type: type) { [self] caller, arguments in
            guard let memory = caller.instance?.exports[memory: SnapshotExports.memoryName] else {
                throw KernelError.message("\(name): the plugin has no memory")
            }
            return try implementation(name)(memory, arguments)
        }
    }

    /// Closes the call's bridge and every descriptor it opened.
    func endCall() {
        guard let bridge else { return }
        try? bridge.close()
        self.bridge = nil
        implementations = [:]
    }

    private func implementation(_ name: String) throws -> (Memory, [Value]) throws -> [Value] {
        if bridge == nil {
            let opened = try WASIBridgeToHost(
                args: [], environment: [:], preopens: [.init(guestPath: Self.guestPath, hostPath: hostPath)],
                stdin: Self.devNull, stdout: Self.devNull, stderr: Self.devNull)
            bridge = opened
            implementations = opened.hostFunctions(capabilities: WASICapability.all).mapValues(\.implementation)
        }
        guard let body = implementations[name] else { throw KernelError.message("\(name): no such WASI function") }
        return body
    }

    /// `/dev/null`, shared by every bridge as standard input, output and error (bridges borrow
    /// their standard descriptors and never close them).
    private static let devNull: CInt = open("/dev/null", O_RDWR)

    /// Whether `name` is one of WASI's file functions, which the mount serves.
    private static func isFileFunction(_ name: String) -> Bool { name.hasPrefix("fd_") || name.hasPrefix("path_") }

    /// The preview 1 signatures of WASI's file functions.
    private static let fileFunctionTypes: [String: FunctionType] = {
        guard let probe = try? WASIBridgeToHost(stdin: devNull, stdout: devNull, stderr: devNull) else { return [:] }
        defer { try? probe.close() }
        return probe.hostFunctions(capabilities: WASICapability.all)
            .filter { isFileFunction($0.key) }
            .mapValues(\.type)
    }()
}
