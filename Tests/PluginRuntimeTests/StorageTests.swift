import Foundation
import PluginRuntime
import Testing

/// Storage: a plugin with the `storage` permission reaches `<DataFolder>/plugins/<id>/storage`
/// at `/storage` through WASI's file functions, and nothing outside it.
@Suite(.timeLimit(.minutes(1))) struct StorageTests {
    let folder: TestFolder

    init() throws { folder = try TestFolder() }

    /// Exports `write` (note.txt ← "hello"), `follow` (opens note.txt following symlinks), `read` (from-host.txt must hold "hi"), `escape`
    /// (creating ../escape.txt must fail), `leak` (opens note.txt and never closes it) and
    /// `prestat` (fd 3 is named "/storage"). Each returns 0 on success.
    static let wat = #"""
        (module
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $prestat_name (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "note.txt")
          (data (i32.const 16) "../escape.txt")
          (data (i32.const 32) "from-host.txt")
          (data (i32.const 48) "/storage")
          (data (i32.const 64) "\80\00\00\00\05\00\00\00")
          (data (i32.const 72) "\00\01\00\00\10\00\00\00")
          (data (i32.const 128) "hello")
          (func (export "write") (result i32)
            (local $errno i32) (local $fd i32)
            (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 8)
              (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 80)))
            (if (local.get $errno) (then (return (i32.add (local.get $errno) (i32.const 100)))))
            (local.set $fd (i32.load (i32.const 80)))
            (local.set $errno (call $fd_write (local.get $fd) (i32.const 64) (i32.const 1) (i32.const 84)))
            (drop (call $fd_close (local.get $fd)))
            (if (local.get $errno) (then (return (i32.add (local.get $errno) (i32.const 200)))))
            (i32.ne (i32.load (i32.const 84)) (i32.const 5)))
          (func (export "follow") (result i32)
            (call $path_open (i32.const 3) (i32.const 1) (i32.const 0) (i32.const 8)
              (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 80)))
          (func (export "read") (result i32)
            (local $errno i32) (local $fd i32)
            (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 13)
              (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 80)))
            (if (local.get $errno) (then (return (i32.add (local.get $errno) (i32.const 100)))))
            (local.set $fd (i32.load (i32.const 80)))
            (local.set $errno (call $fd_read (local.get $fd) (i32.const 72) (i32.const 1) (i32.const 88)))
            (drop (call $fd_close (local.get $fd)))
            (if (local.get $errno) (then (return (i32.add (local.get $errno) (i32.const 200)))))
            (if (i32.ne (i32.load (i32.const 88)) (i32.const 2)) (then (return (i32.const 1))))
            (i32.ne (i32.load16_u (i32.const 256)) (i32.const 0x6968)))
          (func (export "escape") (result i32)
            (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 13)
              (i32.const 9) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 80))))
          (func (export "leak") (result i32)
            (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 8)
              (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 80)))
          (func (export "prestat") (result i32)
            (local $errno i32)
            (local.set $errno (call $prestat_name (i32.const 3) (i32.const 300) (i32.const 8)))
            (if (local.get $errno) (then (return (i32.add (local.get $errno) (i32.const 100)))))
            (i64.ne (i64.load (i32.const 300)) (i64.load (i32.const 48)))))
        """#

    func load(permissions: String = #"{"storage":{}}"#) throws -> LoadedPlugin {
        let path = try folder.package("keeper", manifest: TestFolder.manifest(permissions: permissions), wat: Self.wat)
        return try testLoader(folder).load(path: path)
    }

    var storage: String { folder.path + "/data/plugins/keeper/storage" }

    @Test func thePluginReadsAndWritesItsOwnFolder() async throws {
        let plugin = try load()
        let mode = try #require(FileManager.default.attributesOfItem(atPath: storage)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue & 0o777 == 0o700)
        _ = try await plugin.call(export: "prestat", input: [])
        _ = try await plugin.call(export: "write", input: [])
        #expect(try String(contentsOfFile: storage + "/note.txt", encoding: .utf8) == "hello")
        try "hi".write(toFile: storage + "/from-host.txt", atomically: true, encoding: .utf8)
        _ = try await plugin.call(export: "read", input: [])
        _ = try await plugin.call(export: "escape", input: [])
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/data/plugins/keeper/escape.txt"))
    }

    /// A symbolic link inside the folder does not lead the plugin out of it.
    @Test func symlinksDoNotLeadOutside() async throws {
        let plugin = try load()
        let outside = folder.path + "/outside.txt"
        try "secret".write(toFile: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: storage + "/note.txt", withDestinationPath: outside)
        for export in ["follow", "write"] {
            await #expect(throws: PluginCallError.self) { try await plugin.call(export: export, input: []) }
        }
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "secret")
    }

    /// A file the plugin leaves open is closed when its call ends.
    @Test func noDescriptorOutlivesItsCall() async throws {
        let plugin = try load()
        _ = try await plugin.call(export: "write", input: [])
        // The process's descriptors open on something inside the storage folder (other suites
        // open and close sockets and files meanwhile).
        let folder = URL(fileURLWithPath: storage).resolvingSymlinksInPath().path + "/"
        func descriptorsInStorage() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count { name in
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + name)
                return target?.hasPrefix(folder) == true
            }
        }
        for _ in 0..<200 { _ = try await plugin.call(export: "leak", input: []) }
        #expect(try descriptorsInStorage() == 0)
    }

    /// Without the permission there is no folder: the file functions answer ENOSYS (52).
    @Test func withoutThePermissionThereIsNoFolder() async throws {
        let plugin = try load(permissions: "{}")
        do {
            _ = try await plugin.call(export: "write", input: [])
            Issue.record("write succeeded without the storage permission")
        } catch {
            #expect(error.reason == .exitCode(152))
        }
        #expect(!FileManager.default.fileExists(atPath: storage))
    }
}
