/// The Extism kernel's own memory: a byte space apart from the plugin's linear memory, holding
/// the blocks that every `i64` offset of the `extism:host/env` ABI points into.
///
/// The addresses mimic the reference kernel (`extism/extism` `kernel/src/lib.rs`): addresses
/// below 65 are reserved, blocks start at 65 behind a 12-byte header gap and are packed with
/// exact sizes, so the first handle is 77 and handles stay far below 2^32. Allocation bumps; a
/// freed block is reused (first fit) only when the bump region lacks room, as in the reference.
/// Offset 0 is null.
///
/// Unlike the reference, the block metadata (status, size, used length) lives in a host-side
/// table, never in the bytes the plugin can reach: the plugin's loads and stores must fall inside
/// the data of a live block, so it can neither read stale data nor forge the allocator's state.
public final class KernelMemory {
    static let blocksStart = 65
    static let headerSize = 12

    /// One block's metadata (host side only).
    private struct Block {
        /// Where the (unused) header gap starts; the data follows it.
        var header: Int
        /// Bytes reserved for the data.
        var size: Int
        /// Bytes the block was allocated for (what `length` reports).
        var length: Int
        var isFree: Bool

        var handle: Int { header + KernelMemory.headerSize }
    }

    private var storage: UnsafeMutableRawPointer
    /// Bytes of `storage` currently addressable (grows, never shrinks).
    private(set) var capacity: Int
    /// End of the bump region: the next block's header goes here.
    private(set) var position: Int
    /// The most bytes this memory may grow to.
    public let limit: Int
    /// Every block, live or free, in address order.
    private var blocks: [Block] = []
    /// Index in `blocks` of the block the last load or store hit (plugins copy block by block).
    private var lastHit = 0

    /// Creates an empty kernel memory that may grow to `limit` bytes.
    public init(initialCapacity: Int = 64 * 1024, limit: Int = 128 * 1024 * 1024) {
        let initial = max(Self.blocksStart + Self.headerSize + 16, min(initialCapacity, limit))
        storage = .allocate(byteCount: initial, alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: initial)
        capacity = initial
        position = Self.blocksStart
        self.limit = limit
    }

    deinit { storage.deallocate() }

    /// Drops every block and zeroes what was handed out (the kernel's `reset`).
    public func reset() {
        if position > Self.blocksStart {
            (storage + Self.blocksStart).initializeMemory(
                as: UInt8.self, repeating: 0, count: position - Self.blocksStart)
        }
        position = Self.blocksStart
        blocks.removeAll(keepingCapacity: true)
        lastHit = 0
    }

    /// Allocates a zero-filled block of `count` bytes; returns its handle, or 0 for `count == 0`
    /// or when the memory limit would be exceeded.
    public func alloc(_ count: UInt64) -> UInt64 {
        guard count > 0, count <= UInt64(UInt32.max) else { return 0 }
        let size = Int(count)
        let needed = Self.headerSize + size
        if position + needed > capacity {
            if let reused = reuseFreeBlock(size: size) { return reused }
            guard grow(toHold: position + needed) else { return 0 }
        }
        let block = Block(header: position, size: size, length: size, isFree: false)
        blocks.append(block)
        position += needed
        return UInt64(block.handle)
    }

    /// Marks the block starting at `handle` free; anything else is ignored.
    public func free(_ handle: UInt64) {
        guard let index = liveBlock(startingAt: handle) else { return }
        blocks[index].isFree = true
    }

    /// Length of the live block starting exactly at `handle`, else 0.
    public func length(_ handle: UInt64) -> UInt64 {
        guard let index = liveBlock(startingAt: handle) else { return 0 }
        return UInt64(blocks[index].length)
    }

    /// The index of the live block whose data starts exactly at `handle`.
    private func liveBlock(startingAt handle: UInt64) -> Int? {
        guard handle >= UInt64(Self.blocksStart + Self.headerSize), handle < UInt64(position),
            let index = blockIndex(containing: Int(handle)), blocks[index].handle == Int(handle),
            !blocks[index].isFree
        else { return nil }
        return index
    }

