import Testing
import WAT
import WasmKit
@testable import ExtismKernel

@Suite(.timeLimit(.minutes(2))) struct KernelMemoryTests {
    @Test func handlesFollowTheReferenceLayout() {
        let memory = KernelMemory()
        let input = memory.alloc(12)
        #expect(input == 77)
        #expect(memory.alloc(256) == 101)
        #expect(memory.alloc(0) == 0)
        memory.reset()
        #expect(memory.alloc(12) == 77, "same sequence after reset, same handles")
    }

    @Test func lengthOnlyForLiveBlockStarts() {
        let memory = KernelMemory()
        let block = memory.alloc(10)
        #expect(memory.length(block) == 10)
        #expect(memory.length(block + 1) == 0)
        #expect(memory.length(0) == 0)
        memory.free(block)
        #expect(memory.length(block) == 0)
        memory.free(block)  // double free is harmless
        memory.free(12345)
    }

    @Test func freedBlocksAreReusedOnlyWhenTheBumpRegionIsFull() {
        let memory = KernelMemory(initialCapacity: 1024, limit: 1024)
        let first = memory.alloc(1)
        memory.free(first)
        #expect(memory.alloc(1) > first, "bump first, as the reference does")
        let big = memory.alloc(600)
        memory.free(big)
        let reused = memory.alloc(500)
        #expect(reused == big, "reused when there is no room left")
        #expect(memory.length(reused) == 500)
    }

    @Test func unalignedLittleEndianAccessAndBounds() throws {
        let memory = KernelMemory()
        let block = memory.alloc(16)
        try memory.storeU64(block + 1, 0x0102_0304_0506_0708)
        #expect(try memory.loadU8(block + 1) == 0x08)
        #expect(try memory.loadU64(block + 1) == 0x0102_0304_0506_0708)
        try memory.storeU64(block + 8, 1)
        #expect(throws: KernelError.self) { try memory.loadU64(3) }
        #expect(throws: KernelError.self) { try memory.loadU64(0xffff_ffff_ffff) }
        #expect(throws: KernelError.self) { try memory.storeU64(0xffff_ffff_ffff, 1) }
        #expect(throws: KernelError.self) { try memory.storeU64(block + 9, 1) }
    }

    @Test func storesOutsideLiveBlocksFailWithTheAddress() throws {
        let memory = KernelMemory()
        let first = memory.alloc(16)
        let second = memory.alloc(16)
        // The header gap before each block, the bytes after the last one, a freed block.
        for address in [first - 12, first - 1, second - 4, second + 16, second + 1000] {
            #expect(throws: KernelError.self) { try memory.storeU8(address, 0xff) }
        }
        memory.free(first)
        do {
            try memory.storeU8(first, 1)
            Issue.record("a store into a freed block succeeded")
        } catch {
            #expect(error.description == "store_u8: 1 byte(s) at kernel address \(first) are outside every allocated block")
        }
        #expect(throws: KernelError.self) { try memory.loadU8(first) }
        #expect(try memory.loadU8(second + 15) == 0)
    }

    @Test func forgedHeadersCannotCorruptTheAllocator() throws {
        let memory = KernelMemory(initialCapacity: 1024, limit: 1024)
        let big = memory.alloc(600)
        let after = memory.alloc(100)
        try memory.storeU8(after, 42)
        memory.free(big)
        // What the reference layout keeps in the header: status at -12, size at -8, length at -4.
        for offset: UInt64 in 1...12 {
            _ = try? memory.storeU8(big - offset, 0xff)
            _ = try? memory.storeU64(big - offset, .max)
        }
        let reused = memory.alloc(500)
        #expect(reused == big)
        #expect(memory.length(reused) == 500)
        #expect(try memory.loadU8(after) == 42, "the next block is untouched")
        #expect(memory.alloc(300) == 0, "no room beyond what was really freed")
        memory.free(reused)
        #expect(memory.alloc(600) == big)
    }

    @Test func allocationFailsAtTheLimit() {
        let memory = KernelMemory(initialCapacity: 4096, limit: 8192)
        #expect(memory.alloc(100_000) == 0)
        #expect(memory.alloc(1000) != 0)
    }
}

