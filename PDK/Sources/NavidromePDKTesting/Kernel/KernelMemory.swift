/// The kernel's memory: blocks keyed by their offset, over one growing byte array (so that
/// offsets inside a block, which the PDK reads eight bytes at a time, are plain indexes).
/// Offset 0 means "no block", as in Extism.
struct KernelMemory {
    private var bytes = [UInt8](repeating: 0, count: 8)
    /// Block lengths by offset.
    private var blocks: [Int64: Int64] = [:]

    /// A new zeroed block of `length` bytes (offset 0 for an empty one).
    mutating func allocate(_ length: Int64) -> Int64 {
        guard length > 0 else { return 0 }
        let offset = Int64(bytes.count)
        bytes.append(contentsOf: repeatElement(0, count: Int(length)))
        blocks[offset] = length
        return offset
    }

    /// A new block holding `content`.
    mutating func allocate(_ content: [UInt8]) -> Int64 {
        guard !content.isEmpty else { return 0 }
        let offset = Int64(bytes.count)
        bytes.append(contentsOf: content)
        blocks[offset] = Int64(content.count)
        return offset
    }

    mutating func free(_ offset: Int64) {
        blocks[offset] = nil
    }

    func length(_ offset: Int64) -> Int64 {
        blocks[offset] ?? 0
    }

    /// The bytes of the block at `offset` (empty for 0 or an unknown offset).
    func block(_ offset: Int64) -> [UInt8] {
        guard let length = blocks[offset] else { return [] }
        return Array(bytes[Int(offset)..<Int(offset + length)])
    }

    /// `length` bytes from `offset` (for `output_set`, which names its length).
    func range(_ offset: Int64, _ length: Int64) -> [UInt8] {
        guard offset > 0, length > 0 else { return [] }
        check(offset, Int(length))
        return Array(bytes[Int(offset)..<Int(offset + length)])
    }

    func load(_ address: Int64) -> UInt8 {
        check(address, 1)
        return bytes[Int(address)]
    }

    func loadWord(_ address: Int64) -> UInt64 {
        check(address, 8)
        var value: UInt64 = 0
        for i in (0..<8).reversed() {
            value = value << 8 | UInt64(bytes[Int(address) + i])
        }
        return value
    }

    mutating func store(_ address: Int64, _ value: UInt8) {
        check(address, 1)
        bytes[Int(address)] = value
    }

    mutating func storeWord(_ address: Int64, _ value: UInt64) {
        check(address, 8)
        for i in 0..<8 {
            bytes[Int(address) + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))
        }
    }

    private func check(_ address: Int64, _ count: Int) {
        precondition(address >= 8 && Int(address) + count <= bytes.count,
                     "plugin accessed kernel memory at \(address)..<\(Int(address) + count), outside every block")
    }
}

/// Little-endian word `i..<i+8` of `bytes` (zero-padded past the end).
func littleEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in (0..<8).reversed() where offset + i < bytes.count && offset + i >= 0 {
        value |= UInt64(bytes[offset + i]) << (8 * UInt64(i))
    }
    return value
}
