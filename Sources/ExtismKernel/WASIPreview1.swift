import Foundation
import WasmKit

/// The WASI preview 1 imports (`wasi_snapshot_preview1`) a plugin may need to instantiate:
/// clocks and random bytes work; there are no files, sockets, arguments or environment
/// (`fd_write` to stdout/stderr succeeds and discards, as the reference host does by default).
public enum WASIPreview1 {
    /// The import module name.
    public static let moduleName = "wasi_snapshot_preview1"

    static let success: UInt32 = 0
    static let badf: UInt32 = 8
    static let inval: UInt32 = 28
    static let nosys: UInt32 = 52

    /// Defines the WASI function `name` with the signature the module imports it with, or
    /// `nil` when `name` is a known function imported with the wrong signature, or an unknown
    /// function not returning a single `i32` errno.
    public static func function(named name: String, type: FunctionType, store: Store) -> Function? {
        let i32 = ValueType.i32, i64 = ValueType.i64
        func expect(_ params: [ValueType]) -> Bool { type.parameters == params && type.results == [i32] }
        let body: Function.RawImplementation
        switch name {
        case "clock_time_get":
            guard expect([i32, i64, i32]) else { return nil }
            body = { caller, a, r in
                let now: UInt64
                switch a[0].u32 {
                case 0: now = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
                case 1, 2, 3: now = DispatchTime.now().uptimeNanoseconds
                default: r[0] = .i32(inval); return
                }
                r[0] = .i32(try withMemory(caller) { try store64(now, at: a[2].u32, in: $0) })
            }
        case "clock_res_get":
            guard expect([i32, i32]) else { return nil }
            body = { caller, a, r in r[0] = .i32(try withMemory(caller) { try store64(1000, at: a[1].u32, in: $0) }) }
        case "random_get":
            guard expect([i32, i32]) else { return nil }
            body = { caller, a, r in
                r[0] = .i32(try withMemory(caller) { memory in
                    let (pointer, count) = (UInt(a[0].u32), Int(a[1].u32))
                    guard Int(pointer) + count <= memory.byteCount else { throw KernelError.message("random_get out of bounds") }
                    memory.withUnsafeMutableBufferPointer(offset: pointer, count: count) { buffer in
                        var generator = SystemRandomNumberGenerator()
                        for i in 0..<count { buffer[i] = UInt8.random(in: .min ... .max, using: &generator) }
                    }
                    return success
                })
            }
        case "args_sizes_get", "environ_sizes_get":
            guard expect([i32, i32]) else { return nil }
            body = { caller, a, r in
                r[0] = .i32(try withMemory(caller) { memory in
                    _ = try store32(0, at: a[0].u32, in: memory)
                    return try store32(0, at: a[1].u32, in: memory)
                })
            }
        case "args_get", "environ_get":
            guard expect([i32, i32]) else { return nil }
            body = { _, _, r in r[0] = .i32(success) }
        case "fd_write":
            guard expect([i32, i32, i32, i32]) else { return nil }
            body = { caller, a, r in
                let fd = a[0].u32
                guard fd == 1 || fd == 2 else { r[0] = .i32(badf); return }
                r[0] = .i32(try withMemory(caller) { memory in
                    var total: UInt32 = 0
                    for index in 0..<a[2].u32 {
                        total &+= try load32(at: a[1].u32 &+ index &* 8 &+ 4, in: memory)
                    }
                    return try store32(total, at: a[3].u32, in: memory)
                })
            }
        case "proc_exit":
            guard type.parameters == [i32], type.results.isEmpty else { return nil }
            return Function(store: store, parameters: [i32], results: []) { _, a, _ in
                throw WASIExit(code: Int32(bitPattern: a[0].u32))
            }
        case "sched_yield":
            guard expect([]) else { return nil }
            body = { _, _, r in r[0] = .i32(success) }
        default:
            // Files, sockets, polling: not provided. Descriptor functions report a bad
            // descriptor (so "no preopens" reads as such), others ENOSYS.
            guard type.results == [i32] else { return nil }
            let errno = name.hasPrefix("fd_") ? badf : nosys
            body = { _, _, r in r[0] = .i32(errno) }
        }
        return Function(store: store, parameters: type.parameters, results: type.results, raw: body)
    }

    private static func withMemory(_ caller: borrowing Caller, _ body: (Memory) throws -> UInt32) throws -> UInt32 {
        guard let memory = caller.instance?.exports[memory: "memory"] else {
            throw KernelError.message("WASI call from a module that exports no memory")
        }
        return try body(memory)
    }

    private static func store64(_ value: UInt64, at pointer: UInt32, in memory: Memory) throws -> UInt32 {
        guard Int(pointer) + 8 <= memory.byteCount else { throw KernelError.message("WASI pointer out of bounds") }
        memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: 8) {
            $0.storeBytes(of: value.littleEndian, as: UInt64.self)
        }
        return success
    }

    private static func store32(_ value: UInt32, at pointer: UInt32, in memory: Memory) throws -> UInt32 {
        guard Int(pointer) + 4 <= memory.byteCount else { throw KernelError.message("WASI pointer out of bounds") }
        memory.withUnsafeMutableBufferPointer(offset: UInt(pointer), count: 4) {
            $0.storeBytes(of: value.littleEndian, as: UInt32.self)
        }
        return success
    }

    private static func load32(at pointer: UInt32, in memory: Memory) throws -> UInt32 {
        guard Int(pointer) + 4 <= memory.byteCount else { throw KernelError.message("WASI pointer out of bounds") }
        return memory.withUnsafeBufferPointer(offset: UInt(pointer), count: 4) {
            UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))
        }
    }
}

/// Thrown by WASI `proc_exit`: the plugin ended the call with `code`.
public struct WASIExit: Error, Equatable {
    public let code: Int32
}
