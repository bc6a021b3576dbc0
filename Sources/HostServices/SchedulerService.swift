import Foundation
import Logging
import NavidromeABI
import PluginRuntime
import Synchronization

/// Navidrome's Scheduler service: one-time and recurring schedules per plugin
/// (`scheduler_scheduleonetime`, `scheduler_schedulerecurring`, `scheduler_cancelschedule`),
/// firing `nd_scheduler_callback {scheduleId, payload, isRecurring}` on fresh instances.
///
/// Ids are caller-chosen or random; one-time and recurring share one namespace per plugin and
/// a live duplicate is rejected. A one-time entry is removed after its callback returns. A
/// recurring schedule skips a tick while its previous callback still runs, so slow callbacks
/// never pile up (Navidrome has no such protection). Schedules of an unloaded plugin are dropped.
/// A plugin holds at most ``HostServiceLimits/maxSchedules`` live schedules.
public final class SchedulerService: HostService {
    public let permission: String? = "scheduler"
    public let functionPrefix = "scheduler"

    static let callback = SchedulerCallbackCapability.onCallback

    private final class Entry: Sendable {
        let recurring: Bool
        /// When a one-time schedule fires.
        let due: Date?
        let running = Atomic<Bool>(false)
        /// Stops the schedule: cancels its timer or its task.
        let stop = Mutex<(@Sendable () -> Void)?>(nil)
        init(recurring: Bool, due: Date? = nil) {
            self.recurring = recurring
            self.due = due
        }
    }

    /// Plugin id → schedule id → entry.
    private let registry = Mutex<[String: [String: Entry]]>([:])
    /// Fires the one-time schedules.
    private let timer = ScheduleTimer()
    private let timeZone: TimeZone
    private let maxSchedules: Int

    /// - Parameters:
    ///   - timeZone: zone of cron expressions without a `TZ=` prefix.
    ///   - pluginLimits: live schedules per plugin (``HostServiceLimits/maxSchedules``).
    public init(timeZone: TimeZone = .current, pluginLimits: HostServiceLimits = HostServiceLimits()) {
        self.timeZone = timeZone
        self.maxSchedules = pluginLimits.maxSchedules
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        hostFunctions(
            hostFunction(SchedulerScheduleOneTimeRequest.self) { [self] r in
                let id = try scheduleOneTime(plugin, id: r.scheduleId, delaySeconds: r.delaySeconds, payload: r.payload)
                return SchedulerScheduleOneTimeResponse(newScheduleId: id)
            },
            hostFunction(SchedulerScheduleRecurringRequest.self) { [self] r in
                let schedule = try CronSchedule(r.cronExpression, timeZone: timeZone)
                let id = try scheduleRecurring(plugin, id: r.scheduleId, schedule: schedule, payload: r.payload)
                return SchedulerScheduleRecurringResponse(newScheduleId: id)
            },
            hostFunction(SchedulerCancelScheduleRequest.self) { [self] r in
                let entry = registry.withLock { $0[plugin.id]?.removeValue(forKey: r.scheduleId) }
                guard let entry else { throw HostServiceError("schedule ID \"\(r.scheduleId)\" not found") }
                entry.stop.withLock { $0?() }
                return SchedulerCancelScheduleResponse()
            }
        )
    }

    /// Drops and cancels every schedule of the plugin.
    public func pluginUnloaded(_ pluginID: String) async {
        let entries = registry.withLock { $0.removeValue(forKey: pluginID) ?? [:] }
        for entry in entries.values { entry.stop.withLock { $0?() } }
    }

    /// When the one-time schedule `id` of plugin `pluginID` fires; nil when there is none (the
    /// console shows when a plugin retries).
    public func dueDate(of pluginID: String, schedule id: String) -> Date? {
        registry.withLock { $0[pluginID]?[id]?.due }
    }

    /// Live schedule ids of a plugin (for tests and diagnostics).
    func scheduleIDs(of pluginID: String) -> [String] {
        registry.withLock { Array(($0[pluginID] ?? [:]).keys).sorted() }
    }

    private func register(_ pluginID: String, _ requestedID: String, _ entry: Entry) throws -> String {
        let id = requestedID.isEmpty ? randomBase62ID() : requestedID
        try registry.withLock { registry in
            if registry[pluginID]?[id] != nil { throw HostServiceError("schedule ID \"\(id)\" already exists") }
            guard (registry[pluginID]?.count ?? 0) < maxSchedules else {
                throw HostServiceError(
                    "too many schedules: a plugin may hold at most \(maxSchedules) (cancel one or let a one-time schedule fire first)")
            }
            registry[pluginID, default: [:]][id] = entry
        }
        return id
    }

    private func isLive(_ pluginID: String, _ id: String, _ entry: Entry) -> Bool {
        registry.withLock { $0[pluginID]?[id] === entry }
    }

    private func scheduleOneTime(_ plugin: PluginContext, id requestedID: String, delaySeconds: Int32, payload: String) throws -> String {
        let entry = Entry(recurring: false, due: Date().addingTimeInterval(Double(max(0, delaySeconds))))
        let id = try register(plugin.id, requestedID, entry)
        let token = timer.add(after: .seconds(Int(delaySeconds))) { [self] in
            Task { [self] in
                guard isLive(plugin.id, id, entry) else { return }
                await Self.fire(plugin, id: id, payload: payload, recurring: false)
                // Removed only after the callback returns, as in Navidrome.
                registry.withLock { registry in
                    if registry[plugin.id]?[id] === entry { registry[plugin.id]?[id] = nil }
                }
            }
        }
        entry.stop.withLock { [timer] in $0 = { timer.cancel(token) } }
        return id
    }

    private func scheduleRecurring(_ plugin: PluginContext, id requestedID: String, schedule: CronSchedule, payload: String) throws -> String {
        let entry = Entry(recurring: true)
        let id = try register(plugin.id, requestedID, entry)
        let task = Task { [self] in
            var after = Date()
            while let next = schedule.next(after: after) {
                let wait = next.timeIntervalSinceNow
                if wait > 0 {
                    do { try await Task.sleep(for: .milliseconds(Int64((wait * 1000).rounded(.up)))) } catch { return }
                }
                after = next
                guard isLive(plugin.id, id, entry) else { return }
                // Skip this tick while the previous run is still going.
                guard entry.running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
                else {
                    plugin.logger.debug("schedule \(id): previous callback still running, tick skipped")
                    continue
                }
                Task {
                    await Self.fire(plugin, id: id, payload: payload, recurring: true)
                    entry.running.store(false, ordering: .releasing)
                }
            }
            plugin.logger.warning("schedule \(id) has no further activation")
        }
        entry.stop.withLock { $0 = { task.cancel() } }
        return id
    }

    private static func fire(_ plugin: PluginContext, id: String, payload: String, recurring: Bool) async {
        let input = SchedulerCallbackRequest(scheduleId: id, payload: payload, isRecurring: recurring).goJSONBytes()
        // An unstructured task, so that cancelling the schedule never aborts a running callback.
        await Task {
            do {
                _ = try await plugin.callbacks.call(export: callback, input: input)
            } catch {
                plugin.logger.error("scheduler callback for \(id) failed: \(error)")
            }
        }.value
    }
}
