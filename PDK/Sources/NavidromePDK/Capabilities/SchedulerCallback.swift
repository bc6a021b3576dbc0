/// The SchedulerCallback capability: runs when a schedule made with ``SchedulerService`` fires.
/// Navidrome requires this export when the manifest declares the `scheduler` permission.
///
/// ```swift
/// @_expose(wasm, "nd_scheduler_callback") @_cdecl("nd_scheduler_callback")
/// func onSchedule() -> Int32 { MyPlugin.ndSchedulerCallback() }
/// ```
public protocol SchedulerCallback {
    init()
    func onCallback(_ request: SchedulerCallbackRequest) throws(PluginError)
}

extension SchedulerCallback {
    /// Body of the `nd_scheduler_callback` export.
    public static func ndSchedulerCallback() -> Int32 {
        ExportCall.run(SchedulerCallbackRequest.self) { (r) throws(PluginError) -> [UInt8]? in try Self().onCallback(r); return nil }
    }
}
