import Foundation
import WasmKit

/// The Extism kernel (import module `extism:host/env`) implemented natively for one plugin
/// instance: kernel memory blocks, per-call input/output/error, vars, config, logging and the
/// built-in `http_request`.
///
/// One kernel belongs to one WasmKit store and instance and is used by one call at a time.
public final class ExtismKernel: @unchecked Sendable {
    /// The import module name of the kernel ABI.
    public static let moduleName = "extism:host/env"

    /// Kernel memory: every `i64` offset of the ABI points here.
    public let memory: KernelMemory
    /// The plugin's configuration, read by `config_get`.
    public var config: [String: String]
    /// Log lines below this level are dropped; `nil` turns logging off.
    public var logLevel: KernelLogLevel?
    /// Receives the plugin's log lines.
    public var logSink: (@Sendable (KernelLogLevel, String) -> Void)?
    /// Performs the built-in `http_request`; `nil` denies every request.
    public var httpHandler: (@Sendable (KernelHTTPRequest) throws -> KernelHTTPResponse)?
    /// The most bytes all vars together may hold (key + value + 48 per entry); 0 disables vars.
    public var maxVarBytes: Int
    /// The largest output a call may produce.
    public var maxOutputBytes: Int

    private(set) var inputHandle: UInt64 = 0
    private(set) var inputLength: UInt64 = 0
    private var outputOffset: UInt64 = 0
    private var outputLength: UInt64 = 0
    private var errorHandle: UInt64 = 0
    private var vars: [String: [UInt8]] = [:]
    private var lastHTTPStatus: Int32 = 0
    private var lastHTTPHeaders: [String: String]?

    /// Creates a kernel whose memory may grow to `memoryLimit` bytes.
    public init(
        config: [String: String] = [:], memoryLimit: Int = 128 * 1024 * 1024,
        maxVarBytes: Int = 1024 * 1024, maxOutputBytes: Int = 64 * 1024 * 1024
    ) {
        self.memory = KernelMemory(limit: memoryLimit)
        self.config = config
        self.logLevel = .info
        self.maxVarBytes = maxVarBytes
        self.maxOutputBytes = maxOutputBytes
    }

    // MARK: Call lifecycle (host side)

    /// Prepares a call: drops all blocks, clears output, error, vars and the last HTTP result,
    /// and stores `input` as an ordinary block (none for empty input).
    public func beginCall(input: [UInt8]) throws(KernelError) {
        memory.reset()
        outputOffset = 0
        outputLength = 0
        errorHandle = 0
        vars.removeAll(keepingCapacity: true)
        lastHTTPStatus = 0
        lastHTTPHeaders = nil
        inputHandle = 0
        inputLength = 0
        guard !input.isEmpty else { return }
        let handle = memory.allocate(copying: input)
        guard handle != 0 else { throw .message("input of \(input.count) bytes exceeds the kernel memory limit") }
        inputHandle = handle
        inputLength = UInt64(input.count)
    }

    /// The output range the plugin declared with `output_set`.
    public func output() throws(KernelError) -> [UInt8] {
        guard outputLength > 0 else { return [] }
        guard outputLength <= UInt64(maxOutputBytes) else {
            throw .message("output of \(outputLength) bytes exceeds the limit of \(maxOutputBytes) bytes")
        }
        return memory.read(outputOffset, count: outputLength) ?? []
    }

