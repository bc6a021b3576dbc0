/// Calls a Navidrome host function (module `extism:host/user`): one JSON request in, one JSON
/// response out; a non-empty `error` member becomes a ``PluginError``.
enum HostCall {
    static func call(_ name: String, _ function: (Int64) -> Int64, _ request: JSONObjectWriter) throws(PluginError) -> JSONObjectReader {
        let requestBytes = JSONValue.object(request.object).serialized()
        let block = MemoryBlock.allocate(requestBytes)
        let responseOffset = function(block.offset)
        let responseBytes = MemoryBlock(offset: responseOffset).bytes()
        if responseBytes.isEmpty { return JSONObjectReader(JSONObject()) }
        let response: JSONValue
        do {
            response = try JSONValue.parse(responseBytes)
        } catch {
            throw PluginError.host(name, "invalid response: \(error.message)")
        }
        guard case .object(let object) = response else {
            throw PluginError.host(name, "invalid response: expected a JSON object, found \(response.kindName)")
        }
        let reader = JSONObjectReader(object)
        if case .string(let message)? = object["error"], !message.utf8.isEmpty {
            throw PluginError.host(name, message)
        }
        return reader
    }

    /// Maps a response field to the PDK error type.
    static func read<T>(_ name: String, _ body: () throws(JSONError) -> T) throws(PluginError) -> T {
        do { return try body() } catch { throw PluginError.host(name, "invalid response: \(error.message)") }
    }
}
