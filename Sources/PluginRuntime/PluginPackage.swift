import Foundation

/// A `.ndp` package: a zip holding `manifest.json` and `plugin.wasm` at its root (entries in
/// subfolders are not found, other entries are ignored, as in Navidrome).
public struct PluginPackage: Sendable {
    /// The plugin id: the file name without `.ndp`.
    public let id: String
    /// The package file.
    public let path: String
    public let manifest: PluginManifest
    public let wasm: [UInt8]
    /// Size, modification time and inode of the file, to notice replacements.
    public let fingerprint: FileFingerprint

    /// The most bytes `manifest.json` and `plugin.wasm` may take once uncompressed.
    public static let maxManifestBytes = 1024 * 1024
    public static let maxWasmBytes = 256 * 1024 * 1024

    /// Reads and checks the package at `path`.
    public init(contentsOf path: String) throws(PluginLoadError) {
        let id = try Self.pluginID(forFile: path)
        self.id = id
        self.path = path
        guard let fingerprint = FileFingerprint(path: path) else {
            throw PluginLoadError(pluginID: id, file: path, reason: "cannot read the file")
        }
        self.fingerprint = fingerprint
        let archive = try Self.openArchive(path, id: id)
        let manifestBytes = try Self.extract("manifest.json", from: archive, id: id, path: path, limit: Self.maxManifestBytes)
        wasm = try Self.extract("plugin.wasm", from: archive, id: id, path: path, limit: Self.maxWasmBytes)
        do {
            manifest = try PluginManifest(json: manifestBytes, file: path)
        } catch {
            throw PluginLoadError(pluginID: id, file: path, reason: error.description)
        }
    }

    /// Reads the two entries independently, so that `validate` can report problems in both.
    static func entries(
        at path: String, id: String
    ) throws(PluginLoadError) -> (manifest: Result<[UInt8], PluginLoadError>, wasm: Result<[UInt8], PluginLoadError>) {
        let archive = try openArchive(path, id: id)
        func read(_ name: String, _ limit: Int) -> Result<[UInt8], PluginLoadError> {
            do {
                return .success(try extract(name, from: archive, id: id, path: path, limit: limit))
            } catch {
                return .failure(error)
            }
        }
        return (read("manifest.json", maxManifestBytes), read("plugin.wasm", maxWasmBytes))
    }

    private static func openArchive(_ path: String, id: String) throws(PluginLoadError) -> PackageArchive {
        do {
            return try PackageArchive(contentsOf: path)
        } catch {
            throw PluginLoadError(pluginID: id, file: path, reason: "not a valid .ndp package (\(error.message))")
        }
    }

    /// The plugin id for a package file, checked as Navidrome checks it.
    public static func pluginID(forFile path: String) throws(PluginLoadError) -> String {
        let fileName = (path as NSString).lastPathComponent
        guard fileName.hasSuffix(".ndp") else {
            throw PluginLoadError(pluginID: fileName, file: path, reason: "a plugin package's name must end in .ndp")
        }
        let id = String(fileName.dropLast(4))
        if id.isEmpty || id == "." || id == ".." || id.contains("/") || id.contains("\\")
            || id.hasSuffix(".") || id.hasSuffix(" ")
        {
            throw PluginLoadError(pluginID: id, file: path, reason: "\"\(id)\" is not a valid plugin id")
        }
        return id
    }

    private static func extract(
        _ name: String, from archive: PackageArchive, id: String, path: String, limit: Int
    ) throws(PluginLoadError) -> [UInt8] {
        let bytes: [UInt8]?
        do {
            bytes = try archive.read(name, limit: limit)
        } catch {
            throw PluginLoadError(pluginID: id, file: path, reason: "cannot extract \(name): \(error.message)")
        }
        guard let bytes else { throw PluginLoadError(pluginID: id, file: path, reason: "package missing \(name)") }
        return bytes
    }
}

/// Size, modification time and inode of a file, to notice replacements.
public struct FileFingerprint: Sendable, Equatable {
    public let size: UInt64
    public let modified: Date
    public let inode: UInt64

    public init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? NSNumber, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        self.size = size.uint64Value
        self.modified = modified
        self.inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
    }
}

/// A plugin that could not be loaded; the plugin is not loaded, others are unaffected.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable {
    public let pluginID: String
    public let file: String
    public let reason: String

    public init(pluginID: String, file: String, reason: String) {
        self.pluginID = pluginID
        self.file = file
        self.reason = reason
    }

    public var description: String { "plugin \"\(pluginID)\": \(reason)" }
}
