import Foundation

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Writes that survive a crash or power loss: data is fsync'd before it counts, and a file put
/// into place by rename has its folder fsync'd too (else the rename itself may be lost).
enum DurableFile {
    /// A failed system call, naming the file and the call.
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let operation: String
        let reason: String

        init(path: String, operation: String, reason: String) {
            self.path = path
            self.operation = operation
            self.reason = reason
        }

        /// A failed system call with `errno` `code`.
        init(path: String, operation: String, code: Int32) {
            self.init(path: path, operation: operation, reason: String(cString: strerror(code)))
        }

        var description: String { "\(operation) \(path): \(reason)" }
    }

    /// Creates `url` with `data`, readable by its owner alone (`mode` from the start, never
    /// wider), fsync'd with its folder. Fails with `EEXIST` when the file is already there.
    static func createExclusively(_ url: URL, contents data: [UInt8], mode: mode_t = 0o600) throws(Failure) {
        try createFile(url, contents: data, mode: mode)
        try syncFolder(of: url)
    }

    /// Replaces `url` with `data` atomically: a temporary file (`mode`) is written and fsync'd,
    /// renamed over `url`, and the folder fsync'd.
    static func replace(_ url: URL, contents data: [UInt8], mode: mode_t = 0o600) throws(Failure) {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try createFile(temporary, contents: data, mode: mode)
        guard rename(temporary.path, url.path) == 0 else {
            let code = errno
            _ = unlink(temporary.path)
            throw Failure(path: url.path, operation: "rename", code: code)
        }
        try syncFolder(of: url)
    }

    /// Removes `url` if it exists, and fsyncs its folder.
    static func remove(_ url: URL) throws(Failure) {
        guard unlink(url.path) == 0 else {
            if errno == ENOENT { return }
            throw Failure(path: url.path, operation: "unlink", code: errno)
        }
        try syncFolder(of: url)
    }

    /// Creates the folder that holds `file` when missing.
    static func createFolder(for file: URL) throws(Failure) {
        let folder = file.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(path: folder.path, operation: "mkdir", reason: "\(error)")
        }
    }

    /// Whether the file open as `descriptor` is empty or ends with a newline.
    static func endsWithNewline(_ descriptor: Int32, path: String) throws(Failure) -> Bool {
        let size = lseek(descriptor, 0, SEEK_END)
        guard size >= 0 else { throw Failure(path: path, operation: "lseek", code: errno) }
        guard size > 0 else { return true }
        var last: UInt8 = 0
        guard pread(descriptor, &last, 1, size - 1) == 1 else {
            throw Failure(path: path, operation: "pread", code: errno)
        }
        return last == UInt8(ascii: "\n")
    }

    /// Opens `path`, retrying on `EINTR`.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(Failure) -> Int32 {
        while true {
            #if canImport(Darwin)
            let descriptor = Darwin.open(path, flags, mode)
            #elseif canImport(Glibc)
            let descriptor = Glibc.open(path, flags, mode)
            #else
            let descriptor = Musl.open(path, flags, mode)
            #endif
            if descriptor >= 0 { return descriptor }
            if errno != EINTR { throw Failure(path: path, operation: "open", code: errno) }
        }
    }

    /// Writes every byte of `data`, retrying short writes and `EINTR`.
    static func writeAll(_ descriptor: Int32, _ data: [UInt8], path: String) throws(Failure) {
        var written = 0
        while written < data.count {
            let count = data.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "write", code: errno)
            }
            written += count
        }
    }

    /// `fsync`, retrying on `EINTR`.
    static func sync(_ descriptor: Int32, path: String) throws(Failure) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw Failure(path: path, operation: "fsync", code: errno) }
        }
    }

    /// Fsyncs the folder holding `url`, so that a file created or renamed there stays.
    static func syncFolder(of url: URL) throws(Failure) {
        let folder = url.deletingLastPathComponent().path
        let descriptor = try open(folder, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { _ = close(descriptor) }
        try sync(descriptor, path: folder)
    }

    private static func createFile(_ url: URL, contents data: [UInt8], mode: mode_t) throws(Failure) {
        let descriptor = try open(url.path, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode: mode)
        do {
            try writeAll(descriptor, data, path: url.path)
            try sync(descriptor, path: url.path)
        } catch {
            _ = close(descriptor)
            _ = unlink(url.path)
            throw error
        }
        _ = close(descriptor)
    }
}
