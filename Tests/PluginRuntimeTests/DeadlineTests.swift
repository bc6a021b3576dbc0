import Foundation
import Logging
import TestSupport
import Testing
@testable import PluginRuntime

/// Instantiation and host work end at the deadline, whatever the plugin does.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DeadlineTests {
    static let loopingStart = "(module (func $spin (loop $l (br $l))) (start $spin))"
    static let loopingInitialize = #"""
        (module
          (func (export "_initialize") (loop $l (br $l)))
          (func (export "nd_on_init") (result i32) (i32.const 0)))
        """#

    func loadError(_ wat: String, id: String) throws -> String? {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.package(id, wat: wat)
        let loader = testLoader(folder, timeout: 1)
        do throws(PluginLoadError) {
            _ = try loader.load(path: path)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aStartFunctionThatLoopsFailsTheLoadAtTheDeadline() throws {
        let start = ContinuousClock.now
        #expect(try loadError(Self.loopingStart, id: "spinstart")
                == #"plugin "spinstart": initialisation did not finish within 1 s"#)
        #expect(ContinuousClock.now - start < wallTimeBound(15))
    }

    @Test func anInitializerThatLoopsFailsTheLoadAtTheDeadline() throws {
        let start = ContinuousClock.now
        #expect(try loadError(Self.loopingInitialize, id: "spininit")
                == #"plugin "spininit": initialisation did not finish within 1 s"#)
        #expect(ContinuousClock.now - start < wallTimeBound(15))
    }

    @Test func validationReportsAnInitializerThatLoops() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.package("spininit", manifest: TestFolder.manifest(), wat: Self.loopingInitialize)
        let result = testLoader(folder, timeout: 1).validate(path: path)
        #expect(result.errors == ["initialisation did not finish within 1 s"])
    }

    @Test func theManagerStaysResponsiveBesideAPluginThatLoopsAtInit() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        try folder.package("spininit", wat: Self.loopingInitialize)
        try folder.package("good", wat: #"(module (func (export "fresh") (result i32) (i32.const 0)))"#)
        let configuration = PluginHostConfiguration(
            dataFolder: "\(folder.path)/data", pluginsFolder: folder.plugins, callTimeout: 1)
        let manager = PluginManager(configuration: configuration, services: [EchoService()], users: StaticUsers(),
                                    logger: Logger(label: "test"))
        let start = ContinuousClock.now
        await manager.start()
        #expect(manager.status(of: "good")?.state == .loaded)
        #expect(manager.status(of: "spininit")?.state == .failed)
        #expect(manager.status(of: "spininit")?.lastError == "initialisation did not finish within 1 s")
        try await manager.setEnabled("good", false)
        #expect(manager.status(of: "good")?.state == .disabled)
        await manager.shutdown()
        #expect(ContinuousClock.now - start < wallTimeBound(30))
    }

    @Test func aLoopStopsOnItsFuelBudgetWithoutTheWatchdog() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.package("kernel", wat: kernelWAT)
        let loaded = try testLoader(folder, timeout: 1).load(path: path)
        let instance = try PluginInstance(
            compiled: loaded.compiled, engine: loaded.engine,
            config: [:], hostFunctions: EchoService().functions(for: loaded.context), limits: loaded.limits, storageFolder: nil,
            logSink: { _, _ in })
        let start = ContinuousClock.now
        let (outcome, reusable) = instance.call(export: "spin", input: [], trace: nil)
        #expect(outcome == .failure(PluginCallError(pluginID: "kernel", export: "spin", reason: .timeout(1))))
        #expect(!reusable)
        #expect(ContinuousClock.now - start < wallTimeBound(15))
    }

    @Test func aHostFunctionThatNeverReturnsIsCancelledAtTheDeadline() async throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.package("kernel", wat: kernelWAT)
        let plugin = try testLoader(folder, timeout: 1).load(path: path)
        let before = HangLog.shared.counts
        let calls = plugin.executor.capacity * 2
        let start = ContinuousClock.now
        let reasons = await withTaskGroup(of: PluginCallError.Reason?.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    do throws(PluginCallError) {
                        _ = try await plugin.call(export: "hang", input: [])
                        return nil
                    } catch {
                        return error.reason
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reasons == Array(repeating: .timeout(1), count: calls))
        #expect(ContinuousClock.now - start < wallTimeBound(10))
        // Every host function came back, and its work saw the cancellation.
        let until = ContinuousClock.now + .seconds(5)
        // The host function may come back before its cancelled work has recorded the cancellation.
        while HangLog.shared.counts.returned - before.returned < calls || HangLog.shared.counts.cancelled - before.cancelled < calls,
            ContinuousClock.now < until
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(HangLog.shared.counts.returned - before.returned == calls)
        #expect(HangLog.shared.counts.cancelled - before.cancelled == calls)
        #expect(String(decoding: try await plugin.call(export: "echo", input: Array("after".utf8)), as: UTF8.self) == "after")
    }
}
