import Foundation
import HostServices
import PluginRuntime
import Synchronization
import Testing

/// Answers `nd_task_execute` as a plugin would: fails the first `failures` attempts, or waits
/// until cancelled when `hang` is set; records every request.
final class TaskWorkerCallbacks: PluginCallbacks {
    let failures: Int
    let hang: Bool
    let requests = Mutex<[[String: String]]>([])

    init(failures: Int = 0, hang: Bool = false) {
        self.failures = failures
        self.hang = hang
    }

    func exports(_ export: String) -> Bool { export == "nd_task_execute" }

    func call(export: String, input: [UInt8]) async throws -> [UInt8] {
        let request = (try JSONSerialization.jsonObject(with: Data(input)) as? [String: Any]) ?? [:]
        let count = requests.withLock { requests in
            requests.append(request.compactMapValues { $0 as? String ?? ($0 as? Int).map { "\($0)" } })
            return requests.count
        }
        if hang { try await Task.sleep(for: .seconds(60)) }
        if count <= failures { throw HostServiceError("attempt \(count) failed") }
        return Array(#""done \#(count)""#.utf8)
    }
}

@Suite(.timeLimit(.minutes(1))) struct TaskQueueServiceTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-tasks-\(UUID().uuidString)")

    func context(_ callbacks: TaskWorkerCallbacks, maxConcurrency: Int32? = nil) -> PluginContext {
        makeContext(
            id: "worker", permissions: PluginPermissions(declared: ["taskqueue"], taskQueueMaxConcurrency: maxConcurrency),
            callbacks: callbacks)
    }

    /// Polls `task_get` until the task reaches `status` (or the suite's time limit).
    func waitFor(_ status: String, _ id: String, _ functions: [String: HostFunction]) async throws -> [String: Any] {
        while true {
            let info = try await invoke(functions["task_get"], ["taskId": id])
            if let result = info.json["result"] as? [String: Any], result["status"] as? String == status { return result }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func aTaskRunsWithItsPayloadAndCompletes() async throws {
        let callbacks = TaskWorkerCallbacks()
        let service = TaskQueueService(dataFolder: folder, pollInterval: .milliseconds(200))
        let f = service.functions(for: context(callbacks))
        #expect(try await invoke(f["task_createqueue"], ["name": "fetch", "config": [:] as [String: Any]]).json.isEmpty)
        let enqueued = try await invoke(f["task_enqueue"], ["queueName": "fetch", "payload": Data("job 1".utf8).base64EncodedString()])
        let id = try #require(enqueued.json["result"] as? String, "\(enqueued.text)")
        let info = try await waitFor("completed", id, f)
        #expect(info["message"] as? String == "done 1")
        #expect(info["attempt"] as? Int == 1)
        let request = try #require(callbacks.requests.withLock { $0.first })
        #expect(request["queueName"] == "fetch")
        #expect(request["taskId"] == id)
        #expect(request["payload"] == Data("job 1".utf8).base64EncodedString())
        #expect(request["attempt"] == "1")
        await service.pluginUnloaded("worker")
    }

    @Test func failuresAreRetriedWithBackoffThenFail() async throws {
        let service = TaskQueueService(dataFolder: folder, pollInterval: .milliseconds(200))
        let f = service.functions(for: context(TaskWorkerCallbacks(failures: 1)))
        _ = try await invoke(f["task_createqueue"], ["name": "retry", "config": ["maxRetries": 1, "backoffMs": 50]])
        let id = try #require(try await invoke(f["task_enqueue"], ["queueName": "retry", "payload": ""]).json["result"] as? String)
        let info = try await waitFor("completed", id, f)
        #expect(info["attempt"] as? Int == 2)
        await service.pluginUnloaded("worker")

        let failing = TaskQueueService(dataFolder: folder, pollInterval: .milliseconds(200))
        let g = failing.functions(for: context(TaskWorkerCallbacks(failures: 10)))
        _ = try await invoke(g["task_createqueue"], ["name": "once", "config": [:] as [String: Any]])
        let lost = try #require(try await invoke(g["task_enqueue"], ["queueName": "once", "payload": ""]).json["result"] as? String)
        let failed = try await waitFor("failed", lost, g)
        #expect((failed["message"] as? String)?.contains("attempt 1 failed") == true)
        await failing.pluginUnloaded("worker")
    }

    @Test func errorsNameTheProblem() async throws {
        let service = TaskQueueService(dataFolder: folder, pollInterval: .seconds(5))
        let f = service.functions(for: context(TaskWorkerCallbacks(hang: true), maxConcurrency: 1))
        func error(_ name: String, _ request: [String: Any]) async throws -> String? {
            try await invoke(f[name], request).json["error"] as? String
        }
        #expect(try await error("task_createqueue", ["name": ""]) == "queue name cannot be empty")
        #expect(try await error("task_createqueue", ["name": String(repeating: "q", count: 129)])
            == "queue name exceeds maximum length of 128 bytes")
        #expect(try await error("task_createqueue", ["name": "a"]) == nil)
        #expect(try await error("task_createqueue", ["name": "b"]) == "concurrency budget exhausted (1/1 allocated)")
        #expect(try await error("task_enqueue", ["queueName": "nope", "payload": ""]) == "queue \"nope\" does not exist")
        #expect(try await error("task_get", ["taskId": "ghost"]) == "task \"ghost\" not found")
        #expect(try await error("task_cancel", ["taskId": "ghost"]) == "task \"ghost\" not found")
        let first = try #require(try await invoke(f["task_enqueue"], ["queueName": "a", "payload": ""]).json["result"] as? String)
        _ = try await waitFor("running", first, f)
        #expect(try await error("task_cancel", ["taskId": first]) == "task \"\(first)\" cannot be cancelled (status: running)")
        let second = try #require(try await invoke(f["task_enqueue"], ["queueName": "a", "payload": ""]).json["result"] as? String)
        let third = try #require(try await invoke(f["task_enqueue"], ["queueName": "a", "payload": ""]).json["result"] as? String)
        #expect(try await error("task_cancel", ["taskId": second]) == nil)
        #expect((try await invoke(f["task_get"], ["taskId": second]).json["result"] as? [String: Any])?["status"] as? String == "cancelled")
        #expect(try await invoke(f["task_clearqueue"], ["queueName": "a"]).json["result"] as? Int == 1)
        #expect(try await error("task_get", ["taskId": third]) == "task \"\(third)\" not found")
        await service.pluginUnloaded("worker")
    }

    @Test func aTaskInterruptedByAnUnloadRunsAfterTheNextLoad() async throws {
        let hanging = TaskQueueService(dataFolder: folder, pollInterval: .seconds(5))
        let f = hanging.functions(for: context(TaskWorkerCallbacks(hang: true)))
        _ = try await invoke(f["task_createqueue"], ["name": "durable", "config": [:] as [String: Any]])
        let id = try #require(try await invoke(f["task_enqueue"], ["queueName": "durable", "payload": ""]).json["result"] as? String)
        _ = try await waitFor("running", id, f)
        await hanging.pluginUnloaded("worker")

        let restarted = TaskQueueService(dataFolder: folder, pollInterval: .seconds(5))
        let g = restarted.functions(for: context(TaskWorkerCallbacks()))
        #expect((try await invoke(g["task_get"], ["taskId": id]).json["result"] as? [String: Any])?["status"] as? String == "pending")
        _ = try await invoke(g["task_createqueue"], ["name": "durable", "config": [:] as [String: Any]])
        #expect(try await waitFor("completed", id, g)["message"] as? String == "done 1")
        await restarted.pluginUnloaded("worker")
    }
}
