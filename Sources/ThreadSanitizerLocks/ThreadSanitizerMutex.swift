#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A lock with the interface of `Synchronization.Mutex`, on `pthread_mutex_t`, which
/// ThreadSanitizer intercepts.
///
/// With Swift 6.3 on Linux, ThreadSanitizer does not see `Synchronization.Mutex` (the standard
/// library is not instrumented and the lock waits on a futex), so it reports every value guarded
/// by one as racing. `scripts/sanitize thread` builds with `-DTHREAD_SANITIZER_LOCKS`, under
/// which each module's `Mutex` is this type; every other build uses `Synchronization.Mutex`.
public final class ThreadSanitizerMutex<Value>: @unchecked Sendable {
    private var value: Value
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ initialValue: consuming sending Value) {
        value = initialValue
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` with the value while holding the lock.
    public func withLock<Result, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body(&value)
    }
}
