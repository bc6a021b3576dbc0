import Foundation
@_spi(Fuzzing) import WasmKit

/// A copy of an instance's linear memory, kept as runs of bytes: runs that were all zero are
/// stored as their length only (most of a plugin's memory is a zeroed stack and heap), and
/// restored by clearing just the 4 KiB chunks a call wrote to: reading memory is cheaper than
/// writing it, and a call touches little of its memory.
struct MemorySnapshot: Sendable {
    private struct Run: Sendable {
        let offset: Int
        let count: Int
        /// The run's bytes, or nil when they were all zero.
        let bytes: [UInt8]?
    }

    /// Granularity of the zero check and of clearing.
    private static let chunk = 4096

    let byteCount: Int
    private let runs: [Run]

    init(_ memory: Memory?) {
        guard let memory, memory.byteCount > 0 else {
            byteCount = 0
            runs = []
            return
        }
        let total = memory.byteCount
        byteCount = total
        runs = memory.withUnsafeBufferPointer(offset: 0, count: total) { bytes in
            var runs: [Run] = []
            var start = 0
            var startIsZero = true
            var offset = 0
            func close(at end: Int) {
                guard end > start else { return }
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                runs.append(Run(offset: start, count: end - start, bytes: startIsZero ? nil : Array(slice)))
            }
            while offset < total {
                let end = min(offset + Self.chunk, total)
                let isZero = Self.isZero(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]))
                if offset == 0 {
                    startIsZero = isZero
                } else if isZero != startIsZero {
                    close(at: offset)
                    start = offset
                    startIsZero = isZero
                }
                offset = end
            }
            close(at: total)
            return runs
        }
    }

    /// Whether `bytes` (at most ``chunk`` of them) are all zero. libc's `memcmp` uses the widest
    /// vector instructions the CPU has, which this module's baseline target does not.
    private static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return memcmp(base, zeros, bytes.count) == 0
    }

    // Never written after initialization.
    nonisolated(unsafe) private static let zeros = UnsafeRawPointer(
        UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
            .initializeMemory(as: UInt8.self, repeating: 0, count: chunk))

    /// Writes the snapshot back over `memory` (which has at least ``byteCount`` bytes).
    func restore(_ memory: Memory) {
        guard byteCount > 0 else { return }
        memory.withUnsafeMutableBufferPointer(offset: 0, count: byteCount) { target in
            guard let base = target.baseAddress else { return }
            for run in runs {
                if let bytes = run.bytes {
                    bytes.withUnsafeBytes { (base + run.offset).copyMemory(from: $0.baseAddress!, byteCount: run.count) }
                } else {
                    Self.clear(base + run.offset, count: run.count)
                }
            }
        }
    }


    /// Zeroes the `count` bytes at `start`, writing only the blocks that are not zero already.
    private static func clear(_ start: UnsafeMutableRawPointer, count: Int) {
        var offset = 0
        while offset < count {
            let length = min(Self.chunk, count - offset)
            let bytes = UnsafeRawBufferPointer(start: start + offset, count: length)
            if !isZero(bytes) { (start + offset).initializeMemory(as: UInt8.self, repeating: 0, count: length) }
            offset += length
        }
    }
}
