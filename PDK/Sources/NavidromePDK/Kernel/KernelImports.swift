// The Extism kernel functions (module `extism:host/env`). Only functions a plugin actually
// uses end up as imports of its .wasm. Pointers here are offsets into the kernel's memory.

@_extern(wasm, module: "extism:host/env", name: "input_length") @_extern(c, "extism_input_length")
func extism_input_length() -> Int64
@_extern(wasm, module: "extism:host/env", name: "input_load_u8") @_extern(c, "extism_input_load_u8")
func extism_input_load_u8(_ offset: Int64) -> UInt8
@_extern(wasm, module: "extism:host/env", name: "input_load_u64") @_extern(c, "extism_input_load_u64")
func extism_input_load_u64(_ offset: Int64) -> UInt64
@_extern(wasm, module: "extism:host/env", name: "alloc") @_extern(c, "extism_alloc")
func extism_alloc(_ length: Int64) -> Int64
@_extern(wasm, module: "extism:host/env", name: "free") @_extern(c, "extism_free")
func extism_free(_ offset: Int64)
@_extern(wasm, module: "extism:host/env", name: "length") @_extern(c, "extism_length")
func extism_length(_ offset: Int64) -> Int64
@_extern(wasm, module: "extism:host/env", name: "load_u8") @_extern(c, "extism_load_u8")
func extism_load_u8(_ offset: Int64) -> UInt8
@_extern(wasm, module: "extism:host/env", name: "load_u64") @_extern(c, "extism_load_u64")
func extism_load_u64(_ offset: Int64) -> UInt64
@_extern(wasm, module: "extism:host/env", name: "store_u8") @_extern(c, "extism_store_u8")
func extism_store_u8(_ offset: Int64, _ value: UInt8)
@_extern(wasm, module: "extism:host/env", name: "store_u64") @_extern(c, "extism_store_u64")
func extism_store_u64(_ offset: Int64, _ value: UInt64)
@_extern(wasm, module: "extism:host/env", name: "output_set") @_extern(c, "extism_output_set")
func extism_output_set(_ offset: Int64, _ length: Int64)
@_extern(wasm, module: "extism:host/env", name: "error_set") @_extern(c, "extism_error_set")
func extism_error_set(_ offset: Int64)
@_extern(wasm, module: "extism:host/env", name: "config_get") @_extern(c, "extism_config_get")
func extism_config_get(_ key: Int64) -> Int64
@_extern(wasm, module: "extism:host/env", name: "var_get") @_extern(c, "extism_var_get")
func extism_var_get(_ key: Int64) -> Int64
@_extern(wasm, module: "extism:host/env", name: "var_set") @_extern(c, "extism_var_set")
func extism_var_set(_ key: Int64, _ value: Int64)
@_extern(wasm, module: "extism:host/env", name: "log_trace") @_extern(c, "extism_log_trace")
func extism_log_trace(_ message: Int64)
@_extern(wasm, module: "extism:host/env", name: "log_debug") @_extern(c, "extism_log_debug")
func extism_log_debug(_ message: Int64)
@_extern(wasm, module: "extism:host/env", name: "log_info") @_extern(c, "extism_log_info")
func extism_log_info(_ message: Int64)
@_extern(wasm, module: "extism:host/env", name: "log_warn") @_extern(c, "extism_log_warn")
func extism_log_warn(_ message: Int64)
@_extern(wasm, module: "extism:host/env", name: "log_error") @_extern(c, "extism_log_error")
func extism_log_error(_ message: Int64)
@_extern(wasm, module: "extism:host/env", name: "get_log_level") @_extern(c, "extism_get_log_level")
func extism_get_log_level() -> Int32
