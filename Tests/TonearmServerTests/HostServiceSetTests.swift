import Foundation
import HostServices
import Logging
import PluginRuntime
import Testing

@testable import TonearmServer

@Suite(.timeLimit(.minutes(2))) struct HostServiceSetTests {
    /// A plugin that declares `subsonicapi` (like the Discord plugin) must load on a Tonearm fed
    /// only by ListenBrainz, with no [Subsonic] URL; its calls then fail with a clear error.
    /// The services of a Tonearm with the embedded defaults, in a scratch folder.
    func defaultServices() throws -> HostServiceSet {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-hss-\(UUID().uuidString)")
        var configuration = TonearmConfiguration()
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
        return try HostServiceSet(configuration: configuration, logger: Logger(label: "test"))
    }

    /// `[Plugins]` `MaxSchedules` reaches the Scheduler service.
    @Test func theConfiguredScheduleLimitApplies() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-hss-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = try TonearmConfiguration(toml: "[Plugins]\nMaxSchedules = 1", source: "tonearm.toml")
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
        let set = try HostServiceSet(configuration: configuration, logger: Logger(label: "test"))
        let scheduler = try #require(set.services.first { $0.permission == "scheduler" })
        let context = PluginContext(
            id: "p", permissions: PluginPermissions(declared: ["scheduler"]), config: [:],
            access: PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: set.users), extraHosts: [],
            callbacks: NoCallbacks(), logger: Logger(label: "test"))
        let schedule = try #require(scheduler.functions(for: context)["scheduler_scheduleonetime"])
        func answer(_ id: String) async -> String {
            let request = Array(#"{"scheduleId":"\#(id)","delaySeconds":3600}"#.utf8)
            // Host functions block their thread, as on a plugin-call thread: keep them off the pool.
            let bytes = await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: schedule(request)) }.start()
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(!(await answer("a")).contains("error"))
        #expect(await answer("b").contains("a plugin may hold at most 1"))
        await set.shutdown()
    }

    @Test func subsonicAPIExistsWithoutAnUpstreamAndExplainsItself() async throws {
        let set = try defaultServices()
        let subsonic = try #require(set.services.first { $0.permission == "subsonicapi" })
        let context = PluginContext(
            id: "p", permissions: PluginPermissions(declared: ["subsonicapi", "users"]), config: [:],
            access: PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: set.users), extraHosts: [],
            callbacks: NoCallbacks(), logger: Logger(label: "test"))
        set.users.noteSeen("alice")
        set.users.confirm("alice", isAdmin: false)
        let call = try #require(subsonic.functions(for: context)["subsonicapi_call"])
        // Host functions block their thread, as on a plugin-call thread: keep them off the pool.
        let bytes = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: call(Array(#"{"uri":"ping?u=alice"}"#.utf8))) }.start()
        }
        let response = String(decoding: bytes, as: UTF8.self)
        #expect(response.contains("[Subsonic] URL"), "got \(response)")
        await set.shutdown()
    }

    /// Every service of Navidrome's ABI is present, so plugins declaring Library, Matcher or
    /// ScrobbleRetriever load too (their calls then name why they fail).
    @Test func everyServiceOfNavidromesABIIsPresent() async throws {
        let set = try defaultServices()
        let prefixes = Set(set.services.map(\.functionPrefix))
        #expect(prefixes == Set(HostServiceCatalog.permissions.keys))
        let library = try #require(set.services.first { $0.functionPrefix == "library" } as? UnavailableService)
        #expect(library.permission == "library")
        #expect(set.services.first { $0.functionPrefix == "storage" } is StorageService)
        await set.shutdown()
    }
}

/// `artwork.key` signs every artwork link: it is created private (0600) and fsync'd, kept
/// across starts, and replaced when a crash left it short.
@Suite(.timeLimit(.minutes(1))) struct ArtworkKeyTests {
    @Test func theKeyIsPrivateFromTheStartAndKept() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("artwork.key")
        let key = try HostServiceSet.artworkSecret(in: folder, logger: Logger(label: "test"))
        let mode = try #require(FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o600)
        #expect(key.count >= 32)
        #expect(try HostServiceSet.artworkSecret(in: folder, logger: Logger(label: "test")) == key)

        try Data([1, 2, 3]).write(to: file)
        let replaced = try HostServiceSet.artworkSecret(in: folder, logger: Logger(label: "test"))
        #expect(replaced.count >= 32)
        #expect(Array(try Data(contentsOf: file)) == replaced)
        let replacedMode = try #require(FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)
        #expect(replacedMode.intValue & 0o777 == 0o600)
    }

    /// The key is created with O_EXCL and mode 0600: a file that appears under its name
    /// meanwhile is never overwritten or widened.
    @Test func exclusiveCreationRefusesAnExistingFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-key-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("artwork.key")
        try DurableFile.createExclusively(file, contents: Array("first".utf8))
        #expect(throws: DurableFile.Failure.self) { try DurableFile.createExclusively(file, contents: Array("second".utf8)) }
        #expect(String(decoding: try Data(contentsOf: file), as: UTF8.self) == "first")
    }

    /// `tonearm.toml` holds passwords and tokens: readable by others, it gets a warning that
    /// names the file and the fix, and never its contents.
    @Test func aConfigurationReadableByOthersIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-toml-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("tonearm.toml")
        try Data("[Subsonic]\nPassword = \"hunter2\"\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let warning = try #require(FilePrivacy.warning(for: file.path, holding: "passwords and tokens"))
        #expect(warning.contains(file.path))
        #expect(warning.contains("chmod 600"))
        #expect(!warning.contains("hunter2"))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        #expect(FilePrivacy.warning(for: file.path, holding: "passwords and tokens") != nil)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(FilePrivacy.warning(for: file.path, holding: "passwords and tokens") == nil)
    }
}

private struct NoCallbacks: PluginCallbacks {
    func call(export: String, input: [UInt8]) async throws -> [UInt8] { [] }
    func exports(_ export: String) -> Bool { false }
}
