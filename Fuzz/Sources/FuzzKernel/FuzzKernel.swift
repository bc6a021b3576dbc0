// libFuzzer target: the Extism kernel (`extism:host/env`) under random call sequences. The input
// is read as a program: each operation is one of the kernel's functions, called through the
// same `Function` values a plugin imports, with arguments taken from the following bytes
// (a live block and an offset in it most of the time, any address some of the time).
//
// A model of the kernel runs alongside: the live blocks with their bytes, the input, the vars.
// Invariants checked after each operation and at the end of each input:
// - a new block has the length asked for, reads as zeros and overlaps no live block;
// - `length` of a live block never changes, whatever the plugin stores anywhere; a freed
//   block has length 0;
// - loads from a live block return what was stored there (stores outside every live block,
//   accepted or refused, change no live block);
// - input, output, error, vars and config read back what was set;
// - `memory_bytes` covers every live block.

import ExtismKernel
import Foundation
import LibFuzzer
import WasmKit

/// Sizes a block may be allocated with: edge cases around 0, 8 and powers of two.
private let sizes: [UInt64] = [0, 1, 2, 3, 7, 8, 9, 12, 13, 16, 31, 64, 100, 127, 128, 129, 140, 255, 256, 1000, 4096, 20_000]
private let config = ["key": "value", "": "empty key", "é": "ünïcode", "long": String(repeating: "x", count: 300)]
private let maxVarBytes = 512
/// Operations per input and live blocks at once: enough for every interaction, few enough to
/// keep the model's checks (linear in the live blocks) fast.
private let maxSteps = 256
private let maxBlocks = 64

private let kernel: ExtismKernel = {
    let kernel = ExtismKernel(config: config, memoryLimit: 128 * 1024, maxVarBytes: maxVarBytes, maxOutputBytes: 4096)
    kernel.logLevel = .trace
    kernel.logSink = { _, _ in }
    return kernel
}()
private let engine = Engine()
nonisolated(unsafe) private let store = Store(engine: engine)
/// One stack for every call (`Function.invoke(_:)` would allocate one per call).
nonisolated(unsafe) private var stack = ExecutionStack(engine: engine)
nonisolated(unsafe) private let functions: [String: Function] = {
    var functions: [String: Function] = [:]
    for name in ExtismKernel.functionTypes.keys {
        guard let function = kernel.function(named: name, store: store) else {
            fatalError("FuzzKernel: the kernel does not define \(name)")
        }
        functions[name] = function
    }
    return functions
}()

/// Reads the program's bytes; past the end every read is 0.
private struct Program {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var isEmpty: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func u64(bytes count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<count { value |= UInt64(byte()) << (8 * UInt64(i)) }
        return value
    }

    mutating func data(_ count: Int) -> [UInt8] { (0..<count).map { _ in byte() } }
}

/// What the kernel should hold.
private struct Model {
    /// Live blocks: handle → bytes.
    var blocks: [UInt64: [UInt8]] = [:]
    /// Where the input is: a range of a live block (the input block, or one `input_set` chose);
    /// nil for no input, `unknown` once that block was freed by something other than `free`
    /// (the kernel keeps the range, whose bytes are then anybody's).
    var input: (block: UInt64, offset: Int, length: Int)?
    var inputKnown = true
    var vars: [[UInt8]: [UInt8]] = [:]

    /// The bytes the input should read as.
    var inputBytes: [UInt8] {
        guard let input, let bytes = blocks[input.block] else { return [] }
        return Array(bytes[input.offset..<input.offset + input.length])
    }

    /// The live block containing `count` bytes at `address`, with the offset in it.
    func block(containing address: UInt64, count: UInt64) -> (handle: UInt64, offset: Int)? {
        for (handle, bytes) in blocks where address >= handle {
            let offset = address - handle
            if offset < UInt64(bytes.count), UInt64(bytes.count) - offset >= count { return (handle, Int(offset)) }
        }
        return nil
    }

    /// Records a store the kernel accepted: the live blocks it overlaps take the bytes.
    mutating func stored(_ value: [UInt8], at address: UInt64) {
        for (index, byte) in value.enumerated() {
            let (target, overflow) = address.addingReportingOverflow(UInt64(index))
            if !overflow, let (handle, offset) = block(containing: target, count: 1) { blocks[handle]![offset] = byte }
        }
    }

    /// A block freed by the kernel function `free` (which also drops the input when `handle` is
    /// where the input starts) or, with `byFree` false, by a function that consumes its argument.
    mutating func freed(_ handle: UInt64, byFree: Bool) {
        guard handle != 0 else { return }
        if let input, byFree, handle == input.block + UInt64(input.offset) {
            self.input = nil
        } else if let input, blocks[handle] != nil, input.block == handle {
            inputKnown = false
        }
        blocks[handle] = nil
    }
}

