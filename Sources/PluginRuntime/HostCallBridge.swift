import Foundation

/// Runs async work from a host function, which executes synchronously on a plugin-call thread.
///
/// A call that blocks here runs on a call thread from its next call on (see
/// ``CallExecutor``), so blocking cannot starve the Swift concurrency pool.
///
/// Host work ends with its call: ``wait(_:)`` runs the work as a task that is cancelled at the
/// call's deadline, and the call's thread stops waiting then (the plugin sees the host function
/// fail with ``HostCallCancelled`` and the call ends as timed out). Services observe the end
/// through ordinary task cancellation (`Task.isCancelled`, `withTaskCancellationHandler`,
/// cancellable awaits), and may read ``deadline`` to bound their own timeouts.
public enum HostCallBridge {
    /// The deadline of the plugin call whose host work runs in the current task, if any.
    @TaskLocal public static var deadline: ContinuousClock.Instant?
    /// Whether the current task runs inside a host function of a plugin call.
    @TaskLocal static var isNested = false

    /// Runs `operation` as a task and blocks the current (plugin-call) thread until it finishes,
    /// or until the call's deadline: then the task is cancelled and this throws
    /// ``HostCallCancelled`` without waiting for it.
    public static func wait<T: Sendable>(
        _ operation: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let deadline = RunningCall.current?.deadline
        let box = ResultBox<T>()
        let semaphore = DispatchSemaphore(value: 0)
        let task = Task {
            // Plugin calls `operation` makes (callbacks) are nested: they take no call slot.
            await $isNested.withValue(true) {
                await $deadline.withValue(deadline) {
                    do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
                }
            }
            semaphore.signal()
        }
        // Past deadlines wait not at all, absurd ones (over 11 days) for ever.
        let timeout = deadline.map { DispatchTime.now() + .nanoseconds(Int(max(0, min(($0 - .now) / .nanoseconds(1), 1e15)))) }
        let finished = blocking { semaphore.wait(timeout: timeout ?? .distantFuture) == .success }
        guard finished else {
            task.cancel()
            throw HostCallCancelled()
        }
        return try (box.result ?? .failure(HostCallCancelled())).get()
    }

    /// Runs `body`, which blocks the current (plugin-call) thread until something else happens.
    /// The call keeps its slot meanwhile (see ``CallExecutor``); its plugin's next calls of the same
    /// export run on call threads.
    public static func blocking<T>(_ body: () throws -> T) rethrows -> T {
        guard let call = RunningCall.current else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { call.blockedNanoseconds += max(1, DispatchTime.now().uptimeNanoseconds - start) }
        return try body()
    }
}

/// A host function's work was cancelled because its plugin call reached its deadline.
public struct HostCallCancelled: Error, CustomStringConvertible, Sendable {
    public var description: String { "cancelled: the plugin call reached its deadline" }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Written once by the task before the semaphore signals; read after a successful wait.
    var result: Result<T, any Error>?
}