@Suite(.timeLimit(.minutes(2))) struct ExtismKernelCallTests {
    /// Instantiates `wat` with every kernel function it imports.
    func instantiate(_ wat: String, kernel: ExtismKernel) throws -> Instance {
        let module = try parseWasm(bytes: try wat2wasm(wat))
        let store = Store(engine: Engine())
        var imports = Imports()
        for entry in module.imports {
            imports.define(module: entry.module, name: entry.name, kernel.function(named: entry.name, store: store)!)
        }
        return try module.instantiate(store: store, imports: imports)
    }

    let wat = #"""
    (module
      (import "extism:host/env" "input_length" (func $input_length (result i64)))
      (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
      (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
      (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (import "extism:host/env" "error_set" (func $error_set (param i64)))
      (import "extism:host/env" "free" (func $free (param i64)))
      (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
      (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
      (import "extism:host/env" "get_log_level" (func $get_log_level (result i32)))
      (func (export "echo") (result i32)
        (call $output_set (call $input_offset) (call $input_length)) (i32.const 0))
      (func (export "tail") (result i64) (call $input_load_u64 (i64.const 1)))
      (func (export "byte") (result i32) (call $input_load_u8 (i64.const 100)))
      (func (export "error_then_free") (result i32)
        (call $error_set (call $input_offset)) (call $free (call $input_offset)) (i32.const 0))
      (func (export "error") (result i32) (call $error_set (call $input_offset)) (i32.const 0))
      (func (export "output_zero") (result i32) (call $output_set (i64.const 0) (i64.const 0)) (i32.const 0))
      (func (export "var_set") (call $var_set (call $input_offset) (call $input_offset)))
      (func (export "config") (result i64) (call $config_get (call $input_offset)))
      (func (export "level") (result i32) (call $get_log_level))
    )
    """#

    @Test func inputOutputAndErrorPerCall() throws {
        let kernel = ExtismKernel(config: ["k": "v"])
        let instance = try instantiate(wat, kernel: kernel)
        try kernel.beginCall(input: Array("hello, world".utf8))
        _ = try instance.exports[function: "echo"]!.invoke([])
        #expect(try kernel.output() == Array("hello, world".utf8))
        #expect(kernel.errorMessage() == nil)

        try kernel.beginCall(input: Array("12345678".utf8))
        #expect(try instance.exports[function: "tail"]!.invoke([]) == [.i64(0)], "partial tail reads 0")
        #expect(try instance.exports[function: "byte"]!.invoke([]) == [.i32(0)])

        try kernel.beginCall(input: Array("oops".utf8))
        _ = try instance.exports[function: "error"]!.invoke([])
        #expect(kernel.errorMessage() == "oops")

        try kernel.beginCall(input: Array("oops".utf8))
        _ = try instance.exports[function: "error_then_free"]!.invoke([])
        #expect(kernel.errorMessage() == nil, "a freed error block reads as no error")

        try kernel.beginCall(input: [])
        _ = try instance.exports[function: "output_zero"]!.invoke([])
        #expect(try kernel.output() == [])
        #expect(try instance.exports[function: "level"]!.invoke([]) == [.i32(2)])
    }

    @Test func varsAreCappedAndConfigIsReadOnly() throws {
        let kernel = ExtismKernel(config: ["k": "v"], maxVarBytes: 60)
        let instance = try instantiate(wat, kernel: kernel)
        try kernel.beginCall(input: Array("k".utf8))
        let handle = try instance.exports[function: "config"]!.invoke([])
        #expect(kernel.read(block: handle.first.map { if case .i64(let h) = $0 { h } else { 0 } } ?? 0) == Array("v".utf8))
        try kernel.beginCall(input: Array(repeating: 65, count: 20))
        #expect(throws: KernelError.message("Variable store is full")) {
            _ = try instance.exports[function: "var_set"]!.invoke([])
        }
        let disabled = ExtismKernel(maxVarBytes: 0)
        let other = try instantiate(wat, kernel: disabled)
        try disabled.beginCall(input: [1])
        #expect(throws: KernelError.message("Vars are disabled by this host")) {
            _ = try other.exports[function: "var_set"]!.invoke([])
        }
    }

    @Test func aPluginCannotWriteBlockHeaders() throws {
        let hostile = #"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
          (import "extism:host/env" "length" (func $length (param i64) (result i64)))
          (func (export "forge") (result i64)
            (local $h i64)
            (local.set $h (call $alloc (i64.const 8)))
            (call $store_u64 (i64.sub (local.get $h) (i64.const 8)) (i64.const -1))
            (call $length (local.get $h))))
        """#
        let kernel = ExtismKernel()
        let instance = try instantiate(hostile, kernel: kernel)
        try kernel.beginCall(input: [])
        #expect(throws: KernelError.message("store_u64: 8 byte(s) at kernel address 69 are outside every allocated block")) {
            _ = try instance.exports[function: "forge"]!.invoke([])
        }
    }

    @Test func outputCapIsEnforced() throws {
        let kernel = ExtismKernel(maxOutputBytes: 4)
        let instance = try instantiate(wat, kernel: kernel)
        try kernel.beginCall(input: Array("too long".utf8))
        _ = try instance.exports[function: "echo"]!.invoke([])
        #expect(throws: KernelError.self) { try kernel.output() }
    }
}
