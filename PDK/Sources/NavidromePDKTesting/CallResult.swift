import NavidromeJSON
import NavidromePDK

/// What a plugin export returned.
public struct CallResult: Sendable, Equatable {
    /// The export's return code: 0 success, −2 not implemented, anything else failure.
    public var code: Int32
    /// The output the plugin set (empty when none).
    public var output: [UInt8]
    /// The error message the plugin set, if any.
    public var error: String?

    public init(code: Int32, output: [UInt8] = [], error: String? = nil) {
        self.code = code
        self.output = output
        self.error = error
    }

    /// The output as UTF-8 text.
    public var outputText: String { String(decoding: output, as: UTF8.self) }

    /// The output parsed as JSON.
    public func outputJSON() throws(JSONError) -> JSONValue { try JSONValue.parse(output) }

    /// Return code 0 and no error.
    public var succeeded: Bool { code == 0 && error == nil }

    /// Return code −2: the plugin does not implement the export.
    public var notImplemented: Bool { code == -2 }
}

/// One message the plugin logged.
public struct LogEntry: Sendable, Equatable {
    let levelValue: Int32
    /// The message text.
    public var message: String

    init(level: Int32, message: String) {
        self.levelValue = level
        self.message = message
    }

    /// The level the message was logged at.
    public var level: LogLevel { LogLevel(rawValue: levelValue) ?? .error }
}

/// One call the plugin made to a Navidrome host function.
public struct RecordedHostCall: Sendable, Equatable {
    /// The host function, e.g. `cache_setstring`.
    public var function: String
    /// The request as JSON text.
    public var request: String

    /// The request parsed as JSON.
    public func requestJSON() throws(JSONError) -> JSONValue { try JSONValue.parse(request) }
}
