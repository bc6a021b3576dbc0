import Foundation

/// The plugin call running on the current thread, as its host functions see it.
final class RunningCall: @unchecked Sendable {
    /// Whether a host function blocked during the call. Written and read on the call's thread.
    var blocked = false
    /// When the call's deadline passes (set when it starts running). Written and read on the
    /// call's thread.
    var deadline: ContinuousClock.Instant?

    /// Runs `body` with this call as the thread's ``current``.
    func run<T>(_ body: () -> T) -> T {
        let previous = Self.current
        Self.current = self
        defer { Self.current = previous }
        return body()
    }

    /// The call running on this thread (a thread-local; ``run(_:)`` keeps the object alive
    /// meanwhile, so the key holds no reference of its own).
    static var current: RunningCall? {
        get { pthread_getspecific(threadKey).map { Unmanaged<RunningCall>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(threadKey, newValue.map { Unmanaged.passUnretained($0).toOpaque() }) }
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