    /// The error text the plugin set with `error_set`, if any (measured with `length`, so a
    /// freed error block reads as no error, as in the reference host).
    public func errorMessage() -> String? {
        guard errorHandle != 0 else { return nil }
        let bytes = memory.block(errorHandle)
        guard !bytes.isEmpty else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Reading and writing blocks for host functions

    /// The bytes of the block at `handle` (`length(handle)` bytes; empty for 0 or invalid).
    public func read(block handle: UInt64) -> [UInt8] { memory.block(handle) }

    /// A new block holding `bytes`; 0 for empty bytes.
    public func write(block bytes: [UInt8]) throws(KernelError) -> UInt64 {
        guard !bytes.isEmpty else { return 0 }
        let handle = memory.allocate(copying: bytes)
        guard handle != 0 else { throw .message("kernel memory limit reached writing \(bytes.count) bytes") }
        return handle
    }

    // MARK: Imports

    /// The signature of every function of `extism:host/env`.
    public static let functionTypes: [String: FunctionType] = {
        let i64 = ValueType.i64, i32 = ValueType.i32
        func t(_ p: [ValueType], _ r: [ValueType]) -> FunctionType { FunctionType(parameters: p, results: r) }
        return [
            "alloc": t([i64], [i64]), "free": t([i64], []), "length": t([i64], [i64]),
            "length_unsafe": t([i64], [i64]), "load_u8": t([i64], [i32]), "load_u64": t([i64], [i64]),
            "store_u8": t([i64, i32], []), "store_u64": t([i64, i64], []),
            "input_length": t([], [i64]), "input_offset": t([], [i64]),
            "input_load_u8": t([i64], [i32]), "input_load_u64": t([i64], [i64]),
            "input_set": t([i64, i64], []), "output_set": t([i64, i64], []),
            "output_offset": t([], [i64]), "output_length": t([], [i64]),
            "error_set": t([i64], []), "error_get": t([], [i64]), "reset": t([], []),
            "memory_bytes": t([], [i64]),
            "config_get": t([i64], [i64]), "var_get": t([i64], [i64]), "var_set": t([i64, i64], []),
            "http_request": t([i64, i64], [i64]), "http_status_code": t([], [i32]), "http_headers": t([], [i64]),
            "log_trace": t([i64], []), "log_debug": t([i64], []), "log_info": t([i64], []),
            "log_warn": t([i64], []), "log_error": t([i64], []), "get_log_level": t([], [i32]),
        ]
    }()

    /// Defines the kernel function `name` in `store`, bound to this kernel; `nil` if `name` is not
    /// part of the kernel ABI.
    public func function(named name: String, store: Store) -> Function? {
        guard let type = Self.functionTypes[name], let body = implementation(of: name) else { return nil }
        return Function(store: store, parameters: type.parameters, results: type.results, raw: body)
    }

    // The functions hold the kernel strongly: it holds no reference back to the store, so there
    // is no cycle, and a strong capture spares an atomic unowned-retain on every host call.
    private func implementation(of name: String) -> Function.RawImplementation? {
        let memory = self.memory
        switch name {
        case "alloc": return { _, a, r in r[0] = .i64(memory.alloc(a[0].u64)) }
        case "free": return { [self] _, a, _ in
            let handle = a[0].u64
            if handle == inputHandle && handle != 0 { inputLength = 0 }
            memory.free(handle)
        }
        case "length", "length_unsafe": return { _, a, r in r[0] = .i64(memory.length(a[0].u64)) }
        case "load_u8": return { _, a, r in r[0] = .i32(UInt32(try memory.loadU8(a[0].u64))) }
        case "load_u64": return { _, a, r in r[0] = .i64(try memory.loadU64(a[0].u64)) }
        case "store_u8": return { _, a, _ in try memory.storeU8(a[0].u64, UInt8(truncatingIfNeeded: a[1].u32)) }
        case "store_u64": return { _, a, _ in try memory.storeU64(a[0].u64, a[1].u64) }
        case "input_length": return { [self] _, _, r in r[0] = .i64(inputLength) }
        case "input_offset": return { [self] _, _, r in r[0] = .i64(inputHandle) }
        case "input_load_u8": return { [self] _, a, r in
            let i = a[0].u64
            r[0] = .i32(i < inputLength ? UInt32(memory.areaLoadU8(inputHandle + i)) : 0)
        }
        case "input_load_u64": return { [self] _, a, r in
            let i = a[0].u64
            r[0] = .i64(i < inputLength && inputLength - i >= 8 ? memory.areaLoadU64(inputHandle + i) : 0)
        }
        case "input_set": return { [self] _, a, _ in
            if memory.isAllocated(a[0].u64, count: a[1].u64) { (inputHandle, inputLength) = (a[0].u64, a[1].u64) }
        }
        case "output_set": return { [self] _, a, _ in
            if memory.isAllocated(a[0].u64, count: a[1].u64) { (outputOffset, outputLength) = (a[0].u64, a[1].u64) }
        }
        case "output_offset": return { [self] _, _, r in r[0] = .i64(outputOffset) }
        case "output_length": return { [self] _, _, r in r[0] = .i64(outputLength) }
        case "error_set": return { [self] _, a, _ in
            let handle = a[0].u64
            if handle == 0 || memory.isAllocated(handle, count: 1) { errorHandle = handle }
        }
        case "error_get": return { [self] _, _, r in r[0] = .i64(errorHandle) }
        case "reset": return { [self] _, _, _ in
            memory.reset()
            (inputHandle, inputLength, outputOffset, outputLength, errorHandle) = (0, 0, 0, 0, 0)
        }
        case "memory_bytes": return { _, _, r in r[0] = .i64(UInt64(memory.capacity)) }
        case "config_get": return { [self] _, a, r in
            let key = String(decoding: memory.block(a[0].u64), as: UTF8.self)
            memory.free(a[0].u64)
            r[0] = .i64(try config[key].map { try write(block: Array($0.utf8)) } ?? 0)
        }
        case "var_get": return { [self] _, a, r in
            let key = String(decoding: memory.block(a[0].u64), as: UTF8.self)
            memory.free(a[0].u64)
            r[0] = .i64(try vars[key].map { try write(block: $0) } ?? 0)
        }
        case "var_set": return { [self] _, a, _ in try setVar(key: a[0].u64, value: a[1].u64) }
        case "http_request": return { [self] _, a, r in r[0] = .i64(try httpRequest(a[0].u64, body: a[1].u64)) }
        case "http_status_code": return { [self] _, _, r in r[0] = .i32(UInt32(bitPattern: lastHTTPStatus)) }
        case "http_headers": return { [self] _, _, r in
            guard let headers = lastHTTPHeaders,
                let json = try? JSONSerialization.data(withJSONObject: headers, options: [.sortedKeys])
            else { r[0] = .i64(0); return }
            r[0] = .i64(try write(block: Array(json)))
        }
        case "get_log_level": return { [self] _, _, r in
            r[0] = .i32(logLevel.map { UInt32($0.rawValue) } ?? UInt32(Int32.max))
        }
        case "log_trace": return logFunction(.trace)
        case "log_debug": return logFunction(.debug)
        case "log_info": return logFunction(.info)
        case "log_warn": return logFunction(.warn)
        case "log_error": return logFunction(.error)
        default: return nil
        }
    }

    private func logFunction(_ level: KernelLogLevel) -> Function.RawImplementation {
        { [self] _, a, _ in
            let handle = a[0].u64
            defer { memory.free(handle) }
            guard let threshold = logLevel, level >= threshold, let sink = logSink else { return }
            sink(level, String(decoding: memory.block(handle), as: UTF8.self))
        }
    }

    private func setVar(key keyHandle: UInt64, value valueHandle: UInt64) throws(KernelError) {
        defer {
            memory.free(keyHandle)
            memory.free(valueHandle)
        }
        guard maxVarBytes > 0 else { throw .message("Vars are disabled by this host") }
        let key = String(decoding: memory.block(keyHandle), as: UTF8.self)
        let value = memory.block(valueHandle)
        guard !value.isEmpty else {
            vars[key] = nil
            return
        }
        var total = key.utf8.count + value.count + 48
        for (k, v) in vars where k != key { total += k.utf8.count + v.count + 48 }
        guard total <= maxVarBytes else { throw .message("Variable store is full") }
        vars[key] = value
    }

    private func httpRequest(_ requestHandle: UInt64, body bodyHandle: UInt64) throws -> UInt64 {
        let requestBytes = memory.block(requestHandle)
        let body = memory.block(bodyHandle)
        memory.free(requestHandle)
        memory.free(bodyHandle)
        let request = try KernelHTTPRequest(json: requestBytes, body: body)
        guard let handler = httpHandler else {
            throw KernelError.message("HTTP request to \(request.url) is not allowed")
        }
        let response = try handler(request)
        lastHTTPStatus = Int32(response.status)
        lastHTTPHeaders = response.headers
        return try write(block: response.body)
    }
}

/// Extism log levels, in the order `get_log_level` reports them.
public enum KernelLogLevel: Int, Sendable, Comparable, CustomStringConvertible {
    case trace = 0, debug, info, warn, error

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }
}

