import Foundation
import Testing

@testable import PluginRuntime

/// `.ndp` zip reading: damaged archives fail with a clear reason and never hang.
@Suite(.timeLimit(.minutes(1))) struct PackageArchiveTests {
    let folder: TestFolder
    init() throws { folder = try TestFolder() }

    func loadError(_ bytes: [UInt8], id: String) throws -> String? {
        let path = folder.plugins + "/\(id).ndp"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try PluginPackage(contentsOf: path)
            return nil
        } catch {
            return error.reason
        }
    }

    /// A deflate stream that has no end before the end of the file (found by FuzzPackage);
    /// it used to spin forever inside the zip reader.
    @Test func truncatedDeflateStreamFailsInsteadOfHanging() throws {
        let base64 =
            "UEsDBBQAAAAIACo/g13AosutNAEAAGACAAANAAAAbWFuaWZlc3QuanNvbl2RTXKDMAyF95xCw7pD2m3O0G7aXMA4Mqg1FmPLIZkMd69/0pRkg4fvSU/P1rUBaJ2asN1D+0GOJmXhS3vue4u+fcmyijKyzwUHdqj8VPEJfSB2mb91r91rpUcM2tMsN+UwIoTkaTEIxIAmJvuFjMBs40BuD5aHAMuoiuxD4urSVa8F+0BSoo0ic9jvdgPJGPtO87STGubvrC0z+olCzhVS2zWhBIvx/TcAAAgAAAANAAAAcC9wbHVnaW4ud2FzbWNILM5lZGBgAABQSwECFAMUAAAACAAqP4NdwKLLrczlGtx/o5YStfDZc0oshNt4haOh8wPbuATx5Ia72XNKLITbeIWjofMD27gE8eSGu0vVSGwR33mAW/tDwfNi8Jx2EAXIgfHsBNjku/tL3ghYcvjcb1S0knsdL+W9coh7ydpsz/I4zUscCgAAAAgAAAALAAAAcGx1Z2luLndhc21jSCzOZWRgYAAAUEsBAhQDFAAAAAgAKj+DXcCiy600AQAAYAIAAA0AAAAAAAAAAAAAAIABAAAAAG1hbmlmZXN0Lmpzb25QSwECFAMUAAAACAAqP4NdzjNLHAoAAAAIAAAACwAAAAAAAAAAAAAAgAFfAQAAcGx1Z2luLndhc21QSwUGAAAAAAIAAgB0AAAAkgEAAAAA"
        let reason = try loadError(Array(Data(base64Encoded: base64)!), id: "fuzzed")
        #expect(reason?.contains("cannot extract manifest.json") == true, "got \(reason ?? "no error")")
    }

    @Test func compressedDataCutShortIsNamed() throws {
        let good = try folder.package("good", wasm: Array(repeating: 7, count: 40_000))
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: good)))
        #expect(try loadError(bytes, id: "copy") == nil)
        // Claim a larger compressed size for plugin.wasm in the central directory, so that its
        // deflate data "continues" into what follows.
        let directory = try #require(Self.find(.directoryEntry, in: bytes, named: "plugin.wasm"))
        bytes[directory + 20] = 0xFF
        bytes[directory + 21] = 0xFF
        let reason = try loadError(bytes, id: "cut")
        #expect(reason?.hasPrefix("cannot extract plugin.wasm") == true, "got \(reason ?? "no error")")
    }

    @Test func damagedDataFailsTheChecksum() throws {
        let good = try folder.package("crc", wasm: Array(repeating: 1, count: 1000))
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: good)))
        let directory = try #require(Self.find(.directoryEntry, in: bytes, named: "plugin.wasm"))
        bytes[directory + 16] ^= 0xFF
        #expect(try loadError(bytes, id: "crc") == "cannot extract plugin.wasm: plugin.wasm: checksum mismatch")
    }

    /// Garbage in a deflate stream is named as such. (zlib now gets the entry's exact bytes: the
    /// inflater used before told it every chunk was a full buffer long, and FuzzPackage crashed
    /// it reading past a short last chunk.)
    @Test func corruptDeflateDataIsNamed() throws {
        let good = try folder.package("garbled", wasm: Array(0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: good)))
        let local = try #require(Self.find(.localHeader, in: bytes, named: "plugin.wasm"))
        for offset in (local + 60)..<(local + 160) { bytes[offset] = 0xFF }
        let reason = try loadError(bytes, id: "garbled")
        #expect(reason == "cannot extract plugin.wasm: plugin.wasm: the compressed data is corrupt", "got \(reason ?? "no error")")
    }

    /// An entry that inflates to more than its directory record says stops at that size.
    @Test func entryLargerThanItsDirectoryRecordFails() throws {
        let good = try folder.package("liar", wasm: Array(repeating: 3, count: 5000))
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: good)))
        let directory = try #require(Self.find(.directoryEntry, in: bytes, named: "plugin.wasm"))
        bytes[directory + 24...directory + 27] = [0xE8, 0x03, 0, 0]  // uncompressed size 1000
        let reason = try loadError(bytes, id: "liar")
        #expect(reason == "cannot extract plugin.wasm: plugin.wasm is larger than the directory says", "got \(reason ?? "no error")")
    }

    @Test func aFolderIsNotAPackage() throws {
        let path = folder.plugins + "/folder.ndp"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        #expect(throws: PluginLoadError.self) { try PluginPackage(contentsOf: path) }
    }

    @Test func directoryOutsideTheFileIsNotAZip() throws {
        var bytes = [UInt8](repeating: 0, count: 22)
        bytes[0...3] = [0x50, 0x4B, 0x05, 0x06]
        bytes[10] = 1
        bytes[16...19] = [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(try loadError(bytes, id: "far")?.hasPrefix("not a valid .ndp package") == true)
        #expect(try loadError([], id: "empty") == "not a valid .ndp package (not a zip archive)")
    }

    /// The two zip records that name a file: where the name's length is and where the name starts.
    enum Record {
        case localHeader, directoryEntry

        var signature: [UInt8] { self == .localHeader ? [0x50, 0x4B, 0x03, 0x04] : [0x50, 0x4B, 0x01, 0x02] }
        var nameLengthOffset: Int { self == .localHeader ? 26 : 28 }
        var nameOffset: Int { self == .localHeader ? 30 : 46 }
    }

    /// The offset of the `record` for `name`.
    static func find(_ record: Record, in bytes: [UInt8], named name: String) -> Int? {
        let nameBytes = Array(name.utf8)
        for start in 0..<(bytes.count - record.nameOffset) where Array(bytes[start..<(start + 4)]) == record.signature {
            let length = Int(bytes[start + record.nameLengthOffset]) | Int(bytes[start + record.nameLengthOffset + 1]) << 8
            if Array(bytes[(start + record.nameOffset)..<min(bytes.count, start + record.nameOffset + length)]) == nameBytes {
                return start
            }
        }
        return nil
    }
}
