import NavidromePDK

// Exports used only by the conformance tests: direct access to the kernel bindings, the JSON
// library and every host-service client.

/// Echoes the raw input (input reading of every length, output of any bytes).
@_expose(wasm, "pdk_test_echo") @_cdecl("pdk_test_echo")
func testEcho() -> Int32 {
    Extism.setOutput(Extism.input())
    return 0
}

@_extern(c, "navidrome_pdk_memory_pages")
func navidrome_pdk_memory_pages() -> Int

/// The plugin's linear memory size in 64 KiB pages.
@_expose(wasm, "pdk_test_memory_pages") @_cdecl("pdk_test_memory_pages")
func testMemoryPages() -> Int32 {
    Extism.setOutput(JSONValue.int(Int64(navidrome_pdk_memory_pages())).serialized())
    return 0
}

/// The wall clock (WASI), as Unix milliseconds.
@_expose(wasm, "pdk_test_clock") @_cdecl("pdk_test_clock")
func testClock() -> Int32 {
    do {
        Extism.setOutput(JSONValue.int(try Clock.unixMilliseconds()).serialized())
        return 0
    } catch {
        Extism.setError(error.text)
        return 1
    }
}

/// Parses the input as JSON and outputs it re-serialized (or fails with the parse error).
@_expose(wasm, "pdk_test_json") @_cdecl("pdk_test_json")
func testJSON() -> Int32 {
    do {
        let depth = Extism.config("max_depth").flatMap { Int($0) } ?? JSONParser.defaultMaxDepth
        Extism.setOutput(try JSONValue.parse(Extism.input(), maxDepth: depth).serialized())
        return 0
    } catch {
        Extism.setError(error.message)
        return 1
    }
}

/// Reads gateway-style fields with the lazy reader: op, t, s, d.session_id, d.resume_gateway_url.
@_expose(wasm, "pdk_test_lazy") @_cdecl("pdk_test_lazy")
func testLazy() -> Int32 {
    do {
        let event = try JSONLazyObject(bytes: Extism.input())
        var out = JSONObjectWriter()
        out.set("op", (try event.int64("op")).map { JSONValue.int($0) } ?? .null)
        out.set("t", (try event.string("t")).map { JSONValue.string($0) } ?? .null)
        out.set("s", (try event.int64("s")).map { JSONValue.int($0) } ?? .null)
        if let d = try event.object("d") {
            out.set("session_id", try d.string("session_id"))
            out.set("resume_gateway_url", try d.string("resume_gateway_url"))
        }
        Extism.setOutput(json: .object(out.object))
        return 0
    } catch {
        Extism.setError(error.message)
        return 1
    }
}

/// Decodes a NowPlayingRequest and outputs it encoded again.
@_expose(wasm, "pdk_test_nowplaying_roundtrip") @_cdecl("pdk_test_nowplaying_roundtrip")
func testNowPlayingRoundTrip() -> Int32 {
    ExportCall.run(NowPlayingRequest.self) { (r) throws(PluginError) -> [UInt8]? in r.jsonBytes() }
}

/// Kernel bindings: config, vars, log level, logging at every level.
@_expose(wasm, "pdk_test_kernel") @_cdecl("pdk_test_kernel")
func testKernel() -> Int32 {
    ExportCall.run(KernelRequest.self) { (r) throws(PluginError) -> [UInt8]? in
        var out = JSONObjectWriter()
        out.set("config", Extism.config(r.configKey).map { JSONValue.string($0) } ?? .null)
        let before = Extism.variable(r.varKey)
        out.set("varBefore", before.map { JSONValue.string(String(decoding: $0, as: UTF8.self)) } ?? .null)
        Extism.setVariable(r.varKey, r.varValue.isEmpty ? nil : Array(r.varValue.utf8))
        let after = Extism.variable(r.varKey)
        out.set("varAfter", after.map { JSONValue.string(String(decoding: $0, as: UTF8.self)) } ?? .null)
        out.set("logLevel", Int64(Log.hostLevel?.rawValue ?? -1))
        out.set("debugEnabled", Log.isEnabled(.debug))
        Log.trace("pdk-trace " + r.message)
        Log.debug("pdk-debug " + r.message)
        Log.info("pdk-info " + r.message)
        Log.warn("pdk-warn " + r.message)
        Log.error("pdk-error " + r.message)
        return JSONValue.object(out.object).serialized()
    }
}

struct KernelRequest: JSONDecodable {
    var configKey: String
    var varKey: String
    var varValue: String
    var message: String
    init(json: JSONObjectReader) throws(JSONError) {
        configKey = try json.string("config")
        varKey = try json.string("var")
        varValue = try json.string("value")
        message = try json.string("message")
    }
}

/// Calls one host-service client: input `{"call": "<host function>", ...arguments}`,
/// output the client's result as JSON, or the client's error as the call error.
@_expose(wasm, "pdk_test_host") @_cdecl("pdk_test_host")
func testHost() -> Int32 {
    ExportCall.run(HostTestRequest.self) { (r) throws(PluginError) -> [UInt8]? in
        try r.perform().serialized()
    }
}

struct HostTestRequest: JSONDecodable {
    let args: JSONObjectReader
    let call: String

    init(json: JSONObjectReader) throws(JSONError) {
        args = json
        call = try json.string("call")
    }

    func perform() throws(PluginError) -> JSONValue {
        try callHostClient(call, args)
    }
}
