/// The error type of the PDK: capability methods throw it, host-service clients throw it when
/// the host answers with `error`, and the export glue turns it into the call's error message.
public struct PluginError: Error {
    /// What went wrong, as the host or plugin said it.
    public var message: String
    /// The host function that failed, if the error came from the host.
    public var hostFunction: String?
    let notImplemented: Bool

    public init(_ message: String) {
        self.message = message
        self.hostFunction = nil
        self.notImplemented = false
    }

    /// Wraps a JSON parsing or mapping error.
    public init(_ error: JSONError) {
        self.init(error.message)
    }

    /// An error the host returned from `function`.
    public static func host(_ function: String, _ message: String) -> PluginError {
        var e = PluginError(message)
        e.hostFunction = function
        return e
    }

    /// The capability method is not implemented: the export returns -2, which Navidrome treats
    /// as "not implemented" (a success for `nd_scrobbler_playback_report`).
    public static var notImplemented: PluginError {
        PluginError(message: "not implemented", notImplemented: true)
    }

    init(message: String, notImplemented: Bool) {
        self.message = message
        self.hostFunction = nil
        self.notImplemented = notImplemented
    }

    /// The text reported to the host: `function: message` for host errors.
    public var text: String {
        if let hostFunction { return hostFunction + ": " + message }
        return message
    }
}
