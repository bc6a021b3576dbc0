/// A block of Extism kernel memory: the only way data crosses between plugin and host.
/// All pointer and length handling of the PDK lives here.
public struct MemoryBlock {
    /// Offset of the block in kernel memory (0 = none).
    public let offset: Int64
    /// Length of the block in bytes.
    public let length: Int64

    /// The block starting at `offset` (as returned by a host function); length 0 if none.
    public init(offset: Int64) {
        self.offset = offset
        self.length = offset == 0 ? 0 : extism_length(offset)
    }

    /// A new kernel block holding `bytes` (offset 0 when empty: Extism has no empty blocks).
    public static func allocate(_ bytes: [UInt8]) -> MemoryBlock {
        bytes.withUnsafeBufferPointer { allocate($0) }
    }

    /// A new kernel block holding the UTF-8 bytes of `text`.
    @inline(never)
    public static func allocate(_ text: String) -> MemoryBlock {
        var text = text
        return text.withUTF8 { allocate($0) }
    }

    @inline(never)
    static func allocate(_ buffer: UnsafeBufferPointer<UInt8>) -> MemoryBlock {
        guard buffer.count > 0 else { return MemoryBlock(offset: 0, length: 0) }
        let offset = extism_alloc(Int64(buffer.count))
        store(buffer, at: offset)
        return MemoryBlock(offset: offset, length: Int64(buffer.count))
    }

    init(offset: Int64, length: Int64) {
        self.offset = offset
        self.length = length
    }

    /// A copy of the block's bytes.
    public func bytes() -> [UInt8] {
        guard offset != 0 else { return [] }
        let base = offset
        return Self.load(count: Int(length), word: { extism_load_u64(base + $0) }, byte: { extism_load_u8(base + $0) })
    }

    /// `count` bytes read from the kernel eight at a time (`word(i)` loads bytes i..<i+8); a
    /// tail shorter than eight is read as the overlapping last word, `byte` only for tiny blocks.
    @inline(never)
    static func load(count n: Int, word: (Int64) -> UInt64, byte: (Int64) -> UInt8) -> [UInt8] {
        guard n > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
            count = fill(buffer, count: n, word: word, byte: byte)
        }
    }

    /// Fills the first `n` bytes of `buffer` from the kernel (see ``load(count:word:byte:)``);
    /// returns `n`.
    private static func fill(
        _ buffer: UnsafeMutableBufferPointer<UInt8>, count n: Int, word: (Int64) -> UInt64, byte: (Int64) -> UInt8
    ) -> Int {
        let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
        var i = 0
        while i + 8 <= n {
            raw.storeBytes(of: UInt64(littleEndian: word(Int64(i))), toByteOffset: i, as: UInt64.self)
            i += 8
        }
        if i < n && n >= 8 {
            raw.storeBytes(of: UInt64(littleEndian: word(Int64(n - 8))), toByteOffset: n - 8, as: UInt64.self)
            i = n
        }
        while i < n {
            buffer[i] = byte(Int64(i))
            i += 1
        }
        return n
    }

    /// The block's bytes as UTF-8 text (invalid sequences are replaced), read straight into the
    /// string's storage.
    public func string() -> String {
        guard offset != 0, length > 0 else { return "" }
        let base = offset
        return String(unsafeUninitializedCapacity: Int(length)) { buffer in
            Self.fill(buffer, count: Int(length), word: { extism_load_u64(base + $0) }, byte: { extism_load_u8(base + $0) })
        }
    }

    /// Returns the block to the kernel. Not needed for blocks handed to the host.
    public func free() {
        if offset != 0 { extism_free(offset) }
    }

    static func store(_ buffer: UnsafeBufferPointer<UInt8>, at offset: Int64) {
        let n = buffer.count
        var i = 0
        if let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                extism_store_u64(offset + Int64(i), UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            if i < n && n >= 8 {  // the tail as the overlapping last word
                extism_store_u64(offset + Int64(n - 8), UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)))
                i = n
            }
        }
        while i < n {
            extism_store_u8(offset + Int64(i), buffer[i])
            i += 1
        }
    }
}