/// A request made through the kernel's built-in `http_request`.
public struct KernelHTTPRequest: Sendable {
    public var url: String
    /// Upper-cased; GET when the plugin gave none.
    public var method: String
    public var headers: [String: String]
    public var body: [UInt8]

    init(json: [UInt8], body: [UInt8]) throws(KernelError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let url = object["url"] as? String
        else { throw .message("http_request: the request is not a JSON object with a \"url\" string") }
        self.url = url
        let method = (object["method"] as? String) ?? ""
        self.method = method.isEmpty ? "GET" : method.uppercased()
        self.headers = (object["headers"] as? [String: String]) ?? [:]
        self.body = body
    }
}

/// The result of a built-in `http_request`.
public struct KernelHTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A failure raised inside a kernel function; the plugin call traps with this message.
public enum KernelError: Error, Equatable, CustomStringConvertible {
    case message(String)

    public var description: String {
        switch self {
        case .message(let text): text
        }
    }
}

extension Value {
    @inline(__always) var u64: UInt64 {
        switch self {
        case .i64(let v): v
        case .i32(let v): UInt64(v)
        default: 0
        }
    }

    @inline(__always) var u32: UInt32 {
        switch self {
        case .i32(let v): v
        case .i64(let v): UInt32(truncatingIfNeeded: v)
        default: 0
        }
    }
}