    /// The index of the last block whose header starts at or before `address` (binary search).
    private func blockIndex(containing address: Int) -> Int? {
        var low = 0, high = blocks.count
        while low < high {
            let middle = (low + high) / 2
            if blocks[middle].header <= address { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// The start of `count` bytes at `address`, which must lie inside one live block's data;
    /// otherwise the error names `operation` and the address.
    @inline(__always)
    private func checked(_ address: UInt64, count: Int, _ operation: String) throws(KernelError) -> Int {
        if lastHit < blocks.count {
            let block = blocks[lastHit]
            if !block.isFree, address >= UInt64(block.handle), address <= UInt64(block.handle + block.length - count) {
                return Int(address)
            }
        }
        guard address < UInt64(position), let index = blockIndex(containing: Int(address)) else {
            throw Self.outside(address, count: count, operation)
        }
        let block = blocks[index]
        guard !block.isFree, address >= UInt64(block.handle), address <= UInt64(block.handle + block.length - count)
        else { throw Self.outside(address, count: count, operation) }
        lastHit = index
        return Int(address)
    }

    private static func outside(_ address: UInt64, count: Int, _ operation: String) -> KernelError {
        .message("\(operation): \(count) byte(s) at kernel address \(address) are outside every allocated block")
    }

    /// The byte at `address`, which must lie inside a live block.
    public func loadU8(_ address: UInt64) throws(KernelError) -> UInt8 {
        storage.load(fromByteOffset: try checked(address, count: 1, "load_u8"), as: UInt8.self)
    }

    /// The little-endian `u64` at `address` (any alignment), which must lie inside a live block.
    public func loadU64(_ address: UInt64) throws(KernelError) -> UInt64 {
        UInt64(littleEndian: storage.loadUnaligned(fromByteOffset: try checked(address, count: 8, "load_u64"), as: UInt64.self))
    }

    /// Writes a byte inside a live block.
    public func storeU8(_ address: UInt64, _ value: UInt8) throws(KernelError) {
        storage.storeBytes(of: value, toByteOffset: try checked(address, count: 1, "store_u8"), as: UInt8.self)
    }

    /// Writes a little-endian `u64` (any alignment) inside a live block.
    public func storeU64(_ address: UInt64, _ value: UInt64) throws(KernelError) {
        storage.storeBytes(of: value.littleEndian, toByteOffset: try checked(address, count: 8, "store_u64"), as: UInt64.self)
    }

    /// The byte at `address` in the allocator area, or 0 outside it (the input, which
    /// `input_set` may point anywhere in the area).
    func areaLoadU8(_ address: UInt64) -> UInt8 {
        guard isAllocated(address, count: 1) else { return 0 }
        return storage.load(fromByteOffset: Int(address), as: UInt8.self)
    }

    /// The little-endian `u64` at `address` in the allocator area, or 0 when it does not fit.
    func areaLoadU64(_ address: UInt64) -> UInt64 {
        guard isAllocated(address, count: 8) else { return 0 }
        return UInt64(littleEndian: storage.loadUnaligned(fromByteOffset: Int(address), as: UInt64.self))
    }

    /// Whether `address ..< address + count` lies inside the allocator area (`input_set`,
    /// `output_set` and `error_set` ignore ranges outside it, as the reference kernel does).
    public func isAllocated(_ address: UInt64, count: UInt64) -> Bool {
        guard address >= UInt64(Self.blocksStart + Self.headerSize) else { return false }
        let (end, overflow) = address.addingReportingOverflow(count)
        return !overflow && end <= UInt64(position)
    }

    /// Copies `count` bytes starting at `address`; `nil` if the range leaves the memory.
    public func read(_ address: UInt64, count: UInt64) -> [UInt8]? {
        guard count > 0 else { return [] }
        let (end, overflow) = address.addingReportingOverflow(count)
        guard address >= 64, !overflow, end <= UInt64(capacity) else { return nil }
        return Array(UnsafeRawBufferPointer(start: storage + Int(address), count: Int(count)))
    }

    /// The bytes of the live block at `handle` (empty for 0 or anything but a block start).
    public func block(_ handle: UInt64) -> [UInt8] {
        let count = length(handle)
        guard count > 0 else { return [] }
        return read(handle, count: count) ?? []
    }

    /// Allocates a block holding `bytes`; 0 when `bytes` is empty or the memory is full.
    public func allocate<Bytes: Collection<UInt8>>(copying bytes: Bytes) -> UInt64 {
        let handle = alloc(UInt64(bytes.count))
        guard handle != 0 else { return 0 }
        let target = UnsafeMutableRawBufferPointer(start: storage + Int(handle), count: bytes.count)
        _ = target.copyBytes(from: bytes) as Void?
        return handle
    }

    private func reuseFreeBlock(size: Int) -> UInt64? {
        guard let index = blocks.firstIndex(where: { $0.isFree && $0.size >= size }) else { return nil }
        let spare = blocks[index].size - size
        if spare >= 128 {
            // Split: the tail becomes a new free block.
            blocks[index].size = size
            let tail = Block(header: blocks[index].handle + size, size: spare - Self.headerSize, length: 0, isFree: true)
            blocks.insert(tail, at: index + 1)
        }
        blocks[index].isFree = false
        blocks[index].length = size
        let handle = blocks[index].handle
        (storage + handle).initializeMemory(as: UInt8.self, repeating: 0, count: blocks[index].size)
        return UInt64(handle)
    }

    private func grow(toHold bytes: Int) -> Bool {
        guard bytes <= limit else { return false }
        var newCapacity = capacity
        while newCapacity < bytes { newCapacity *= 2 }
        newCapacity = min(newCapacity, limit)
        let newStorage = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newStorage.copyMemory(from: storage, byteCount: capacity)
        (newStorage + capacity).initializeMemory(as: UInt8.self, repeating: 0, count: newCapacity - capacity)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
        return true
    }
}
