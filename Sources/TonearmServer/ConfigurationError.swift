/// A configuration file Tonearm cannot use; the message names the setting.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let message: String

    public var description: String { "\(file): \(message)" }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}
