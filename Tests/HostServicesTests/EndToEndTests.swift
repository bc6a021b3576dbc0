import Foundation
import Logging
import PluginRuntime
import Testing
import WAT
import ZIPFoundation

@testable import HostServices

/// The services behind the real runtime: a wasm plugin (hand-written WAT on the Extism kernel)
/// passes its input to a host function and returns the host's JSON response.
@Suite(.timeLimit(.minutes(3))) struct EndToEndTests {
    static func wat(_ functions: [String]) -> String {
        let imports = functions.map {
            #"(import "extism:host/user" "\#($0)" (func $\#($0) (param i64) (result i64)))"#
        }.joined(separator: "\n")
        let exports = functions.map {
            #"(func (export "\#($0)") (result i32) (call $forward (call $\#($0) (call $input_offset))) (i32.const 0))"#
        }.joined(separator: "\n")
        return """
            (module
              (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
              (import "extism:host/env" "length" (func $length (param i64) (result i64)))
              (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
              \(imports)
              (memory (export "memory") 1)
              (func $forward (param $r i64) (call $output_set (local.get $r) (call $length (local.get $r))))
              \(exports)
            )
            """
    }

    static func load(permissions: String, functions: [String], services: [any HostService]) throws -> LoadedPlugin {
        let folder = NSTemporaryDirectory() + "tonearm-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/plugins", withIntermediateDirectories: true)
        let path = folder + "/plugins/e2e.ndp"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        let manifest = Data(#"{"name":"E2E","author":"Tonearm","version":"1.0.0","permissions":\#(permissions)}"#.utf8)
        let wasm = Data(try wat2wasm(wat(functions)))
        for (name, data) in [("manifest.json", manifest), ("plugin.wasm", wasm)] {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count)) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let configuration = PluginHostConfiguration(dataFolder: "\(folder)/data", pluginsFolder: "\(folder)/plugins")
        let loader = PluginLoader(
            configuration: configuration, services: services, users: everyone, logger: Logger(label: "test.e2e"))
        return try loader.load(path: path)
    }

    @Test func cacheCallsThroughAWasmPlugin() async throws {
        let cache = CacheService()
        let plugin = try Self.load(
            permissions: #"{"cache":{}}"#, functions: ["cache_setstring", "cache_getstring", "config_get"],
            services: [ConfigService(), cache])
        #expect(try await plugin.call(export: "cache_setstring", input: Array(#"{"key":"k","value":"v","ttlSeconds":0}"#.utf8)) == Array("{}".utf8))
        let got = try await plugin.call(export: "cache_getstring", input: Array(#"{"key":"k"}"#.utf8))
        #expect(String(decoding: got, as: UTF8.self) == #"{"value":"v","exists":true}"#)
        let bad = try await plugin.call(export: "cache_getstring", input: Array("nonsense".utf8))
        #expect(String(decoding: bad, as: UTF8.self).hasPrefix(#"{"error":"invalid JSON request"#))
        #expect(try await plugin.call(export: "config_get", input: Array(#"{"key":"none"}"#.utf8)) == Array("{}".utf8))
    }

    @Test func importingAnUndeclaredServiceFailsToLoadNamingIt() throws {
        do {
            _ = try Self.load(permissions: "{}", functions: ["kvstore_get"], services: [ConfigService(), KVStoreService(dataFolder: try temporaryFolder())])
            Issue.record("loaded without the kvstore permission")
        } catch {
            let text = "\(error)"
            #expect(text.contains("kvstore") && text.contains("permission"), "\(text)")
        }
    }
}
