/// The Extism kernel's own memory: a byte space apart from the plugin's linear memory, holding
/// the blocks that every `i64` offset of the `extism:host/env` ABI points into.
///
/// The layout mimics the reference kernel (`extism/extism` `kernel/src/lib.rs`): addresses below
/// 65 are reserved, blocks start at 65 with a 12-byte header (status byte: 1 active, 2 free;
/// size `u32` at +4; used length `u32` at +8) and are packed with exact sizes, so the first
/// handle is 77 and handles stay far below 2^32. Allocation bumps; a freed block is reused
/// (first fit) only when the bump region lacks room, as in the reference. Offset 0 is null.
public final class KernelMemory {
    static let blocksStart = 65
    static let headerSize = 12
    static let statusActive: UInt8 = 1
    static let statusFree: UInt8 = 2

    private var storage: UnsafeMutableRawPointer
    /// Bytes of `storage` currently addressable (grows, never shrinks).
    private(set) var capacity: Int
    /// End of the bump region: the next block's header goes here.
    private(set) var position: Int
    /// The most bytes this memory may grow to.
    public let limit: Int
    /// Handles (data starts) of live blocks, for `length`'s exact-start check.
    private var live: Set<UInt64> = []

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
        live.removeAll(keepingCapacity: true)
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
        let header = position
        storage.storeBytes(of: Self.statusActive, toByteOffset: header, as: UInt8.self)
        storeU32(UInt32(size), at: header + 4)
        storeU32(UInt32(size), at: header + 8)
        position += needed
        let handle = UInt64(header + Self.headerSize)
        live.insert(handle)
        return handle
    }

    /// Marks the block starting at `handle` free; anything else is ignored.
    public func free(_ handle: UInt64) {
        guard live.remove(handle) != nil else { return }
        storage.storeBytes(of: Self.statusFree, toByteOffset: Int(handle) - Self.headerSize, as: UInt8.self)
    }

    /// Length of the live block starting exactly at `handle`, else 0.
    public func length(_ handle: UInt64) -> UInt64 {
        guard live.contains(handle) else { return 0 }
        return UInt64(loadU32(at: Int(handle) - Self.headerSize + 8))
    }

    /// Whether `address ..< address + count` lies inside the allocator area (`input_set`,
    /// `output_set` and `error_set` ignore ranges outside it, as the reference kernel does).
    public func isAllocated(_ address: UInt64, count: UInt64) -> Bool {
        guard address >= UInt64(Self.blocksStart + Self.headerSize) else { return false }
        let (end, overflow) = address.addingReportingOverflow(count)
        return !overflow && end <= UInt64(position)
    }

    /// The byte at `address`, or 0 outside the memory.
    public func loadU8(_ address: UInt64) -> UInt8 {
        guard address >= 64, address < UInt64(capacity) else { return 0 }
        return storage.load(fromByteOffset: Int(address), as: UInt8.self)
    }

    /// The little-endian `u64` at `address` (any alignment), or 0 when it does not fit.
    public func loadU64(_ address: UInt64) -> UInt64 {
        guard address >= 64, address <= UInt64(capacity - 8) else { return 0 }
        return UInt64(littleEndian: storage.loadUnaligned(fromByteOffset: Int(address), as: UInt64.self))
    }

    /// Writes a byte; ignored outside the memory.
    public func storeU8(_ address: UInt64, _ value: UInt8) {
        guard address >= 64, address < UInt64(capacity) else { return }
        storage.storeBytes(of: value, toByteOffset: Int(address), as: UInt8.self)
    }

    /// Writes a little-endian `u64` (any alignment); ignored when it does not fit.
    public func storeU64(_ address: UInt64, _ value: UInt64) {
        guard address >= 64, address <= UInt64(capacity - 8) else { return }
        storage.storeBytes(of: value.littleEndian, toByteOffset: Int(address), as: UInt64.self)
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
        var header = Self.blocksStart
        while header < position {
            let blockSize = Int(loadU32(at: header + 4))
            let status = storage.load(fromByteOffset: header, as: UInt8.self)
            if status == Self.statusFree && blockSize >= size {
                let spare = blockSize - size
                if spare >= 128 {
                    // Split: the tail becomes a new free block.
                    storeU32(UInt32(size), at: header + 4)
                    let tail = header + Self.headerSize + size
                    storage.storeBytes(of: Self.statusFree, toByteOffset: tail, as: UInt8.self)
                    storeU32(UInt32(spare - Self.headerSize), at: tail + 4)
                    storeU32(0, at: tail + 8)
                }
                storage.storeBytes(of: Self.statusActive, toByteOffset: header, as: UInt8.self)
                storeU32(UInt32(size), at: header + 8)
                let handle = UInt64(header + Self.headerSize)
                (storage + Int(handle)).initializeMemory(as: UInt8.self, repeating: 0, count: size)
                live.insert(handle)
                return handle
            }
            header += Self.headerSize + blockSize
        }
        return nil
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

    private func loadU32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: storage.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    private func storeU32(_ value: UInt32, at offset: Int) {
        storage.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }
}
