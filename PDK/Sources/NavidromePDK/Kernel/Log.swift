/// Extism log levels, in the kernel's numbering.
public enum LogLevel: Int32 {
    case trace = 0
    case debug = 1
    case info = 2
    case warn = 3
    case error = 4
}

/// Logging through the host. Messages below the host's level are skipped before any copying.
public enum Log {
    /// The host's current level, or `nil` when logging is off.
    public static var hostLevel: LogLevel? {
        LogLevel(rawValue: extism_get_log_level())
    }

    /// Whether a message at `level` would be recorded.
    public static func isEnabled(_ level: LogLevel) -> Bool {
        guard let current = hostLevel else { return false }
        return level.rawValue >= current.rawValue
    }

    public static func write(_ level: LogLevel, _ message: String) {
        guard isEnabled(level) else { return }
        let block = MemoryBlock.allocate(message.utf8.isEmpty ? " " : message)
        switch level {
        case .trace: extism_log_trace(block.offset)
        case .debug: extism_log_debug(block.offset)
        case .info: extism_log_info(block.offset)
        case .warn: extism_log_warn(block.offset)
        case .error: extism_log_error(block.offset)
        }
    }

    public static func trace(_ message: String) { write(.trace, message) }
    public static func debug(_ message: String) { write(.debug, message) }
    public static func info(_ message: String) { write(.info, message) }
    public static func warn(_ message: String) { write(.warn, message) }
    public static func error(_ message: String) { write(.error, message) }
}
