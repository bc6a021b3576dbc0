import TonearmJSON

/// A plugin call that did not produce output: which plugin, which export, and why.
public struct PluginCallError: Error, CustomStringConvertible, Sendable, Equatable {
    public let pluginID: String
    public let export: String
    public let reason: Reason

    public enum Reason: Sendable, Equatable {
        /// The plugin does not export the function, or returned −2 (the PDKs' "not implemented").
        case notImplemented(missingExport: Bool)
        /// The plugin set an error message (`error_set`); the text is the plugin's own.
        case pluginError(String)
        /// The export returned a non-zero code without an error message.
        case exitCode(Int32)
        /// The plugin trapped (or a kernel or host function failed it); the instance is discarded.
        case trap(String)
        /// The call ran past its deadline (seconds) and was stopped.
        case timeout(Double)
        /// No plugin with this id is loaded (unknown, disabled or failed).
        case pluginNotLoaded
        /// The plugin was unloaded (disabled, replaced or removed) before the call ran.
        case pluginUnloaded
        /// A new instance could not be created.
        case instantiation(String)
    }

    public init(pluginID: String, export: String, reason: Reason) {
        self.pluginID = pluginID
        self.export = export
        self.reason = reason
    }

    /// Missing export or exit code −2.
    public var isNotImplemented: Bool {
        if case .notImplemented = reason { true } else { false }
    }

    /// The plugin's own error text, when it set one.
    public var pluginMessage: String? {
        if case .pluginError(let text) = reason { text } else { nil }
    }

    public var description: String {
        let subject = "plugin \"\(pluginID)\" \(export)"
        switch reason {
        case .notImplemented(let missing):
            return missing ? "\(subject): function not found" : "\(subject): function not implemented"
        case .pluginError(let text): return "\(subject): \(text)"
        case .exitCode(let code): return "\(subject): plugin call exited with code \(code)"
        case .trap(let text): return "\(subject): trapped: \(text)"
        case .timeout(let seconds): return "\(subject): timed out after \(GoJSONWriter.number(seconds)) s"
        case .pluginNotLoaded: return "\(subject): plugin is not loaded"
        case .pluginUnloaded: return "\(subject): plugin was unloaded"
        case .instantiation(let text): return "\(subject): cannot create an instance: \(text)"
        }
    }
}
