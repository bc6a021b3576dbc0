import Console
import Foundation
import PluginRuntime
import Synchronization

/// `.ndp` files uploaded in the console, waiting for the operator to confirm: each is checked
/// and shown (manifest, permissions, what changes when it replaces an installed plugin) before
/// it goes into the plugins folder. Kept in `<DataFolder>/console-uploads/` for at most an hour,
/// at most ``capacity`` at a time.
final class PluginUploads: Sendable {
    /// One upload.
    struct Upload: Sendable {
        let token: String
        let pluginID: String
        let path: String
        let validation: PluginValidation
        /// The permission changes, when a plugin of this id is installed.
        let replacement: PluginReplacement?
        let created: Date
    }

    static let capacity = 10
    static let lifetime: Double = 3600
    /// The largest upload accepted.
    static let maxBytes = 64 << 20

    let folder: URL
    private let uploads = Mutex<[String: Upload]>([:])

    init(dataFolder: String) {
        folder = URL(fileURLWithPath: dataFolder).appendingPathComponent("console-uploads")
        // Uploads of an earlier run were never confirmed.
        try? FileManager.default.removeItem(at: folder)
    }

    /// Stores `bytes` as `fileName` and checks it. The error says why it was not accepted.
    func stage(
        _ bytes: some Collection<UInt8>, fileName: String, manager: PluginManager
    ) async throws(ConsoleUploadError) -> Upload {
        let name = (fileName as NSString).lastPathComponent
        guard name == fileName, name.hasSuffix(".ndp"), name.count > 4, name.count <= 128,
            !name.hasPrefix("."), name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        else {
            throw ConsoleUploadError("the file name must be <plugin-id>.ndp (letters, digits, - _ .); got \"\(fileName)\"")
        }
        let pluginID: String
        do {
            pluginID = try PluginPackage.pluginID(forFile: name)
        } catch {
            throw ConsoleUploadError(error.reason)
        }
        expire()
        let token = ConsoleSessions.randomToken()
        let stagingFolder = folder.appendingPathComponent(token)
        let path = stagingFolder.appendingPathComponent(name).path
        do {
            try FileManager.default.createDirectory(at: stagingFolder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                throw ConsoleUploadError("cannot write \(path)")
            }
        } catch {
            throw ConsoleUploadError("cannot store the upload: \(error)")
        }
        let validation = await manager.validate(path: path)
        let installedPath = (manager.configuration.pluginsFolder as NSString).appendingPathComponent(name)
        var replacement: PluginReplacement?
        if FileManager.default.fileExists(atPath: installedPath), let manifest = validation.manifest {
            let old = (try? PluginPackage(contentsOf: installedPath))?.manifest.permissions ?? PluginPermissions()
            replacement = PluginReplacement(old: old, new: manifest.permissions)
        }
        let upload = Upload(
            token: token, pluginID: pluginID, path: path, validation: validation, replacement: replacement, created: Date())
        let dropped = uploads.withLock { uploads -> [Upload] in
            var dropped: [Upload] = []
            while uploads.count >= Self.capacity, let oldest = uploads.values.min(by: { $0.created < $1.created }) {
                dropped.append(uploads.removeValue(forKey: oldest.token)!)
            }
            uploads[token] = upload
            return dropped
        }
        for upload in dropped { remove(upload) }
        return upload
    }

    func upload(_ token: String) -> Upload? {
        expire()
        return uploads.withLock { $0[token] }
    }

    /// Forgets an upload and deletes its file.
    func discard(_ token: String) {
        if let upload = uploads.withLock({ $0.removeValue(forKey: token) }) { remove(upload) }
    }

    /// Moves a checked upload into the plugins folder (replacing a plugin of the same id
    /// atomically) and forgets it.
    func install(_ token: String, pluginsFolder: String) throws(ConsoleUploadError) -> Upload {
        guard let upload = uploads.withLock({ $0.removeValue(forKey: token) }) else {
            throw ConsoleUploadError("this upload is gone (uploads are kept for an hour); upload the file again")
        }
        defer { remove(upload) }
        guard upload.validation.isValid else { throw ConsoleUploadError("the package has errors; it was not installed") }
        do {
            _ = try PackageInstaller.install(upload.path, as: (upload.path as NSString).lastPathComponent, into: pluginsFolder)
        } catch {
            throw ConsoleUploadError(error.description)
        }
        return upload
    }

    private func expire(now: Date = Date()) {
        let old = uploads.withLock { uploads -> [Upload] in
            let old = uploads.values.filter { now.timeIntervalSince($0.created) > Self.lifetime }
            for upload in old { uploads[upload.token] = nil }
            return old
        }
        for upload in old { remove(upload) }
    }

    private func remove(_ upload: Upload) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(upload.token))
    }
}

/// Why an upload was not accepted or installed.
struct ConsoleUploadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
