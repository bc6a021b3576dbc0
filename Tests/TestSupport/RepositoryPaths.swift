import Foundation

/// Where things are in the repository and its build, for tests.
public enum RepositoryPaths {
    /// The repository root.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder holding this build's products (the test bundle and the executables).
    public static var products: URL {
        // The test runner lives in the products folder (`.build/<triple>/debug/*.xctest`).
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = runner.deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("tonearm").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug")
    }

    /// A built executable of this package (`tonearm`, `discord-simulator`).
    public static func executable(_ name: String) -> URL {
        products.appendingPathComponent(name)
    }

    /// A plugin package built by `scripts/build-plugins`; builds the plugins when it is missing.
    public static func plugin(_ id: String) throws -> URL {
        let file = root.appendingPathComponent("build/plugins/\(id).ndp")
        if !FileManager.default.fileExists(atPath: file.path) {
            let build = Process()
            build.executableURL = root.appendingPathComponent("scripts/build-plugins")
            build.arguments = [root.appendingPathComponent("Plugins/\(id)").path]
            try build.run()
            build.waitUntilExit()
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw TestSupportError("scripts/build-plugins did not produce \(file.path)")
        }
        return file
    }

    /// A fresh temporary folder.
    public static func temporaryFolder(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// A test fixture that could not be set up.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
