import Foundation
import ZIPFoundation

/// The zip container of a `.ndp` package, read from memory with every offset and size checked
/// against the bytes that are there. Only stored and deflated root-level files are read.
///
/// Tonearm reads the archive itself instead of through `ZIPFoundation.Archive`: that reader
/// feeds a deflated entry from the open file without regard to the entry's compressed size,
/// so a deflate stream cut short spins forever at the end of the file. Here the inflater gets
/// exactly the entry's compressed bytes and fails when they run out.
struct PackageArchive {
    /// A file in the zip's central directory.
    struct Entry {
        let method: UInt16
        let crc32: UInt32
        let compressedSize: Int
        let uncompressedSize: Int
        let localHeaderOffset: Int
    }

    /// Why the archive or an entry cannot be read.
    struct Failure: Error {
        let message: String
    }

    /// The most bytes a package file may have.
    static let maxFileBytes = 512 * 1024 * 1024

    private let bytes: [UInt8]
    /// Root-level files by name; the first of two entries with one name wins.
    private let entries: [String: Entry]

    /// Reads the file at `path` and its central directory.
    init(contentsOf path: String) throws(Failure) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = (attributes[.size] as? NSNumber)?.uint64Value
        else { throw Failure(message: "cannot read the file") }
        guard size <= UInt64(Self.maxFileBytes) else {
            throw Failure(message: "the package is larger than \(Self.maxFileBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "cannot read the file")
        }
        try self.init(bytes: [UInt8](data))
    }

    init(bytes: [UInt8]) throws(Failure) {
        self.bytes = bytes
        self.entries = try Self.centralDirectory(of: bytes)
    }

    /// Whether the archive has a root-level file `name`.
    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The uncompressed bytes of `name`, or nil when there is no such file. Throws when the
    /// entry is larger than `limit` or damaged.
    func read(_ name: String, limit: Int) throws(Failure) -> [UInt8]? {
        guard let entry = entries[name] else { return nil }
        guard entry.uncompressedSize <= limit else {
            throw Failure(message: "\(name) is larger than \(limit) bytes")
        }
        let header = entry.localHeaderOffset
        guard header <= bytes.count - 30, Self.uint32(bytes, header) == 0x0403_4b50 else {
            throw Failure(message: "\(name): the local file header is missing")
        }
        let dataStart = header + 30 + Int(Self.uint16(bytes, header + 26)) + Int(Self.uint16(bytes, header + 28))
        guard dataStart <= bytes.count, entry.compressedSize <= bytes.count - dataStart else {
            throw Failure(message: "\(name): the data runs past the end of the file")
        }
        let compressed = bytes[dataStart..<(dataStart + entry.compressedSize)]
        let output: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw Failure(message: "\(name): stored sizes disagree")
            }
            output = Array(compressed)
        case 8:
            output = try Self.inflate(compressed, name: name, limit: min(limit, entry.uncompressedSize))
        default:
            throw Failure(message: "\(name): unsupported compression method \(entry.method)")
        }
        guard output.count == entry.uncompressedSize else {
            throw Failure(message: "\(name): \(output.count) bytes where the directory says \(entry.uncompressedSize)")
        }
        guard Self.crc32(output) == entry.crc32 else {
            throw Failure(message: "\(name): checksum mismatch")
        }
        return output
    }

    // MARK: Reading the directory

    private static func centralDirectory(of bytes: [UInt8]) throws(Failure) -> [String: Entry] {
        guard let end = endOfCentralDirectory(in: bytes) else {
            throw Failure(message: "not a zip archive")
        }
        let count = Int(uint16(bytes, end + 10))
        let size = Int(uint32(bytes, end + 12))
        let start = Int(uint32(bytes, end + 16))
        guard start <= end, size <= end - start else {
            throw Failure(message: "the zip directory lies outside the file")
        }
        var entries: [String: Entry] = [:]
        var position = start
        for _ in 0..<count {
            guard position <= end - 46, uint32(bytes, position) == 0x0201_4b50 else {
                throw Failure(message: "the zip directory is damaged")
            }
            let nameLength = Int(uint16(bytes, position + 28))
            let extraLength = Int(uint16(bytes, position + 30))
            let commentLength = Int(uint16(bytes, position + 32))
            let next = position + 46 + nameLength + extraLength + commentLength
            guard next <= end else { throw Failure(message: "the zip directory is damaged") }
            let name = String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self)
            let compressedSize = uint32(bytes, position + 20)
            let uncompressedSize = uint32(bytes, position + 24)
            let offset = uint32(bytes, position + 42)
            let mode = uint32(bytes, position + 38) >> 16 & 0o170000
            let isFile = !name.hasSuffix("/") && mode != 0o040000 && mode != 0o120000
            if isFile, entries[name] == nil {
                guard compressedSize != .max, uncompressedSize != .max, offset != .max else {
                    throw Failure(message: "\(name): ZIP64 entries are not supported")
                }
                entries[name] = Entry(
                    method: uint16(bytes, position + 10), crc32: uint32(bytes, position + 16),
                    compressedSize: Int(compressedSize), uncompressedSize: Int(uncompressedSize),
                    localHeaderOffset: Int(offset))
            }
            position = next
        }
        return entries
    }

    /// Where the end-of-central-directory record starts (searched backwards over the largest
    /// possible comment), or nil.
    private static func endOfCentralDirectory(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 22 else { return nil }
        let last = bytes.count - 22
        let first = max(0, last - 65_535)
        var position = last
        while position >= first {
            if uint32(bytes, position) == 0x0605_4b50 { return position }
            position -= 1
        }
        return nil
    }

    // MARK: Inflating

    private struct StreamEnded: Error {}
    private struct TooLarge: Error {}

    /// Inflates a raw deflate stream that must end within `compressed` and give at most `limit` bytes.
    private static func inflate(_ compressed: ArraySlice<UInt8>, name: String, limit: Int) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(limit)
        let base = compressed.startIndex
        do {
            _ = try Data.decompress(
                size: Int64(compressed.count), bufferSize: 64 * 1024, skipCRC32: true,
                provider: { position, chunkSize in
                    guard position >= 0, position < Int64(compressed.count) else { throw StreamEnded() }
                    let start = base + Int(position)
                    return Data(compressed[start..<min(start + chunkSize, compressed.endIndex)])
                },
                consumer: { chunk in
                    guard chunk.count <= limit - output.count else { throw TooLarge() }
                    output += chunk
                })
        } catch is StreamEnded {
            throw Failure(message: "\(name): the compressed data ends early")
        } catch is TooLarge {
            throw Failure(message: "\(name) is larger than the directory says")
        } catch {
            throw Failure(message: "\(name): the compressed data is corrupt")
        }
        return output
    }

    // MARK: Bytes

    private static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    /// The CRC-32 of zip, as ZIPFoundation computes it (zlib's on Linux).
    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        Data(bytes).crc32(checksum: 0)
    }
}
