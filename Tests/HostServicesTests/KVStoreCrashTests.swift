import Foundation
import PluginRuntime
import Testing

@testable import HostServices

/// Acknowledged KVStore writes survive a process killed with SIGKILL: the test binary runs
/// itself as a child that writes and acknowledges keys, then kills itself mid-stream.
@Suite(.timeLimit(.minutes(3))) struct KVStoreCrashTests {
    static let folderVariable = "TONEARM_KV_CRASH_FOLDER"
    static let writes = 150

    @Test func acknowledgedWritesSurviveAKilledProcess() async throws {
        let folder = try temporaryFolder()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "childWritesThenKillsItself"]
        child.environment = ProcessInfo.processInfo.environment.merging([Self.folderVariable: folder.path]) { $1 }
        let output = Pipe()
        child.standardOutput = output
        child.standardError = FileHandle.nullDevice
        try child.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)
        let acked = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("ACK ") }
        #expect(acked.count == Self.writes)

        let service = KVStoreService(dataFolder: folder)
        let f = service.functions(for: makeContext(id: "crash"))
        for line in acked {
            let key = String(line.dropFirst(4))
            #expect(try await invoke(f["kvstore_get"], ["key": key]).json["value"] as? String == base64("value-\(key)"))
        }
        await service.pluginUnloaded("crash")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[folderVariable] != nil))
    func childWritesThenKillsItself() async throws {
        let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment[Self.folderVariable]!)
        let f = KVStoreService(dataFolder: folder).functions(for: makeContext(id: "crash"))
        for i in 0..<Self.writes {
            let key = "k\(i)"
            let response = try await invoke(f["kvstore_set"], ["key": key, "value": base64("value-\(key)")])
            if response.text == "{}" {
                FileHandle.standardOutput.write(Data("ACK \(key)\n".utf8))
            }
        }
        kill(getpid(), SIGKILL)
    }
}
