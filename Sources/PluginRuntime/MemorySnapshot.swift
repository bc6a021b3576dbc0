@_spi(Fuzzing) import WasmKit

/// A copy of an instance's linear memory, kept as runs of bytes: runs that were all zero are
/// stored as their length only and restored by clearing, which is about twice as fast as
/// copying (most of a plugin's memory is a zeroed stack and heap).
struct MemorySnapshot: Sendable {
    private struct Run: Sendable {
        let offset: Int
        let count: Int
        /// The run's bytes, or nil when they were all zero.
        let bytes: [UInt8]?
    }

    /// Granularity of the zero check.
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

    private static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return false }
            index += 8
        }
        return bytes[index...].allSatisfy { $0 == 0 }
    }

    /// Writes the snapshot back over `memory` (which has at least ``byteCount`` bytes).
    func restore(_ memory: Memory) {
        guard byteCount > 0 else { return }
        memory.withUnsafeMutableBufferPointer(offset: 0, count: byteCount) { target in
            guard let base = target.baseAddress else { return }
            for run in runs {
                if let bytes = run.bytes {
                    bytes.withUnsafeBytes { (base + run.offset).copyMemory(from: $0.baseAddress!, byteCount: run.count) }
                } else {
                    (base + run.offset).initializeMemory(as: UInt8.self, repeating: 0, count: run.count)
                }
            }
        }
    }
}
