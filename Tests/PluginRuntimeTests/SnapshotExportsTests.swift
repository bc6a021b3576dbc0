import Testing
import WAT
@_spi(Fuzzing) import WasmKit
@testable import PluginRuntime

@Suite struct SnapshotExportsTests {
    /// Pages of memory an instance of `wat`, rewritten with `minimumMemoryPages`, starts with.
    func initialPages(_ wat: String, minimumMemoryPages: UInt64) throws -> Int {
        let rewritten = try SnapshotExports.rewrite(try wat2wasm(wat), minimumMemoryPages: minimumMemoryPages)
        let engine = Engine()
        let module = try parseWasm(bytes: rewritten.bytes, features: engine.configuration.features)
        let instance = try module.instantiate(store: Store(engine: engine))
        let memory = try #require(instance.exports[memory: SnapshotExports.memoryName])
        return memory.byteCount / 65_536
    }

    @Test func raisesTheMemoryMinimum() throws {
        #expect(try initialPages("(module (memory 2))", minimumMemoryPages: 0) == 2)
        #expect(try initialPages("(module (memory 2))", minimumMemoryPages: 8) == 8)
        #expect(try initialPages("(module (memory 9))", minimumMemoryPages: 8) == 9)
    }

    @Test func neverPastTheMaximum() throws {
        #expect(try initialPages("(module (memory 2 3))", minimumMemoryPages: 8) == 3)
    }
}
