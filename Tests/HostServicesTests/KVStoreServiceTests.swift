import Foundation
import PluginRuntime
import TestSupport
import Testing

@testable import HostServices

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tonearm-kv-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite(.timeLimit(.minutes(2))) struct KVStoreServiceTests {
    @Test func allCallsWithNavidromeShapes() async throws {
        let folder = try temporaryFolder()
        let service = KVStoreService(dataFolder: folder)
        let f = service.functions(for: makeContext(permissions: .init(declared: ["kvstore"])))
        #expect(try await invoke(f["kvstore_set"], ["key": "user:alice", "value": base64("one")]).text == "{}")
        _ = try await invoke(f["kvstore_set"], ["key": "user:bob", "value": base64("two")])
        _ = try await invoke(f["kvstore_set"], ["key": "USER:carol", "value": base64("three")])
        _ = try await invoke(f["kvstore_set"], ["key": "other", "value": base64("x")])
        #expect(try await invoke(f["kvstore_get"], ["key": "user:alice"]).text == #"{"value":"b25l","exists":true}"#)
        #expect(try await invoke(f["kvstore_get"], ["key": "nope"]).text == "{}")
        #expect(try await invoke(f["kvstore_has"], ["key": "user:bob"]).text == #"{"exists":true}"#)
        #expect(
            try await invoke(f["kvstore_getmany"], ["keys": ["user:alice", "nope", "other"]]).text
                == #"{"values":{"other":"eA==","user:alice":"b25l"}}"#)
        // Prefix matching ignores ASCII case, as Navidrome's SQLite LIKE does.
        #expect(
            try await invoke(f["kvstore_list"], ["prefix": "user:"]).text == #"{"keys":["USER:carol","user:alice","user:bob"]}"#)
        #expect(try await invoke(f["kvstore_list"], ["prefix": "%"]).text == "{}")  // LIKE wildcards are literal
        #expect(try await invoke(f["kvstore_getstorageused"]).text == #"{"bytes":12}"#)
        #expect(try await invoke(f["kvstore_deletebyprefix"], ["prefix": "user:"]).text == #"{"deletedCount":3}"#)
        #expect(try await invoke(f["kvstore_deletebyprefix"], ["prefix": ""]).json["error"] as? String == "prefix cannot be empty")
        #expect(try await invoke(f["kvstore_delete"], ["key": "other"]).text == "{}")
        #expect(try await invoke(f["kvstore_delete"], ["key": "missing"]).text == "{}")
        #expect(try await invoke(f["kvstore_getstorageused"]).text == "{}")
        #expect(try await invoke(f["kvstore_set"], ["key": "", "value": ""]).json["error"] as? String == "key cannot be empty")
        let long = String(repeating: "k", count: 257)
        #expect((try await invoke(f["kvstore_set"], ["key": long, "value": ""]).json["error"] as? String)?.contains("256") == true)
        await service.pluginUnloaded("test-plugin")
    }

    @Test func ttlEntriesExpire() async throws {
        let service = KVStoreService(dataFolder: try temporaryFolder())
        let f = service.functions(for: makeContext())
        #expect(try await invoke(f["kvstore_setwithttl"], ["key": "k", "value": base64("v"), "ttlSeconds": 0]).json["error"] != nil)
        // A 3 s lifetime (longer under sanitizers) leaves a loaded machine time to read the entry
        // back before it expires.
        let lifetime = Int((3 * testTimeScale).rounded())
        _ = try await invoke(f["kvstore_setwithttl"], ["key": "k", "value": base64("v"), "ttlSeconds": lifetime])
        #expect(try await invoke(f["kvstore_has"], ["key": "k"]).text == #"{"exists":true}"#)
        try await Task.sleep(for: .seconds(lifetime) + .milliseconds(1200))
        #expect(try await invoke(f["kvstore_get"], ["key": "k"]).text == "{}")
        #expect(try await invoke(f["kvstore_list"], ["prefix": "k"]).text == "{}")
        #expect(try await invoke(f["kvstore_getstorageused"]).text == "{}")
        await service.pluginUnloaded("test-plugin")
    }

    @Test func quotaFromManifestIsEnforced() async throws {
        let service = KVStoreService(dataFolder: try temporaryFolder())
        let f = service.functions(for: makeContext(permissions: .init(declared: ["kvstore"], kvStoreMaxSize: "1KB")))
        let block = base64(String(repeating: "a", count: 600))
        #expect(try await invoke(f["kvstore_set"], ["key": "a", "value": block]).text == "{}")
        let refused = try await invoke(f["kvstore_set"], ["key": "b", "value": block]).json["error"] as? String
        #expect(refused == "storage limit exceeded: would use 1200 bytes of 1000 allowed")
        // Replacing a value with a smaller one always works; so does growing within the quota.
        #expect(try await invoke(f["kvstore_set"], ["key": "a", "value": base64("small")]).text == "{}")
        #expect(try await invoke(f["kvstore_set"], ["key": "b", "value": block]).text == "{}")
        await service.pluginUnloaded("test-plugin")

        #expect(try ByteSize.parse("1MiB") == 1_048_576)
        #expect(try ByteSize.parse("1MB") == 1_000_000)
        #expect(try ByteSize.parse("512 kb") == 512_000)
        #expect(throws: HostServiceError.self) { try ByteSize.parse("lots") }
        let bad = service.functions(for: makeContext(id: "bad", permissions: .init(kvStoreMaxSize: "12XB")))
        #expect((try await invoke(bad["kvstore_get"], ["key": "a"]).json["error"] as? String)?.contains("unknown unit") == true)
    }

    @Test func pluginsAreIsolatedAndDataSurvivesReopen() async throws {
        let folder = try temporaryFolder()
        let first = KVStoreService(dataFolder: folder)
        _ = try await invoke(first.functions(for: makeContext(id: "one"))["kvstore_set"], ["key": "k", "value": base64("kept")])
        #expect(try await invoke(first.functions(for: makeContext(id: "two"))["kvstore_has"], ["key": "k"]).text == "{}")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("plugins/one/kvstore.db").path))
        // A second service instance (as after a restart, without a clean close of the first).
        let second = KVStoreService(dataFolder: folder)
        #expect(
            try await invoke(second.functions(for: makeContext(id: "one"))["kvstore_get"], ["key": "k"]).text
                == #"{"value":"a2VwdA==","exists":true}"#)
        await first.pluginUnloaded("one")
        await second.pluginUnloaded("one")
    }
}