@discardableResult
private func call(_ name: String, _ arguments: [Value] = []) throws -> [Value] {
    try functions[name]!.invoke(arguments, on: &stack)
}

/// Calls a host function that answers with a new block (`var_get`, `config_get`); nil when the
/// kernel's memory is too full for that block, the one error such a call may raise.
private func blockReturningCall(_ name: String, _ handle: UInt64) -> UInt64? {
    do {
        return u64(try call(name, [.i64(handle)])[0])
    } catch {
        require("\(error)".contains("kernel memory limit reached"), "\(name) failed: \(error)")
        return nil
    }
}

private func u64(_ value: Value) -> UInt64 {
    switch value {
    case .i64(let v): v
    case .i32(let v): UInt64(v)
    default: fail("unexpected result \(value)")
    }
}

@main
enum Main {
    static func main() { exit(tonearm_fuzzer_main(CommandLine.argc, CommandLine.unsafeArgv)) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var program = Program(bytes: UnsafeBufferPointer(start: data, count: size))
    var model = Model()
    start(with: program.data(Int(program.byte() % 40)), &model)
    var steps = 0
    while !program.isEmpty, steps < maxSteps {
        steps += 1
        step(&program, &model)
    }
    verify(model)
    return 0
}

/// `beginCall` with `input`: memory, vars and output start empty.
private func start(with input: [UInt8], _ model: inout Model) {
    do { try kernel.beginCall(input: input) } catch { fail("beginCall with \(input.count) bytes failed: \(error)") }
    model = Model()
    let handle = try! u64(call("input_offset")[0])
    require((handle == 0) == input.isEmpty, "input handle \(handle) for \(input.count) bytes")
    if handle != 0 {
        model.blocks[handle] = input
        model.input = (handle, 0, input.count)
    }
    require(try! u64(call("input_length")[0]) == UInt64(input.count), "input_length")
}

/// A live block's handle (most of the time) or an arbitrary address.
private func target(_ program: inout Program, _ model: Model) -> UInt64 {
    let selector = program.byte()
    let handles = model.blocks.keys.sorted()
    switch selector % 8 {
    case 0: return program.u64(bytes: 8)
    case 1: return program.u64(bytes: 2)
    case 2:
        // Just around a live block: its header gap and the bytes after it.
        guard let handle = handles.isEmpty ? nil : handles[Int(program.byte()) % handles.count] else { return 77 }
        let delta = Int64(Int8(bitPattern: program.byte())) % 24
        return UInt64(bitPattern: Int64(bitPattern: handle) &+ delta &+ (delta > 0 ? Int64(model.blocks[handle]!.count) : 0))
    default:
        guard !handles.isEmpty else { return program.u64(bytes: 2) }
        return handles[Int(program.byte()) % handles.count]
    }
}

/// An address inside a live block with room for `count` bytes, if there is such a block.
private func inside(_ program: inout Program, _ model: Model, count: Int) -> UInt64? {
    let candidates = model.blocks.filter { $0.value.count >= count }.keys.sorted()
    guard !candidates.isEmpty else { return nil }
    let handle = candidates[Int(program.byte()) % candidates.count]
    let room = model.blocks[handle]!.count - count
    return handle + UInt64(Int(program.u64(bytes: 2)) % (room + 1))
}

/// A new block holding `bytes` (through `alloc` and `store_u8`, as a plugin writes one).
private func allocate(_ bytes: [UInt8], _ model: inout Model) -> UInt64 {
    let handle = try! u64(call("alloc", [.i64(UInt64(bytes.count))])[0])
    guard handle != 0 else { return 0 }
    for (index, byte) in bytes.enumerated() {
        do { try call("store_u8", [.i64(handle + UInt64(index)), .i32(UInt32(byte))]) } catch {
            fail("store_u8 inside a new block failed: \(error)")
        }
    }
    model.blocks[handle] = bytes
    return handle
}

private func step(_ program: inout Program, _ model: inout Model) {
    let op = program.byte() % 20
    switch op {
    case 0, 1:  // alloc
        let count = sizes[Int(program.byte()) % sizes.count]
        guard model.blocks.count < maxBlocks else { return }
        let handle = try! u64(call("alloc", [.i64(count)])[0])
        // 0 for alloc(0) and when the memory limit is reached (freed blocks are not merged).
        guard handle != 0 else { return }
        require(count > 0, "alloc(0) returned \(handle)")
        require(model.blocks[handle] == nil, "alloc returned live handle \(handle)")
        for (other, bytes) in model.blocks {
            require(handle + count <= other || other + UInt64(bytes.count) <= handle,
                "new block \(handle)+\(count) overlaps block \(other)+\(bytes.count)")
        }
        require(try! u64(call("length", [.i64(handle)])[0]) == count, "length of a new block")
        require(kernel.read(block: handle) == [UInt8](repeating: 0, count: Int(count)), "new block not zeroed")
        model.blocks[handle] = [UInt8](repeating: 0, count: Int(count))
    case 2:  // free
        let handle = target(&program, model)
        try! call("free", [.i64(handle)])
        if model.blocks[handle] != nil {
            model.freed(handle, byFree: true)
            require(try! u64(call("length", [.i64(handle)])[0]) == 0, "length of a freed block")
        }
    case 3:  // length / length_unsafe
        let handle = target(&program, model)
        let length = try! u64(call(program.byte() & 1 == 0 ? "length" : "length_unsafe", [.i64(handle)])[0])
        if let bytes = model.blocks[handle] { require(length == UInt64(bytes.count), "length of block \(handle)") }
    case 4, 5:  // store_u8 / store_u64 inside a live block
        let wide = op == 5
        guard let address = inside(&program, model, count: wide ? 8 : 1) else { return }
        let value = program.u64(bytes: wide ? 8 : 1)
        do {
            if wide { try call("store_u64", [.i64(address), .i64(value)]) } else { try call("store_u8", [.i64(address), .i32(UInt32(value))]) }
        } catch { fail("store inside live block at \(address) failed: \(error)") }
        model.stored(wide ? littleEndian(value) : [UInt8(value)], at: address)
    case 6:  // store anywhere: accepted or refused, it changes no live block but where it lands
        let address = target(&program, model) &+ UInt64(program.byte() % 16)
        let wide = program.byte() & 1 == 0
        let value = program.u64(bytes: 8)
        do {
            if wide { try call("store_u64", [.i64(address), .i64(value)]) } else { try call("store_u8", [.i64(address), .i32(UInt32(value & 0xFF))]) }
            model.stored(wide ? littleEndian(value) : [UInt8(value & 0xFF)], at: address)
        } catch {}
        verify(model, near: address)
    case 7, 8:  // load_u8 / load_u64
        let wide = op == 8
        let address = program.byte() & 3 == 0
            ? target(&program, model) &+ UInt64(program.byte() % 16)
            : inside(&program, model, count: wide ? 8 : 1) ?? 0
        let loaded: UInt64
        do { loaded = u64(try call(wide ? "load_u64" : "load_u8", [.i64(address)])[0]) } catch {
            require(model.block(containing: address, count: wide ? 8 : 1) == nil, "load inside a live block at \(address) failed: \(error)")
            return
        }
        if let (handle, offset) = model.block(containing: address, count: wide ? 8 : 1) {
            let bytes = Array(model.blocks[handle]![offset..<offset + (wide ? 8 : 1)])
            require(loaded == bytes.reversed().reduce(0, { $0 << 8 | UInt64($1) }), "load at \(address) returned \(loaded), stored \(bytes)")
        }
    case 9:  // input
        guard model.inputKnown else { return }
        let input = model.inputBytes
        let index = program.u64(bytes: 1)
        let byte = try! u64(call("input_load_u8", [.i64(index)])[0])
        require(byte == (index < UInt64(input.count) ? UInt64(input[Int(index)]) : 0), "input_load_u8(\(index))")
        let word = try! u64(call("input_load_u64", [.i64(index)])[0])
        if index + 8 <= UInt64(input.count) {
            let bytes = input[Int(index)..<Int(index) + 8]
            require(word == bytes.reversed().reduce(0, { $0 << 8 | UInt64($1) }), "input_load_u64(\(index))")
        }
        require(try! u64(call("input_length")[0]) == UInt64(input.count), "input_length")
    case 10:  // output_set inside a live block, then output() as the host reads it
        guard let address = inside(&program, model, count: 1) else { return }
        let (handle, offset) = model.block(containing: address, count: 1)!
        let count = 1 + Int(program.u64(bytes: 2)) % (model.blocks[handle]!.count - offset)
        try! call("output_set", [.i64(address), .i64(UInt64(count))])
        require(try! u64(call("output_offset")[0]) == address, "output_offset")
        require(try! u64(call("output_length")[0]) == UInt64(count), "output_length")
        let expected = Array(model.blocks[handle]![offset..<offset + count])
        do { require(try kernel.output() == expected, "output differs from the block") } catch {
            require(count > 4096, "output of \(count) bytes refused: \(error)")
        }
    case 11:  // output_set / input_set / error_set anywhere
        let address = target(&program, model)
        let count = program.u64(bytes: program.byte() % 9 == 0 ? 8 : 2)
        switch program.byte() % 3 {
        case 0: try! call("output_set", [.i64(address), .i64(count)])
        case 1:
            try! call("input_set", [.i64(address), .i64(count)])
            // The plugin may point the input at any range; the model follows it inside a block.
            let length = try! u64(call("input_length")[0])
            let offset = try! u64(call("input_offset")[0])
            if length == 0 {
                model.input = nil
            } else if let (handle, start) = model.block(containing: offset, count: length) {
                model.input = (handle, start, Int(length))
                model.inputKnown = true
            } else if offset == address {
                model.inputKnown = false
            }
        default: try! call("error_set", [.i64(address)])
        }
        _ = try? kernel.output()
        _ = kernel.errorMessage()
    case 12:  // error_set with a live block
        let handle = target(&program, model)
        try! call("error_set", [.i64(handle)])
        if let bytes = model.blocks[handle] {
            require(try! u64(call("error_get")[0]) == handle, "error_get")
            require(kernel.errorMessage() == (bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)), "errorMessage")
        }
    case 13:  // var_set, var_get
        let key = program.data(Int(program.byte() % 6))
        let value = program.data(Int(program.byte() % 40))
        let keyHandle = allocate(key, &model)
        let valueHandle = allocate(value, &model)
        guard key.isEmpty || keyHandle != 0, value.isEmpty || valueHandle != 0 else { return }
        let textKey = Array(String(decoding: key, as: UTF8.self).utf8)
        do {
            try call("var_set", [.i64(keyHandle), .i64(valueHandle)])
            model.vars[textKey] = value.isEmpty ? nil : value
        } catch {
            var total = textKey.count + value.count + 48
            for (k, v) in model.vars where k != textKey { total += k.count + v.count + 48 }
            require(!value.isEmpty && total > maxVarBytes, "var_set refused: \(error)")
        }
        model.freed(keyHandle, byFree: false)
        model.freed(valueHandle, byFree: false)
        let lookup = allocate(key, &model)
        let answer = blockReturningCall("var_get", lookup)
        model.freed(lookup, byFree: false)
        guard let result = answer else { return }
        if let stored = model.vars[textKey] {
            require(result != 0 && kernel.read(block: result) == stored, "var_get returned other bytes")
            model.blocks[result] = stored
        } else {
            require(result == 0, "var_get of a missing var returned \(result)")
        }
    case 14:  // config_get
        let keys = Array(config.keys.sorted()) + ["missing"]
        let key = keys[Int(program.byte()) % keys.count]
        let keyHandle = allocate(Array(key.utf8), &model)
        guard key.isEmpty || keyHandle != 0 else { return }
        let answer = blockReturningCall("config_get", keyHandle)
        model.freed(keyHandle, byFree: false)
        guard let result = answer else { return }
        if let value = config[key] {
            require(result != 0 && kernel.read(block: result) == Array(value.utf8), "config_get(\(key))")
            model.blocks[result] = Array(value.utf8)
        } else {
            require(result == 0, "config_get of a missing key")
        }
    case 15:  // log_* frees its message block
        let names = ["log_trace", "log_debug", "log_info", "log_warn", "log_error"]
        let handle = target(&program, model)
        try! call(names[Int(program.byte()) % names.count], [.i64(handle)])
        model.freed(handle, byFree: false)
        _ = try! call("get_log_level")
    case 16:  // http_request without a handler: refused, both blocks freed
        let request = target(&program, model)
        let body = target(&program, model)
        do {
            try call("http_request", [.i64(request), .i64(body)])
            fail("http_request succeeded without a handler")
        } catch {}
        model.freed(request, byFree: false)
        model.freed(body, byFree: false)
        _ = try! call("http_status_code")
        _ = try! call("http_headers")
    case 17:  // reset
        try! call("reset")
        model.blocks = [:]
        model.input = nil
        model.inputKnown = true
        require(try! u64(call("input_length")[0]) == 0, "input_length after reset")
    case 18:  // a new call
        start(with: program.data(Int(program.byte() % 64)), &model)
    default:  // memory_bytes covers every live block
        let capacity = try! u64(call("memory_bytes")[0])
        for (handle, bytes) in model.blocks {
            require(handle + UInt64(bytes.count) <= capacity, "block \(handle) beyond memory_bytes \(capacity)")
        }
        verify(model)
    }
}

/// Every live block (or, with `near`, those within 64 bytes of that address) has its length
/// and its bytes, and no two live blocks overlap.
private func verify(_ model: Model, near address: UInt64? = nil) {
    var end: UInt64 = 0
    for handle in model.blocks.keys.sorted() {
        let bytes = model.blocks[handle]!
        require(handle >= end, "block \(handle) overlaps the previous block (ends at \(end))")
        end = handle + UInt64(bytes.count)
        if let address, address &+ 64 < handle || end &+ 64 < address { continue }
        require(try! u64(call("length", [.i64(handle)])[0]) == UInt64(bytes.count), "length of block \(handle) changed")
        require(kernel.read(block: handle) == bytes, "bytes of block \(handle) changed")
    }
}

private func littleEndian(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

private func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fatalError("FuzzKernel invariant: \(message)")
}
