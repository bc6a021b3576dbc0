import Foundation
import HostServices
import Logging
import PluginRuntime
import Testing

@testable import TonearmServer

@Suite struct HostServiceSetTests {
    /// A plugin that declares `subsonicapi` (like the Discord plugin) must load on a Tonearm fed
    /// only by ListenBrainz, with no [Subsonic] URL; its calls then fail with a clear error.
    @Test func subsonicAPIExistsWithoutAnUpstreamAndExplainsItself() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-hss-\(UUID().uuidString)")
        var configuration = TonearmConfiguration()
        configuration.plugins.dataFolder = folder.appendingPathComponent("data").path
        configuration.plugins.pluginsFolder = folder.appendingPathComponent("plugins").path
        let set = try HostServiceSet(configuration: configuration, logger: Logger(label: "test"))
        let subsonic = try #require(set.services.first { $0.permission == "subsonicapi" })
        let context = PluginContext(
            id: "p", permissions: PluginPermissions(declared: ["subsonicapi", "users"]), config: [:],
            access: PluginAccess(allUsers: true, users: [], allowAdmins: false, directory: set.users), extraHosts: [],
            callbacks: NoCallbacks(), logger: Logger(label: "test"))
        set.users.noteSeen("alice")
        let call = try #require(subsonic.functions(for: context)["subsonicapi_call"])
        // Host functions block their thread, as on a plugin-call thread: keep them off the pool.
        let bytes = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: call(Array(#"{"uri":"ping?u=alice"}"#.utf8))) }.start()
        }
        let response = String(decoding: bytes, as: UTF8.self)
        #expect(response.contains("[Subsonic] URL"), "got \(response)")
        await set.shutdown()
    }
}

private struct NoCallbacks: PluginCallbacks {
    func call(export: String, input: [UInt8]) async throws -> [UInt8] { [] }
    func exports(_ export: String) -> Bool { false }
}
