import Foundation

/// Runs async work from a host function, which executes synchronously on a plugin-call thread.
///
/// A call that blocks here runs on a call thread from its next call on (see
/// ``LoadedPlugin/call(export:input:trace:)``), so blocking cannot starve the Swift concurrency pool.
public enum HostCallBridge {
    /// Runs `operation` as a task and blocks the current (plugin-call) thread until it finishes.
    public static func wait<T: Sendable>(
        _ operation: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let box = ResultBox<T>()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            // Plugin calls made by `operation` (a callback delivered while the host function
            // runs) are nested: they must not wait for a call slot the caller holds.
            await PluginCallNesting.$isNested.withValue(true) {
                do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
            }
            semaphore.signal()
        }
        blocking { semaphore.wait() }
        return try box.result!.get()
    }

    /// Runs `body`, which blocks the current (plugin-call) thread until something else happens.
    /// Meanwhile the call gives its slot back (see ``CallSlots``).
    public static func blocking<T>(_ body: () throws -> T) rethrows -> T {
        let call = RunningCall.current
        call?.blocked = true
        call?.slots?.release()
        defer { call?.slots?.acquireBlocking() }
        return try body()
    }
}

/// Whether the current task runs inside a host function of a plugin call.
enum PluginCallNesting {
    @TaskLocal static var isNested = false
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Written once by the task before the semaphore signals; read after the wait.
    var result: Result<T, any Error>?
}
