import Foundation

/// `<DataFolder>/plugins.json`: which plugins the operator disabled (`{"disabled": [ids]}`).
///
/// A missing file means nothing is disabled. A file that exists but cannot be read or parsed is
/// an error, never "nothing disabled": the operator's choices are unknown then, and a plugin
/// they disabled must not come back on its own. Writes are durable: a temporary file is written
/// and synced, renamed over the old one, and the folder is synced.
public struct PluginStateStore: Sendable {
    public let file: String

    public init(dataFolder: String) {
        file = (dataFolder as NSString).appendingPathComponent("plugins.json")
    }

    private struct Contents: Codable {
        var disabled: [String]
    }

    /// Ids of disabled plugins (none when the file does not exist).
    public func disabled() throws(PluginStateError) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: file) else {
            guard FileManager.default.fileExists(atPath: file) else { return [] }
            throw PluginStateError(file: file, problem: "cannot be read")
        }
        do {
            return Set(try JSONDecoder().decode(Contents.self, from: data).disabled)
        } catch {
            throw PluginStateError(file: file, problem: "is not a JSON object {\"disabled\": [plugin ids]} (\(error))")
        }
    }

    /// Records plugin `id` as disabled or enabled.
    public func setDisabled(_ id: String, _ isDisabled: Bool) throws(PluginStateError) {
        var set = try disabled()
        if isDisabled { set.insert(id) } else { set.remove(id) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(Contents(disabled: set.sorted()))
        } catch {
            throw PluginStateError(file: file, problem: "cannot be encoded (\(error))")
        }
        try replaceFile(with: Array(bytes))
    }

    /// Writes `bytes` to a temporary file beside ``file``, syncs it, renames it over ``file`` and
    /// syncs the folder, so that after a crash the file holds either the old or the new list.
    private func replaceFile(with bytes: [UInt8]) throws(PluginStateError) {
        func fail(_ what: String) -> PluginStateError {
            PluginStateError(file: file, problem: "cannot be written: \(what) failed (\(String(cString: strerror(errno))))")
        }
        let folder = (file as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PluginStateError(file: file, problem: "cannot be written: cannot create \(folder) (\(error))")
        }
        let temporary = file + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw fail("open") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress.map { $0 + written }, buffer.count - written)
            }
            guard count > 0 else {
                let error = fail("write")
                close(descriptor)
                unlink(temporary)
                throw error
            }
            written += count
        }
        guard fsync(descriptor) == 0 else {
            let error = fail("fsync")
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, file) == 0 else {
            let error = fail("rename")
            unlink(temporary)
            throw error
        }
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderDescriptor >= 0 else { throw fail("open of the folder") }
        defer { close(folderDescriptor) }
        guard fsync(folderDescriptor) == 0 else { throw fail("fsync of the folder") }
    }
}

/// `plugins.json` cannot be read or written; the text says which file and why.
public struct PluginStateError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let problem: String

    public var description: String { "\(file) \(problem)" }
}
