@_extern(wasm, module: "extism:host/user", name: "scheduler_scheduleonetime") @_extern(c, "nd_host_scheduler_scheduleonetime")
func nd_host_scheduler_scheduleonetime(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "scheduler_schedulerecurring") @_extern(c, "nd_host_scheduler_schedulerecurring")
func nd_host_scheduler_schedulerecurring(_ request: Int64) -> Int64
@_extern(wasm, module: "extism:host/user", name: "scheduler_cancelschedule") @_extern(c, "nd_host_scheduler_cancelschedule")
func nd_host_scheduler_cancelschedule(_ request: Int64) -> Int64

/// Navidrome's Scheduler service (permission `scheduler`); schedules fire the
/// ``SchedulerCallback`` capability. Ids are per plugin; a duplicate id is an error.
public enum SchedulerService {
    /// Runs the callback once after `delaySeconds` (≤ 0: at once). Returns the schedule id
    /// (the host picks one when `scheduleId` is empty).
    public static func scheduleOneTime(delaySeconds: Int32, payload: String = "", scheduleId: String = "") throws(PluginError) -> String {
        var req = JSONObjectWriter()
        req.set("delaySeconds", delaySeconds)
        req.set("payload", payload)
        req.set("scheduleId", scheduleId)
        let r = try HostCall.call("scheduler_scheduleonetime", nd_host_scheduler_scheduleonetime, req)
        return try HostCall.read("scheduler_scheduleonetime") { () throws(JSONError) -> String in try r.string("newScheduleId") }
    }

    /// Runs the callback on a cron schedule (5 or 6 fields, `@every 41s`, `@hourly`, …).
    public static func scheduleRecurring(cronExpression: String, payload: String = "", scheduleId: String = "") throws(PluginError) -> String {
        var req = JSONObjectWriter()
        req.set("cronExpression", cronExpression)
        req.set("payload", payload)
        req.set("scheduleId", scheduleId)
        let r = try HostCall.call("scheduler_schedulerecurring", nd_host_scheduler_schedulerecurring, req)
        return try HostCall.read("scheduler_schedulerecurring") { () throws(JSONError) -> String in try r.string("newScheduleId") }
    }

    /// Cancels a schedule; an unknown id is an error.
    public static func cancelSchedule(_ scheduleId: String) throws(PluginError) {
        var req = JSONObjectWriter()
        req.set("scheduleId", scheduleId)
        _ = try HostCall.call("scheduler_cancelschedule", nd_host_scheduler_cancelschedule, req)
    }
}
