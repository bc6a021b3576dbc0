import Foundation
import Logging
import Testing
@testable import PluginRuntime

/// `plugins.json`: durable writes; an unreadable file never re-enables a disabled plugin.
@Suite(.timeLimit(.minutes(1))) struct PluginStateStoreTests {
    @Test func writesRoundTripWithoutLeftovers() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let store = PluginStateStore(dataFolder: folder.path + "/data")
        #expect(try store.disabled() == [])
        try store.setDisabled("b", true)
        try store.setDisabled("a", true)
        try store.setDisabled("b", false)
        #expect(try store.disabled() == ["a"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/data") == ["plugins.json"])
    }

    @Test func aCorruptFileIsAnErrorNotAnEmptyList() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let store = PluginStateStore(dataFolder: folder.path)
        try Data("{\"disabled\": [\"a\"".utf8).write(to: URL(fileURLWithPath: store.file))
        #expect(throws: PluginStateError.self) { try store.disabled() }
        #expect(throws: PluginStateError.self) { try store.setDisabled("b", true) }
        #expect(try String(contentsOfFile: store.file, encoding: .utf8) == "{\"disabled\": [\"a\"", "kept as it was")
    }

    @Test func aDisabledPluginStaysOffWhilePluginsJSONIsUnreadable() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        try folder.package("one", wat: #"(module (func (export "fresh") (result i32) (i32.const 0)))"#)
        let configuration = PluginHostConfiguration(dataFolder: "\(folder.path)/data", pluginsFolder: folder.plugins)
        let store = PluginStateStore(dataFolder: configuration.dataFolder)
        try store.setDisabled("one", true)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: store.file))
        let manager = PluginManager(configuration: configuration, services: [], users: StaticUsers(),
                                    logger: Logger(label: "test"))
        await manager.start()
        #expect(manager.loadedPlugin("one") == nil)
        let status = try #require(manager.status(of: "one"))
        #expect(status.state == .failed)
        #expect(status.lastError?.contains("plugins.json") == true)
        #expect(status.lastError?.contains("no plugin is started until it is fixed or removed") == true)
        // Fixed: the operator's choice applies again.
        try FileManager.default.removeItem(atPath: store.file)
        try store.setDisabled("one", true)
        await manager.rescan()
        #expect(manager.status(of: "one")?.state == .disabled)
        try await manager.setEnabled("one", true)
        #expect(manager.status(of: "one")?.state == .loaded)
        await manager.shutdown()
    }
}
