import Testing
import WAT
import WasmKit
@testable import ExtismKernel

@Suite struct KernelMemoryTests {
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

    @Test func unalignedLittleEndianAccessAndBounds() {
        let memory = KernelMemory()
        let block = memory.alloc(16)
        memory.storeU64(block + 1, 0x0102_0304_0506_0708)
        #expect(memory.loadU8(block + 1) == 0x08)
        #expect(memory.loadU64(block + 1) == 0x0102_0304_0506_0708)
        #expect(memory.loadU64(3) == 0, "below 64 reads as 0")
        #expect(memory.loadU64(0xffff_ffff_ffff) == 0)
        memory.storeU64(0xffff_ffff_ffff, 1)  // ignored
    }

    @Test func allocationFailsAtTheLimit() {
        let memory = KernelMemory(initialCapacity: 4096, limit: 8192)
        #expect(memory.alloc(100_000) == 0)
        #expect(memory.alloc(1000) != 0)
    }
}

@Suite struct ExtismKernelCallTests {
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

    @Test func outputCapIsEnforced() throws {
        let kernel = ExtismKernel(maxOutputBytes: 4)
        let instance = try instantiate(wat, kernel: kernel)
        try kernel.beginCall(input: Array("too long".utf8))
        _ = try instance.exports[function: "echo"]!.invoke([])
        #expect(throws: KernelError.self) { try kernel.output() }
    }
}
