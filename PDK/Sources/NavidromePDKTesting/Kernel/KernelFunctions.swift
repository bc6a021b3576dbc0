// The Extism kernel (module `extism:host/env`) for plugin code running natively: the PDK
// declares these functions with `@_extern(c, "extism_…")`, they are defined here against the
// active ``TestHost``. Also the one WASI function the PDK uses, `clock_time_get`.

@_cdecl("extism_input_length")
func kernelInputLength() -> Int64 {
    TestHost.active.withState { Int64($0.input.count) }
}

@_cdecl("extism_input_load_u8")
func kernelInputLoadU8(_ offset: Int64) -> UInt8 {
    TestHost.active.withState { state in
        precondition(offset >= 0 && offset < Int64(state.input.count), "plugin read input byte \(offset) of \(state.input.count)")
        return state.input[Int(offset)]
    }
}

@_cdecl("extism_input_load_u64")
func kernelInputLoadU64(_ offset: Int64) -> UInt64 {
    TestHost.active.withState { state in
        precondition(offset >= 0 && offset + 8 <= Int64(state.input.count), "plugin read input word \(offset) of \(state.input.count)")
        return littleEndianWord(state.input, at: Int(offset))
    }
}

@_cdecl("extism_alloc")
func kernelAlloc(_ length: Int64) -> Int64 {
    TestHost.active.withState { $0.memory.allocate(length) }
}

@_cdecl("extism_free")
func kernelFree(_ offset: Int64) {
    TestHost.active.withState { $0.memory.free(offset) }
}

@_cdecl("extism_length")
func kernelLength(_ offset: Int64) -> Int64 {
    TestHost.active.withState { $0.memory.length(offset) }
}

@_cdecl("extism_load_u8")
func kernelLoadU8(_ offset: Int64) -> UInt8 {
    TestHost.active.withState { $0.memory.load(offset) }
}

@_cdecl("extism_load_u64")
func kernelLoadU64(_ offset: Int64) -> UInt64 {
    TestHost.active.withState { $0.memory.loadWord(offset) }
}

@_cdecl("extism_store_u8")
func kernelStoreU8(_ offset: Int64, _ value: UInt8) {
    TestHost.active.withState { $0.memory.store(offset, value) }
}

@_cdecl("extism_store_u64")
func kernelStoreU64(_ offset: Int64, _ value: UInt64) {
    TestHost.active.withState { $0.memory.storeWord(offset, value) }
}

@_cdecl("extism_output_set")
func kernelOutputSet(_ offset: Int64, _ length: Int64) {
    TestHost.active.withState { $0.output = $0.memory.range(offset, length) }
}

@_cdecl("extism_error_set")
func kernelErrorSet(_ offset: Int64) {
    TestHost.active.withState { state in
        state.error = offset == 0 ? nil : String(decoding: state.memory.block(offset), as: UTF8.self)
    }
}

@_cdecl("extism_config_get")
func kernelConfigGet(_ key: Int64) -> Int64 {
    TestHost.active.withState { state in
        let name = String(decoding: state.memory.block(key), as: UTF8.self)
        guard let value = state.config[name] else { return 0 }
        return state.memory.allocate(Array(value.utf8))
    }
}

@_cdecl("extism_var_get")
func kernelVarGet(_ key: Int64) -> Int64 {
    TestHost.active.withState { state in
        let name = String(decoding: state.memory.block(key), as: UTF8.self)
        guard let value = state.vars[name] else { return 0 }
        return state.memory.allocate(value)
    }
}

@_cdecl("extism_var_set")
func kernelVarSet(_ key: Int64, _ value: Int64) {
    TestHost.active.withState { state in
        let name = String(decoding: state.memory.block(key), as: UTF8.self)
        let bytes = state.memory.block(value)
        state.vars[name] = bytes.isEmpty ? nil : bytes
    }
}

@_cdecl("extism_log_trace")
func kernelLogTrace(_ message: Int64) { log(0, message) }

@_cdecl("extism_log_debug")
func kernelLogDebug(_ message: Int64) { log(1, message) }

@_cdecl("extism_log_info")
func kernelLogInfo(_ message: Int64) { log(2, message) }

@_cdecl("extism_log_warn")
func kernelLogWarn(_ message: Int64) { log(3, message) }

@_cdecl("extism_log_error")
func kernelLogError(_ message: Int64) { log(4, message) }

@_cdecl("extism_get_log_level")
func kernelGetLogLevel() -> Int32 {
    TestHost.active.withState { $0.logLevel }
}

private func log(_ level: Int32, _ message: Int64) {
    TestHost.active.withState { state in
        guard level >= state.logLevel else { return }
        state.logs.append(LogEntry(level: level, message: String(decoding: state.memory.block(message), as: UTF8.self)))
    }
}

/// WASI `clock_time_get`: the host's clock (``TestHost/unixMilliseconds``) for every clock id.
@_cdecl("wasi_clock_time_get")
func wasiClockTimeGet(_ clockID: UInt32, _ precision: UInt64, _ time: UnsafeMutablePointer<UInt64>) -> UInt16 {
    time.pointee = UInt64(max(0, TestHost.active.withState { $0.nowMs })) * 1_000_000
    return 0
}
