import Synchronization
import TonearmJSON

/// Asks a running call (or instantiation) to stop, from any thread: the deadline watchdog raises
/// it, and the thread running the plugin acts on it at the next host function, by failing that
/// function. Code that does not return to the host is stopped by its fuel budget instead (see
/// ``FuelBudget``), since only the running thread may touch its WasmKit store.
final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Asks the call to stop.
    func raise() { raised.store(true, ordering: .releasing) }

    /// Clears the signal before a new call on the same instance.
    func clear() { raised.store(false, ordering: .releasing) }

    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// The error a host function fails with once its call was asked to stop.
struct CallStopped: Error, CustomStringConvertible {
    var description: String { "the call was stopped at its deadline" }
}

/// Instantiation (data segments, start function, `_initialize`) ran past its deadline.
struct InitializationTimeout: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "initialisation did not finish within \(GoJSONWriter.number(seconds)) s" }
}
