import Foundation
import GRDB
import Logging
import NavidromeABI
import PluginRuntime
import Synchronization
import TonearmJSON

/// Navidrome's Task service (`task_createqueue`, `task_enqueue`, `task_get`, `task_cancel`,
/// `task_clearqueue`; permission `taskqueue`): named queues of tasks kept in SQLite at
/// `<dataFolder>/plugins/<id>/taskqueue.db`, run by calling the plugin's `nd_task_execute` on
/// fresh instances, with Navidrome's defaults, limits, retries (exponential backoff) and
/// retention. Tasks survive restarts: running ones go back to pending when their queue is
/// created again.
public final class TaskQueueService: HostService {
    public let permission: String? = "taskqueue"
    public let functionPrefix = "task"

    private let dataFolder: URL
    private let pollInterval: Duration
    private let queues = Mutex<[String: PluginTaskQueues]>([:])

    /// - Parameters:
    ///   - dataFolder: Tonearm's data folder; queues go under `plugins/<id>/`.
    ///   - pollInterval: how often idle workers look for tasks whose retry time came (Navidrome: 5 s).
    public init(dataFolder: URL, pollInterval: Duration = .seconds(5)) {
        self.dataFolder = dataFolder
        self.pollInterval = pollInterval
    }

    public func functions(for plugin: PluginContext) -> [String: HostFunction] {
        let queues = storeForCalls("taskqueue", of: plugin) { try open(plugin) }
        return hostFunctions(
            hostFunction(TaskCreateQueueRequest.self) { r in
                try queues().create(r.name, r.config)
                return TaskCreateQueueResponse()
            },
            hostFunction(TaskEnqueueRequest.self) { r in
                TaskEnqueueResponse(result: try queues().enqueue(r.queueName, r.payload))
            },
            hostFunction(TaskGetRequest.self) { r in
                TaskGetResponse(result: try queues().get(r.taskId))
            },
            hostFunction(TaskCancelRequest.self) { r in
                try queues().cancel(r.taskId)
                return TaskCancelResponse()
            },
            hostFunction(TaskClearQueueRequest.self) { r in
                TaskClearQueueResponse(result: try queues().clear(r.queueName))
            }
        )
    }

    /// Stops the plugin's workers; running tasks go back to pending for the next load.
    public func pluginUnloaded(_ pluginID: String) async {
        let queues = queues.withLock { $0.removeValue(forKey: pluginID) }
        await queues?.close()
    }

    private func open(_ plugin: PluginContext) throws -> PluginTaskQueues {
        try queues.withLock { queues in
            if let open = queues[plugin.id] { return open }
            let folder = dataFolder.appendingPathComponent("plugins").appendingPathComponent(plugin.id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let open = try PluginTaskQueues(
                path: folder.appendingPathComponent("taskqueue.db").path, plugin: plugin,
                maxConcurrency: plugin.permissions.taskQueueMaxConcurrency ?? 1, pollInterval: pollInterval)
            queues[plugin.id] = open
            return open
        }
    }
}

/// Navidrome's limits and defaults (`plugins/host_taskqueue.go`).
enum TaskQueueLimits {
    static let defaultBackoffMs: Int64 = 1000
    static let defaultRetentionMs: Int64 = 3_600_000
    static let retentionMs: ClosedRange<Int64> = 60_000...604_800_000
    static let maxQueueNameBytes = 128
    static let maxPayloadBytes = 1 << 20
    static let maxBackoffMs: Int64 = 3_600_000
    static let cleanupInterval: Duration = .seconds(300)
}

/// One plugin's queues: its database, the queues created since it loaded, their workers.
final class PluginTaskQueues: Sendable {
    private let pool: DatabasePool
    private let plugin: PluginContext
    private let maxConcurrency: Int32
    private let pollInterval: Duration
    private let state = Mutex(State())

    struct State {
        var queues: [String: RunningQueue] = [:]
        var closed = false
    }

