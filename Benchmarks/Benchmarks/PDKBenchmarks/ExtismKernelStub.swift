import WasmKit

/// Just enough of the Extism kernel (`extism:host/env`) to call a PDK plugin's exports from
/// WasmKit: kernel memory is a byte array with a bump allocator reset per call.
final class ExtismKernelStub {
    var memory = [UInt8](repeating: 0, count: 77)
    var blocks: [UInt64: UInt64] = [:]
    var input: (offset: UInt64, length: UInt64) = (0, 0)
    var output: (offset: UInt64, length: UInt64) = (0, 0)
    var error: UInt64 = 0

    func reset(input bytes: [UInt8]) {
        memory.removeAll(keepingCapacity: true)
        memory.append(contentsOf: repeatElement(0, count: 77))
        blocks.removeAll(keepingCapacity: true)
        output = (0, 0)
        error = 0
        let offset = allocate(UInt64(bytes.count))
        memory.replaceSubrange(Int(offset)..<Int(offset) + bytes.count, with: bytes)
        input = (offset, UInt64(bytes.count))
    }

    func allocate(_ n: UInt64) -> UInt64 {
        guard n > 0 else { return 0 }
        let offset = UInt64(memory.count)
        memory.append(contentsOf: repeatElement(0, count: Int(n)))
        blocks[offset] = n
        return offset
    }

    func load64(_ at: UInt64) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(memory[Int(at) + k]) << UInt64(8 * k) }
        return v
    }

    var outputBytes: [UInt8] { Array(memory[Int(output.offset)..<Int(output.offset + output.length)]) }

    func imports(store: Store) -> Imports {
        func fn(_ params: [ValueType], _ results: [ValueType], _ body: @escaping ([Value]) -> [Value]) -> Function {
            Function(store: store, parameters: params, results: results) { _, args in body(args) }
        }
        return [
            "extism:host/env": [
                "input_length": fn([], [.i64]) { _ in [.i64(self.input.length)] },
                "input_load_u8": fn([.i64], [.i32]) { a in [.i32(UInt32(self.memory[Int(self.input.offset + a[0].i64)]))] },
                "input_load_u64": fn([.i64], [.i64]) { a in [.i64(self.load64(self.input.offset + a[0].i64))] },
                "alloc": fn([.i64], [.i64]) { a in [.i64(self.allocate(a[0].i64))] },
                "free": fn([.i64], []) { _ in [] },
                "length": fn([.i64], [.i64]) { a in [.i64(self.blocks[a[0].i64] ?? 0)] },
                "load_u8": fn([.i64], [.i32]) { a in [.i32(UInt32(self.memory[Int(a[0].i64)]))] },
                "load_u64": fn([.i64], [.i64]) { a in [.i64(self.load64(a[0].i64))] },
                "store_u8": fn([.i64, .i32], []) { a in self.memory[Int(a[0].i64)] = UInt8(truncatingIfNeeded: a[1].i32); return [] },
                "store_u64": fn([.i64, .i64], []) { a in
                    for k in 0..<8 { self.memory[Int(a[0].i64) + k] = UInt8(truncatingIfNeeded: a[1].i64 >> UInt64(8 * k)) }
                    return []
                },
                "output_set": fn([.i64, .i64], []) { a in self.output = (a[0].i64, a[1].i64); return [] },
                "error_set": fn([.i64], []) { a in self.error = a[0].i64; return [] },
            ],
        ]
    }
}
