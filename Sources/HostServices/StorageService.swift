import NavidromeABI
import PluginRuntime

/// Navidrome's Storage service (`storage_getstoragepath`; permission `storage`): the path of
/// the plugin's private folder inside its sandbox, `/storage`. The folder itself,
/// `<DataFolder>/plugins/<id>/storage`, is created when the plugin loads and mounted through
/// WASI's file functions (PluginRuntime's `StorageMount`).
public struct StorageService: HostService {
    public let permission: String? = "storage"
    public let functionPrefix = "storage"

    public init() {}

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        hostFunctions(
            hostFunction(StorageGetStoragePathRequest.self) { _ in
                StorageGetStoragePathResponse(result: StorageMount.guestPath)
            }
        )
    }

    public func pluginUnloaded(_ pluginID: String) async {}
}
