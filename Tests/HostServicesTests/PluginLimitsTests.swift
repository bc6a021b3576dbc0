import Foundation
import GRDB
import PluginRuntime
import Testing

@testable import HostServices

/// Each per-plugin bound of ``HostServiceLimits`` gives a clear error and frees up again.
@Suite(.serialized, .timeLimit(.minutes(1))) struct PluginLimitsTests {
    @Test func defaultsCoverTheDiscordPluginAtAThousandUsers() {
        let limits = HostServiceLimits()
        #expect(limits.maxWebSocketConnections >= 1_000)
        #expect(limits.maxSchedules >= 5_000)
        #expect(limits.maxKVStoreKeys > 0 && limits.kvStorePurgeInterval > .zero)
    }

    @Test func webSocketConnectionsPerPlugin() async throws {
        let callbacks = RecordingCallbacks(exports: webSocketExports)
        let service = WebSocketService(pluginLimits: .init(maxWebSocketConnections: 2))
        let f = service.functions(for: webSocketContext(callbacks))
        let other = service.functions(for: webSocketContext(callbacks, id: "other-plugin"))
        try await withWebSocketServer { port in
            let url = "ws://127.0.0.1:\(port)/echo"
            #expect(try await invoke(f["websocket_connect"], ["url": url, "connectionId": "a"]).json["error"] == nil)
            #expect(try await invoke(f["websocket_connect"], ["url": url, "connectionId": "b"]).json["error"] == nil)
            let third = try await invoke(f["websocket_connect"], ["url": url, "connectionId": "c"])
            #expect(third.json["error"] as? String == "too many WebSocket connections: a plugin may keep at most 2 open (close one first)")
            // The bound is per plugin.
            #expect(try await invoke(other["websocket_connect"], ["url": url, "connectionId": "c"]).json["error"] == nil)
            #expect(try await invoke(f["websocket_closeconnection"], ["connectionId": "a", "code": 1000]).text == "{}")
            #expect(try await invoke(f["websocket_connect"], ["url": url, "connectionId": "c"]).json["error"] == nil)
            #expect(service.connectionIDs(of: "test-plugin") == ["b", "c"])
        }
        await service.pluginUnloaded("test-plugin")
        await service.pluginUnloaded("other-plugin")
    }

    @Test func schedulesPerPlugin() async throws {
        let service = SchedulerService(pluginLimits: .init(maxSchedules: 3))
        let f = service.functions(for: makeContext())
        for id in ["a", "b"] {
            #expect(try await invoke(f["scheduler_scheduleonetime"], ["scheduleId": id, "delaySeconds": 3600]).json["error"] == nil)
        }
        #expect(try await invoke(f["scheduler_schedulerecurring"], ["scheduleId": "c", "cronExpression": "@every 1h"]).json["error"] == nil)
        for request: [String: Any] in [
            ["scheduleId": "d", "delaySeconds": 3600], ["scheduleId": "d", "cronExpression": "@hourly"],
        ] {
            let name = request["cronExpression"] == nil ? "scheduler_scheduleonetime" : "scheduler_schedulerecurring"
            let refused = try await invoke(f[name], request)
            #expect(
                refused.json["error"] as? String
                    == "too many schedules: a plugin may hold at most 3 (cancel one or let a one-time schedule fire first)")
        }
        #expect(try await invoke(f["scheduler_cancelschedule"], ["scheduleId": "b"]).text == "{}")
        #expect(try await invoke(f["scheduler_scheduleonetime"], ["scheduleId": "d", "delaySeconds": 3600]).json["error"] == nil)
        #expect(service.scheduleIDs(of: "test-plugin") == ["a", "c", "d"])
        await service.pluginUnloaded("test-plugin")
    }

    func kvFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kv-limits-\(UUID().uuidString)")
    }

    @Test func kvStoreKeysPerPluginCountEmptyValues() async throws {
        let folder = kvFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = KVStoreService(dataFolder: folder, pluginLimits: .init(maxKVStoreKeys: 3))
        let f = service.functions(for: makeContext(permissions: .init(declared: ["kvstore"])))
        // Empty values use no quota bytes, so before the key bound nothing stopped them.
        for key in ["a", "b", "c"] {
            #expect(try await invoke(f["kvstore_set"], ["key": key]).text == "{}")
        }
        let refused = try await invoke(f["kvstore_set"], ["key": "d"])
        #expect(refused.json["error"] as? String == "key limit exceeded: the store already holds 3 keys, the most allowed per plugin (3)")
        // Overwriting a key adds none.
        #expect(try await invoke(f["kvstore_set"], ["key": "a", "value": base64("new")]).text == "{}")
        #expect(try await invoke(f["kvstore_delete"], ["key": "b"]).text == "{}")
        #expect(try await invoke(f["kvstore_set"], ["key": "d"]).text == "{}")
        #expect(try await invoke(f["kvstore_list"], [:]).json["keys"] as? [String] == ["a", "c", "d"])
        await service.pluginUnloaded("test-plugin")
    }

    @Test func expiredKVStoreRowsArePurgedWhileTheStoreIsOpen() async throws {
        let folder = kvFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let service = KVStoreService(dataFolder: folder, pluginLimits: .init(maxKVStoreKeys: 2, kvStorePurgeInterval: .milliseconds(200)))
        let f = service.functions(for: makeContext(permissions: .init(declared: ["kvstore"])))
        #expect(try await invoke(f["kvstore_setwithttl"], ["key": "short", "value": base64("x"), "ttlSeconds": 1]).text == "{}")
        #expect(try await invoke(f["kvstore_set"], ["key": "kept", "value": base64("y")]).text == "{}")
        // SQLite's datetime('now') has whole seconds: wait until the row is surely expired.
        try await Task.sleep(for: .milliseconds(2200))
        // An expired key no longer counts towards the bound.
        #expect(try await invoke(f["kvstore_set"], ["key": "later", "value": base64("z")]).text == "{}")
        let path = folder.appendingPathComponent("plugins/test-plugin/kvstore.db").path
        let rows = try await DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT key FROM kvstore ORDER BY key") }
        #expect(rows == ["kept", "later"])
        await service.pluginUnloaded("test-plugin")
    }
}
