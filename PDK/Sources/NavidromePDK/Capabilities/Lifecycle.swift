/// The Lifecycle capability: `nd_on_init` runs once after each load (and reload after a
/// configuration change). Errors are logged by Navidrome; the plugin still loads.
///
/// ```swift
/// @_expose(wasm, "nd_on_init") @_cdecl("nd_on_init")
/// func onInit() -> Int32 { MyPlugin.ndOnInit() }
/// ```
public protocol Lifecycle {
    init()
    func onInit() throws(PluginError)
}

extension Lifecycle {
    /// Body of the `nd_on_init` export (any input is accepted).
    public static func ndOnInit() -> Int32 {
        do {
            try Self().onInit()
            return 0
        } catch {
            return ExportCall.fail(error)
        }
    }
}
