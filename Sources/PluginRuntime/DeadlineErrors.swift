import TonearmJSON

/// The error a host function fails with once its call's deadline has passed.
struct CallStopped: Error, CustomStringConvertible {
    var description: String { "the call was stopped at its deadline" }
}

/// Instantiation (data segments, start function, `_initialize`) ran past its deadline.
struct InitializationTimeout: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "initialisation did not finish within \(GoJSONWriter.number(seconds)) s" }
}
