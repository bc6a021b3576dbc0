import Foundation
import TonearmZlib

/// The zip container of a `.ndp` package, read from memory with every offset and size checked
/// against the bytes that are there. Only stored and deflated root-level files are read.
///
/// Tonearm reads the archive itself, inflating with the system zlib directly: ZIPFoundation's
/// reader feeds a deflated entry from the open file without regard to the entry's compressed
/// size (a stream cut short spins forever at the end of the file), and its `Data.decompress`
/// tells zlib every chunk is a whole buffer long (a short last chunk of a corrupt stream is
/// read past its end). Here zlib gets exactly the entry's compressed bytes, once.
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
        try self.init(bytes: readPackageFile(path))
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

    /// Inflates a raw deflate stream that must end within `compressed` and give at most `limit`
    /// bytes, in one zlib call over the whole input (zlib reads only `compressed`'s bytes).
    private static func inflate(_ compressed: ArraySlice<UInt8>, name: String, limit: Int) throws(Failure) -> [UInt8] {
        guard compressed.count <= Int(UInt32.max), limit < Int(UInt32.max) else {
            throw Failure(message: "\(name) is too large")
        }
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(message: "\(name): zlib could not start")
        }
        defer { inflateEnd(&stream) }
        // One byte more than allowed, to tell "exactly the limit" from "more".
        var output = [UInt8](repeating: 0, count: limit + 1)
        let status = compressed.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                return TonearmZlib.inflate(&stream, Z_FINISH)
            }
        }
        let produced = output.count - Int(stream.avail_out)
        guard status == Z_STREAM_END || status == Z_OK || status == Z_BUF_ERROR else {
            throw Failure(message: "\(name): the compressed data is corrupt")
        }
        guard produced <= limit else { throw Failure(message: "\(name) is larger than the directory says") }
        guard status == Z_STREAM_END else { throw Failure(message: "\(name): the compressed data ends early") }
        output.removeLast(output.count - produced)
        return output
    }

    // MARK: Bytes

    private static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    private static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    /// The CRC-32 of zip (zlib's).
    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(TonearmZlib.crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
    }
}

/// The bytes of the file at `path`, read through one descriptor, so the size checked is
/// the size read. (Foundation's `FileManager.contents(atPath:)` leaks its buffer on an empty
/// file.)
private func readPackageFile(_ path: String) throws(PackageArchive.Failure) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw PackageArchive.Failure(message: "cannot read the file: \(String(cString: strerror(errno)))") }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
        throw PackageArchive.Failure(message: "cannot read the file: not a regular file")
    }
    guard status.st_size >= 0, UInt64(status.st_size) <= UInt64(PackageArchive.maxFileBytes) else {
        throw PackageArchive.Failure(message: "the package is larger than \(PackageArchive.maxFileBytes) bytes")
    }
    let size = Int(status.st_size)
    // One byte more than the size, to notice a file that grows while it is read.
    var bytes = [UInt8](repeating: 0, count: size + 1)
    var filled = 0
    while filled < bytes.count {
        let count = bytes.withUnsafeMutableBytes { buffer in
            read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
        }
        if count < 0 {
            if errno == EINTR { continue }
            throw PackageArchive.Failure(message: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        if count == 0 { break }
        filled += count
    }
    guard filled == size else { throw PackageArchive.Failure(message: "the file changed while it was read") }
    bytes.removeLast()
    return bytes
}
