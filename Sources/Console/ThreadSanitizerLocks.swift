#if THREAD_SANITIZER_LOCKS
@_exported import ThreadSanitizerLocks  // exported: this module's other files need its members
/// Under `scripts/sanitize thread`, a lock ThreadSanitizer sees (see ``ThreadSanitizerMutex``).
typealias Mutex<Value> = ThreadSanitizerMutex<Value>
#endif
