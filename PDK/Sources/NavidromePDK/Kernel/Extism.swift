/// The plugin's side of the Extism kernel: call input, output, error, configuration and vars.
public enum Extism {
    /// The raw input of the current call.
    public static func input() -> [UInt8] {
        MemoryBlock.load(count: Int(extism_input_length()), word: extism_input_load_u64, byte: extism_input_load_u8)
    }

    /// The input as UTF-8 text.
    public static func inputString() -> String {
        String(decoding: input(), as: UTF8.self)
    }

    /// The input parsed as JSON.
    public static func inputJSON() throws(PluginError) -> JSONValue {
        do { return try JSONValue.parse(input()) } catch { throw PluginError(error) }
    }

    /// The input decoded into `T` (the input must be a JSON object).
    public static func input<T: JSONDecodable>(_ type: T.Type) throws(PluginError) -> T {
        do { return try T.decode(json: input()) } catch { throw PluginError(error) }
    }

    /// Sets the output of the current call.
    public static func setOutput(_ bytes: [UInt8]) {
        let block = MemoryBlock.allocate(bytes)
        if block.offset != 0 { extism_output_set(block.offset, block.length) }
    }

    public static func setOutput(_ text: String) {
        setOutput(Array(text.utf8))
    }

    public static func setOutput(json value: JSONValue) {
        setOutput(value.serialized())
    }

    public static func setOutput<T: JSONEncodable>(_ value: T) {
        setOutput(value.jsonBytes())
    }

    /// Fails the current call with `message` (the host reports it whatever the return code).
    public static func setError(_ message: String) {
        let text = message.utf8.isEmpty ? "error" : message
        extism_error_set(MemoryBlock.allocate(text).offset)
    }

    /// The plugin configuration value for `key` (`nil` if missing; Extism cannot tell an
    /// empty value from a missing one).
    public static func config(_ key: String) -> String? {
        let keyBlock = MemoryBlock.allocate(key)
        let result = extism_config_get(keyBlock.offset)
        guard result != 0 else { return nil }
        return MemoryBlock(offset: result).string()
    }

    /// The Extism var `key` (`nil` if unset). Navidrome creates a fresh instance per call, so
    /// vars do not persist there; use the Cache or KVStore services instead.
    public static func variable(_ key: String) -> [UInt8]? {
        let keyBlock = MemoryBlock.allocate(key)
        let result = extism_var_get(keyBlock.offset)
        guard result != 0 else { return nil }
        return MemoryBlock(offset: result).bytes()
    }

    /// Sets the Extism var `key`; `nil` or empty deletes it.
    public static func setVariable(_ key: String, _ value: [UInt8]?) {
        let keyBlock = MemoryBlock.allocate(key)
        let valueBlock = MemoryBlock.allocate(value ?? [])
        extism_var_set(keyBlock.offset, valueBlock.offset)
    }
}
