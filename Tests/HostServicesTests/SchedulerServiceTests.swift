import Foundation
import PluginRuntime
import Testing

@testable import HostServices

@Suite(.timeLimit(.minutes(1))) struct CronScheduleTests {
    let utc = TimeZone(identifier: "UTC")!

    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    func next(_ expression: String, after: String) throws -> String? {
        try CronSchedule(expression, timeZone: utc).next(after: date(after)).map { ISO8601DateFormatter().string(from: $0) }
    }

    @Test func fieldForms() throws {
        #expect(try next("*/15 * * * *", after: "2026-01-01T10:07:30Z") == "2026-01-01T10:15:00Z")
        #expect(try next("30 */10 * * * *", after: "2026-01-01T10:07:30Z") == "2026-01-01T10:10:30Z")  // seconds first
        #expect(try next("0 9 * * MON-FRI", after: "2026-01-02T10:00:00Z") == "2026-01-05T09:00:00Z")  // Fri → Mon
        #expect(try next("0 0 1 JAN,jul ?", after: "2026-02-01T00:00:00Z") == "2026-07-01T00:00:00Z")
        #expect(try next("5/20 * * * *", after: "2026-01-01T10:06:00Z") == "2026-01-01T10:25:00Z")
        #expect(try next("0 12 1-7 * 1-2,5", after: "2026-03-01T00:00:00Z") == "2026-03-01T12:00:00Z")  // dom OR dow
        #expect(try next("0 0 29 2 *", after: "2026-03-01T00:00:00Z") == "2028-02-29T00:00:00Z")
        #expect(try next("TZ=Europe/Paris 0 9 * * *", after: "2026-01-01T00:00:00Z") == "2026-01-01T08:00:00Z")
        #expect(try next("CRON_TZ=Asia/Tokyo 0 9 * * *", after: "2025-12-31T12:00:00Z") == "2026-01-01T00:00:00Z")
    }

    @Test func descriptorsAndDurations() throws {
        #expect(try next("@hourly", after: "2026-01-01T10:07:30Z") == "2026-01-01T11:00:00Z")
        #expect(try next("@daily", after: "2026-01-01T10:07:30Z") == "2026-01-02T00:00:00Z")
        #expect(try next("@midnight", after: "2026-01-01T10:07:30Z") == "2026-01-02T00:00:00Z")
        #expect(try next("@weekly", after: "2026-01-01T10:07:30Z") == "2026-01-04T00:00:00Z")  // Sunday
        #expect(try next("@monthly", after: "2026-01-01T10:07:30Z") == "2026-02-01T00:00:00Z")
        #expect(try next("@yearly", after: "2026-01-01T10:07:30Z") == "2027-01-01T00:00:00Z")
        #expect(try next("@annually", after: "2026-01-01T10:07:30Z") == "2027-01-01T00:00:00Z")
        #expect(try next("@every 41s", after: "2026-01-01T10:07:30Z") == "2026-01-01T10:08:11Z")
        #expect(try next("@every 1m30s", after: "2026-01-01T10:07:30Z") == "2026-01-01T10:09:00Z")
        #expect(try next("@every 200ms", after: "2026-01-01T10:07:30Z") == "2026-01-01T10:07:31Z")  // at least 1 s
        #expect(try next("30s", after: "2026-01-01T10:07:30Z") == "2026-01-01T10:08:00Z")
        #expect(try next("1.5h", after: "2026-01-01T10:00:00Z") == "2026-01-01T11:30:00Z")
    }

    @Test func randomRangesResolveOnceWithinBounds() throws {
        let schedule = try CronSchedule("0 10~20 3 * * *", timeZone: utc)
        let first = try #require(schedule.next(after: date("2026-01-01T00:00:00Z")))
        let minute = Calendar(identifier: .gregorian).dateComponents(in: utc, from: first).minute!
        #expect((10...20).contains(minute))
        #expect(schedule.next(after: first).map { $0.timeIntervalSince(first) } == 86_400)
    }

    @Test(arguments: [
        "", "* * * *", "* * * * * * *", "61 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 7",
        "@often", "@every soon", "TZ=Nowhere/City * * * * *", "*/0 * * * *", "5-1 * * * *", "1~2/5 * * * *", "@daily~",
    ])
    func rejectsInvalidExpressions(_ expression: String) {
        #expect(throws: HostServiceError.self) { try CronSchedule(expression) }
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct SchedulerServiceTests {
    let exports: Set<String> = [SchedulerService.callback]

    @Test func oneTimeFiresWithPayloadThenFreesItsID() async throws {
        let callbacks = RecordingCallbacks(exports: exports)
        let service = SchedulerService()
        let f = service.functions(for: makeContext(callbacks: callbacks))
        let created = try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 1, "payload": "clear", "scheduleId": "alice-clear"])
        #expect(created.text == #"{"newScheduleId":"alice-clear"}"#)
        #expect(service.scheduleIDs(of: "test-plugin") == ["alice-clear"])
        try await callbacks.waitUntil { !$0.isEmpty }
        let call = try #require(callbacks.calls.first)
        #expect(call.export == "nd_scheduler_callback")
        #expect(call.input["scheduleId"] as? String == "alice-clear")
        #expect(call.input["payload"] as? String == "clear")
        #expect(call.input["isRecurring"] as? Bool == false)
        try await Task.sleep(for: .milliseconds(100))
        #expect(service.scheduleIDs(of: "test-plugin").isEmpty)
        let now = try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 0, "payload": "", "scheduleId": ""])
        #expect((now.json["newScheduleId"] as? String)?.count == 22)
        try await callbacks.waitUntil { $0.count == 2 }
    }

    @Test func aOneTimeScheduleSaysWhenItIsDue() async throws {
        let callbacks = RecordingCallbacks(exports: exports)
        let service = SchedulerService()
        let context = makeContext(callbacks: callbacks)
        let f = service.functions(for: context)
        let before = Date()
        _ = try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 60, "payload": "p", "scheduleId": "alice-reconnect"])
        let due = try #require(service.dueDate(of: context.id, schedule: "alice-reconnect"))
        #expect(due.timeIntervalSince(before) >= 59.9 && due.timeIntervalSince(before) <= 61)
        _ = try await invoke(f["scheduler_schedulerecurring"], ["cronExpression": "@every 1m", "payload": "p", "scheduleId": "beat"])
        #expect(service.dueDate(of: context.id, schedule: "beat") == nil)
        _ = try await invoke(f["scheduler_cancelschedule"], ["scheduleId": "alice-reconnect"])
        #expect(service.dueDate(of: context.id, schedule: "alice-reconnect") == nil)
        await service.pluginUnloaded(context.id)
    }

    @Test func duplicateIDsAreRejectedAndCancelWorks() async throws {
        let callbacks = RecordingCallbacks(exports: exports)
        let service = SchedulerService()
        let f = service.functions(for: makeContext(callbacks: callbacks))
        _ = try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 2, "payload": "p", "scheduleId": "x"])
        let dupOnce = try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 5, "payload": "p", "scheduleId": "x"])
        #expect(dupOnce.json["error"] as? String == "schedule ID \"x\" already exists")
        let dupRecurring = try await invoke(f["scheduler_schedulerecurring"], ["cronExpression": "@every 1s", "payload": "p", "scheduleId": "x"])
        #expect(dupRecurring.json["error"] as? String == "schedule ID \"x\" already exists")
        #expect(try await invoke(f["scheduler_cancelschedule"], ["scheduleId": "x"]).text == "{}")
        #expect(try await invoke(f["scheduler_cancelschedule"], ["scheduleId": "x"]).json["error"] as? String == "schedule ID \"x\" not found")
        let badCron = try await invoke(f["scheduler_schedulerecurring"], ["cronExpression": "every tuesday", "payload": "p"])
        #expect((badCron.json["error"] as? String)?.hasPrefix("invalid cron expression") == true)
        try await Task.sleep(for: .seconds(3))
        #expect(callbacks.calls.isEmpty)
        // The id can be reused once cancelled.
        #expect(try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 0, "payload": "p", "scheduleId": "x"]).text == #"{"newScheduleId":"x"}"#)
        try await callbacks.waitUntil { $0.count == 1 }
    }

    @Test func slowRecurringCallbackNeverOverlaps() async throws {
        let callbacks = RecordingCallbacks(exports: exports, delay: .milliseconds(2500))
        let service = SchedulerService()
        let f = service.functions(for: makeContext(callbacks: callbacks))
        let created = try await invoke(f["scheduler_schedulerecurring"], ["cronExpression": "@every 1s", "payload": "hb", "scheduleId": "heartbeat"])
        #expect(created.text == #"{"newScheduleId":"heartbeat"}"#)
        try await Task.sleep(for: .milliseconds(6500))
        _ = try await invoke(f["scheduler_cancelschedule"], ["scheduleId": "heartbeat"])
        try await Task.sleep(for: .seconds(3))
        let calls = callbacks.calls
        #expect(callbacks.maxConcurrent == 1)
        #expect((1...3).contains(calls.count))
        #expect(calls.allSatisfy { $0.input["isRecurring"] as? Bool == true && $0.input["scheduleId"] as? String == "heartbeat" })
        for (earlier, later) in zip(calls, calls.dropFirst()) { #expect(later.started >= earlier.finished) }
    }

    @Test func recurringFiresRepeatedlyAndUnloadDropsSchedules() async throws {
        let callbacks = RecordingCallbacks(exports: exports)
        let service = SchedulerService()
        let f = service.functions(for: makeContext(callbacks: callbacks))
        _ = try await invoke(f["scheduler_schedulerecurring"], ["cronExpression": "* * * * * *", "payload": "tick", "scheduleId": "t"])
        _ = try await invoke(f["scheduler_scheduleonetime"], ["delaySeconds": 30, "payload": "later", "scheduleId": "later"])
        try await callbacks.waitUntil { $0.count >= 2 }
        await service.pluginUnloaded("test-plugin")
        #expect(service.scheduleIDs(of: "test-plugin").isEmpty)
        let count = callbacks.calls.count
        try await Task.sleep(for: .milliseconds(2200))
        #expect(callbacks.calls.count == count)
    }
}
