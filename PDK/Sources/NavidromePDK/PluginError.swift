/// The error type of the PDK: capability methods throw it, host-service clients throw it when
/// the host answers with `error`, and the export glue turns it into the call's error message.
public struct PluginError: Error {
    /// The fields live behind one reference, so a thrown error is a single word to check and
    /// forward at every `try`.
    final class Storage: Sendable {
        let message: String
        let hostFunction: String?
        let notImplemented: Bool

        init(message: String, hostFunction: String?, notImplemented: Bool) {
            self.message = message
            self.hostFunction = hostFunction
            self.notImplemented = notImplemented
        }
    }

    var storage: Storage

    /// What went wrong, as the host or plugin said it.
    public var message: String {
        get { storage.message }
        set { storage = Storage(message: newValue, hostFunction: hostFunction, notImplemented: notImplemented) }
    }

    /// The host function that failed, if the error came from the host.
    public var hostFunction: String? {
        get { storage.hostFunction }
        set { storage = Storage(message: message, hostFunction: newValue, notImplemented: notImplemented) }
    }

    var notImplemented: Bool { storage.notImplemented }

    public init(_ message: String) {
        storage = Storage(message: message, hostFunction: nil, notImplemented: false)
    }

    /// Wraps a JSON parsing or mapping error.
    public init(_ error: JSONError) {
        self.init(error.message)
    }

    /// An error the host returned from `function`.
    public static func host(_ function: String, _ message: String) -> PluginError {
        PluginError(storage: Storage(message: message, hostFunction: function, notImplemented: false))
    }

    /// The capability method is not implemented: the export returns -2, which Navidrome treats
    /// as "not implemented" (a success for `nd_scrobbler_playback_report`).
    public static var notImplemented: PluginError {
        PluginError(storage: Storage(message: "not implemented", hostFunction: nil, notImplemented: true))
    }

    init(storage: Storage) {
        self.storage = storage
    }

    /// The text reported to the host: `function: message` for host errors.
    public var text: String {
        if let hostFunction { return hostFunction + ": " + message }
        return message
    }
}
