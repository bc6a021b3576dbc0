import Foundation

/// Where the benchmark finds what it runs: this repository's release binaries and plugin package.
enum BenchPaths {
    /// Repository root, from this file's location.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `TONEARM_BIN_DIR`, else `<repo>/.build/release`.
    static var binaryFolder: URL {
        if let folder = ProcessInfo.processInfo.environment["TONEARM_BIN_DIR"], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        return root.appendingPathComponent(".build/release")
    }

    /// `TONEARM_PLUGINS_DIR`, else `<repo>/build/plugins` (written by `scripts/build-plugins`).
    static var pluginFolder: URL {
        if let folder = ProcessInfo.processInfo.environment["TONEARM_PLUGINS_DIR"], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        return root.appendingPathComponent("build/plugins")
    }

    /// A release executable (`tonearm`, `discord-simulator`), or an error saying how to build it.
    static func executable(_ name: String) throws -> URL {
        let file = binaryFolder.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: file.path) else {
            throw BenchError(
                "\(file.path) not found. Build it in the repository root with "
                    + "`swift build -c release --product \(name)`, or set TONEARM_BIN_DIR to a folder holding it.")
        }
        return file
    }

    /// The Discord Rich Presence package, or an error saying how to build it.
    static func discordPlugin() throws -> URL {
        try plugin("discord-rich-presence", folder: "Plugins/discord-rich-presence")
    }

    /// The package `<id>.ndp` built from `folder` (relative to the repository root), or an
    /// error saying how to build it.
    static func plugin(_ id: String, folder: String) throws -> URL {
        let file = pluginFolder.appendingPathComponent("\(id).ndp")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw BenchError(
                "\(file.path) not found. Build it with `scripts/build-plugins \(folder)` in the repository root, "
                    + "or set TONEARM_PLUGINS_DIR to a folder holding \(id).ndp.")
        }
        return file
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// Why a benchmark could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
