import NavidromeJSON
import NavidromePDK

/// The in-memory scheduler service (`scheduler_*`): schedules are recorded, never fired on
/// their own; a test fires one with ``fire(_:to:)``. Scheduling an id in use fails, as in
/// Navidrome; cancelling an unknown id fails.
public struct TestScheduler: Sendable {
    let host: TestHost

    /// A one-time or recurring schedule the plugin made.
    public struct Schedule: Sendable, Equatable {
        public var id: String
        public var payload: String
        /// One-time schedules: the delay asked for, in seconds.
        public var delaySeconds: Int32
        /// One-time schedules: when it is due (Unix ms on the host clock at scheduling + delay).
        public var dueAtMs: Int64?
        /// Recurring schedules: the cron expression (e.g. `@every 30s`).
        public var cronExpression: String?

        public var isRecurring: Bool { cronExpression != nil }
    }

    /// The active schedules, in the order they were made.
    public var schedules: [Schedule] {
        host.withState { $0.schedules }
    }

    /// The active schedule with `id`.
    public func schedule(_ id: String) -> Schedule? {
        schedules.first { $0.id == id }
    }

    /// Fires the schedule `id` as the host would: calls the plugin's scheduler callback export
    /// (e.g. `MyPlugin.ndSchedulerCallback`) with its payload; a one-time schedule is removed
    /// first. `nil` when there is no such schedule.
    @discardableResult
    public func fire(_ id: String, to export: () -> Int32) -> CallResult? {
        let found: Schedule? = host.withState { state in
            guard let index = state.schedules.firstIndex(where: { $0.id == id }) else { return nil }
            let schedule = state.schedules[index]
            if !schedule.isRecurring { state.schedules.remove(at: index) }
            return schedule
        }
        guard let found else { return nil }
        return host.call(export, SchedulerCallbackRequest(scheduleId: found.id, payload: found.payload, isRecurring: found.isRecurring))
    }
}

extension HostState {
    mutating func handleScheduler(_ function: String, _ request: JSONObjectReader, _ response: inout JSONObjectWriter) throws {
        switch function {
        case "scheduler_scheduleonetime", "scheduler_schedulerecurring":
            var id = try request.string("scheduleId")
            if id.isEmpty {
                scheduleCount += 1
                id = "schedule-\(scheduleCount)"
            }
            var schedule = TestScheduler.Schedule(id: id, payload: try request.string("payload"), delaySeconds: 0)
            if function == "scheduler_scheduleonetime" {
                schedule.delaySeconds = try request.int32("delaySeconds")
                schedule.dueAtMs = nowMs + Int64(schedule.delaySeconds) * 1000
            } else {
                schedule.cronExpression = try request.string("cronExpression")
            }
            // As in Navidrome, an id in use is refused (plugins use this as a lock).
            guard !schedules.contains(where: { $0.id == id }) else {
                throw HostError("schedule ID \"\(id)\" already exists")
            }
            schedules.append(schedule)
            response.set("newScheduleId", id, omitEmpty: true)
        case "scheduler_cancelschedule":
            let id = try request.string("scheduleId")
            guard let index = schedules.firstIndex(where: { $0.id == id }) else {
                throw HostError("schedule ID \"\(id)\" not found")
            }
            schedules.remove(at: index)
        default:
            throw HostError.noAnswer(function)
        }
    }
}