    init(path: String, plugin: PluginContext, maxConcurrency: Int32, pollInterval: Duration) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS queues (
                    name TEXT PRIMARY KEY, concurrency INTEGER NOT NULL, max_retries INTEGER NOT NULL,
                    backoff_ms INTEGER NOT NULL, delay_ms INTEGER NOT NULL, retention_ms INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS tasks (
                    id TEXT PRIMARY KEY, queue_name TEXT NOT NULL REFERENCES queues(name), payload BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'pending', attempt INTEGER NOT NULL DEFAULT 0,
                    max_retries INTEGER NOT NULL, next_run_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL, message TEXT NOT NULL DEFAULT '');
                CREATE INDEX IF NOT EXISTS idx_tasks_dequeue ON tasks(queue_name, status, next_run_at);
                """)
        }
        self.plugin = plugin
        self.maxConcurrency = max(1, maxConcurrency)
        self.pollInterval = pollInterval
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    func create(_ name: String, _ requested: QueueConfig) throws {
        guard !name.isEmpty else { throw HostServiceError("queue name cannot be empty") }
        guard name.utf8.count <= TaskQueueLimits.maxQueueNameBytes else {
            throw HostServiceError("queue name exceeds maximum length of \(TaskQueueLimits.maxQueueNameBytes) bytes")
        }
        var config = requested
        if config.concurrency <= 0 { config.concurrency = 1 }
        if config.backoffMs <= 0 { config.backoffMs = TaskQueueLimits.defaultBackoffMs }
        if config.retentionMs <= 0 { config.retentionMs = TaskQueueLimits.defaultRetentionMs }
        config.retentionMs = min(max(config.retentionMs, TaskQueueLimits.retentionMs.lowerBound), TaskQueueLimits.retentionMs.upperBound)
        config.maxRetries = max(0, config.maxRetries)
        config.delayMs = max(0, config.delayMs)
        let queue = try state.withLock { state -> RunningQueue in
            guard !state.closed else { throw HostServiceError("plugin \(plugin.id) is unloading") }
            let allocated = state.queues.values.reduce(Int32(0)) { $0 + $1.config.concurrency }
            let available = maxConcurrency - allocated
            guard available > 0 else {
                throw HostServiceError("concurrency budget exhausted (\(allocated)/\(maxConcurrency) allocated)")
            }
            config.concurrency = min(config.concurrency, available)
            guard state.queues[name] == nil else { throw HostServiceError("queue \"\(name)\" already exists") }
            let queue = RunningQueue(name: name, config: config)
            state.queues[name] = queue
            return queue
        }
        do {
            let now = Self.nowMs()
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO queues (name, concurrency, max_retries, backoff_ms, delay_ms, retention_ms)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET concurrency = excluded.concurrency,
                    max_retries = excluded.max_retries, backoff_ms = excluded.backoff_ms,
                    delay_ms = excluded.delay_ms, retention_ms = excluded.retention_ms
                    """, arguments: [name, config.concurrency, config.maxRetries, config.backoffMs, config.delayMs, config.retentionMs])
                // Tasks a crash left running run again.
                try db.execute(sql: "UPDATE tasks SET status = 'pending', updated_at = ? WHERE queue_name = ? AND status = 'running'",
                               arguments: [now, name])
            }
        } catch {
            state.withLock { _ = $0.queues.removeValue(forKey: name) }
            throw HostServiceError("creating queue: \(error)")
        }
        queue.start(workers: config.concurrency, poll: pollInterval) { [self] queue in await drain(queue) }
    }

    func enqueue(_ queueName: String, _ payload: [UInt8]) throws -> String {
        guard let queue = state.withLock({ $0.queues[queueName] }) else {
            throw HostServiceError("queue \"\(queueName)\" does not exist")
        }
        guard payload.count <= TaskQueueLimits.maxPayloadBytes else {
            throw HostServiceError("payload size \(payload.count) exceeds maximum of \(TaskQueueLimits.maxPayloadBytes) bytes")
        }
        let id = UUID().uuidString.lowercased()
        let now = Self.nowMs()
        try pool.write { db in
            try db.execute(sql: """
                INSERT INTO tasks (id, queue_name, payload, status, attempt, max_retries, next_run_at, created_at, updated_at)
                VALUES (?, ?, ?, 'pending', 0, ?, ?, ?, ?)
                """, arguments: [id, queueName, Data(payload), queue.config.maxRetries, now, now, now])
        }
        queue.wake()
        return id
    }

    func get(_ taskID: String) throws -> TaskInfo {
        guard let row = try pool.read({ db in
            try Row.fetchOne(db, sql: "SELECT status, message, attempt FROM tasks WHERE id = ?", arguments: [taskID])
        }) else { throw HostServiceError("task \"\(taskID)\" not found") }
        return TaskInfo(status: row["status"], message: row["message"], attempt: Int32(clamping: row["attempt"] as Int64))
    }

    func cancel(_ taskID: String) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE tasks SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = 'pending'",
                           arguments: [Self.nowMs(), taskID])
            if db.changesCount > 0 { return }
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM tasks WHERE id = ?", arguments: [taskID]) else {
                throw HostServiceError("task \"\(taskID)\" not found")
            }
            throw HostServiceError("task \"\(taskID)\" cannot be cancelled (status: \(status))")
        }
    }

    func clear(_ queueName: String) throws -> Int64 {
        guard state.withLock({ $0.queues[queueName] }) != nil else {
            throw HostServiceError("queue \"\(queueName)\" does not exist")
        }
        return try pool.write { db in
            try db.execute(sql: "DELETE FROM tasks WHERE queue_name = ? AND status = 'pending'", arguments: [queueName])
            return Int64(db.changesCount)
        }
    }

    /// Runs the queue's due tasks one after another until none is due.
    private func drain(_ queue: RunningQueue) async {
        while !Task.isCancelled, let task = dequeue(queue) {
            await queue.waitForDelay()
            await run(task, in: queue)
        }
        removeExpired(queue)
    }

    private struct Dequeued {
        var id: String
        var payload: [UInt8]
        var attempt: Int32
        var maxRetries: Int32
    }

    private func dequeue(_ queue: RunningQueue) -> Dequeued? {
        let now = Self.nowMs()
        do {
            return try pool.write { db in
                guard let row = try Row.fetchOne(db, sql: """
                    UPDATE tasks SET status = 'running', attempt = attempt + 1, updated_at = ?
                    WHERE id = (SELECT id FROM tasks WHERE queue_name = ? AND status = 'pending' AND next_run_at <= ?
                                ORDER BY next_run_at, created_at LIMIT 1)
                    RETURNING id, payload, attempt, max_retries
                    """, arguments: [now, queue.name, now]) else { return nil }
                let payload: Data = row["payload"]
                return Dequeued(id: row["id"], payload: Array(payload), attempt: Int32(clamping: row["attempt"] as Int64),
                                maxRetries: Int32(clamping: row["max_retries"] as Int64))
            }
        } catch {
            plugin.logger.error("task queue \(queue.name): dequeue failed: \(error)")
            return nil
        }
    }

    private func run(_ task: Dequeued, in queue: RunningQueue) async {
        let input = TaskExecuteRequest(queueName: queue.name, taskId: task.id, payload: task.payload, attempt: task.attempt)
        let outcome: Result<String, any Error>
        do {
            let output = try await plugin.callbacks.call(export: TaskWorkerCapability.onTaskExecute, input: input.goJSONBytes())
            outcome = .success(Self.message(from: output))
        } catch {
            outcome = .failure(error)
        }
        let now = Self.nowMs()
        do {
            try await pool.write { db in
                switch outcome {
                case .success(let message):
                    try db.execute(sql: "UPDATE tasks SET status = 'completed', message = ?, updated_at = ? WHERE id = ?",
                                   arguments: [message, now, task.id])
                case .failure(let error) where task.attempt > task.maxRetries:
                    try db.execute(sql: "UPDATE tasks SET status = 'failed', message = ?, updated_at = ? WHERE id = ?",
                                   arguments: ["\(error)", now, task.id])
                case .failure:
                    try db.execute(sql: "UPDATE tasks SET status = 'pending', next_run_at = ?, updated_at = ? WHERE id = ?",
                                   arguments: [now + Self.backoff(queue.config.backoffMs, attempt: task.attempt), now, task.id])
                }
            }
        } catch {
            plugin.logger.error("task queue \(queue.name): recording task \(task.id) failed: \(error)")
        }
        if case .failure(let error) = outcome {
            plugin.logger.warning("task \(task.id) of queue \(queue.name) failed (attempt \(task.attempt)): \(error)")
            if task.attempt <= task.maxRetries {
                queue.wake(after: .milliseconds(Self.backoff(queue.config.backoffMs, attempt: task.attempt)))
            }
        }
    }

    /// `backoffMs · 2^(attempt−1)`, at most an hour.
    static func backoff(_ backoffMs: Int64, attempt: Int32) -> Int64 {
        let shift = Int64(max(0, attempt - 1))
        guard shift < 62, backoffMs <= TaskQueueLimits.maxBackoffMs >> shift else { return TaskQueueLimits.maxBackoffMs }
        return min(backoffMs << shift, TaskQueueLimits.maxBackoffMs)
    }

    /// The callback's output is a JSON string (the status message); other output is kept as text.
    static func message(from output: [UInt8]) -> String {
        if case .string(let text)? = try? JSONValue.parse(output) { return text }
        return String(decoding: output, as: UTF8.self)
    }

    private func removeExpired(_ queue: RunningQueue) {
        guard queue.cleanupIsDue() else { return }
        _ = try? pool.write { db in
            try db.execute(sql: """
                DELETE FROM tasks WHERE queue_name = ? AND status IN ('completed', 'failed', 'cancelled')
                AND updated_at + ? < ?
                """, arguments: [queue.name, queue.config.retentionMs, Self.nowMs()])
        }
    }

    /// Stops every worker; tasks they were running go back to pending.
    func close() async {
        let queues = state.withLock { state in
            state.closed = true
            return Array(state.queues.values)
        }
        for queue in queues { await queue.stop() }
        _ = try? await pool.write { db in
            try db.execute(sql: "UPDATE tasks SET status = 'pending', updated_at = ? WHERE status = 'running'", arguments: [Self.nowMs()])
        }
        try? pool.close()
    }
}
