import Foundation

/// Runs async work from a host function, which executes synchronously on a plugin-call thread.
///
/// Plugin calls never run on the Swift concurrency pool, so blocking here cannot starve it.
public enum HostCallBridge {
    /// Runs `operation` as a task and blocks the current (plugin-call) thread until it finishes.
    public static func wait<T: Sendable>(
        _ operation: @escaping @Sendable () async throws -> T
    ) throws -> T {
        let box = ResultBox<T>()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
            semaphore.signal()
        }
        semaphore.wait()
        return try box.result!.get()
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Written once by the task before the semaphore signals; read after the wait.
    var result: Result<T, any Error>?
}
