import NavidromePDK

/// One NowPlaying JSON round-trip per call: parse, map to NowPlayingRequest, encode, serialize.
@_expose(wasm, "bench_nowplaying_roundtrip") @_cdecl("bench_nowplaying_roundtrip")
func roundTrip() -> Int32 {
    ExportCall.run(NowPlayingRequest.self) { (r) throws(PluginError) -> [UInt8]? in r.jsonBytes() }
}

/// 100 round-trips of the input inside the plugin, without crossing the host boundary.
@_expose(wasm, "bench_nowplaying_roundtrip_x100") @_cdecl("bench_nowplaying_roundtrip_x100")
func roundTripHundred() -> Int32 {
    var bytes = Extism.input()
    do {
        for _ in 0..<100 {
            bytes = try NowPlayingRequest.decode(json: bytes).jsonBytes()
        }
    } catch {
        Extism.setError(error.message)
        return 1
    }
    Extism.setOutput(bytes)
    return 0
}

// Where a gateway frame's time goes, each step 100 times inside the plugin. Input: the
// `nd_websocket_on_text_message` JSON ({"connectionId", "message"}).

/// Reading the input from the kernel.
@_expose(wasm, "bench_read_input_x100") @_cdecl("bench_read_input_x100")
func readInputHundred() -> Int32 {
    var total = 0
    for _ in 0..<100 { total &+= Extism.input().count }
    return total == 0 ? 1 : 0
}

/// Decoding OnTextMessageRequest (the message string unescaped).
@_expose(wasm, "bench_decode_text_message_x100") @_cdecl("bench_decode_text_message_x100")
func decodeTextMessageHundred() -> Int32 {
    let bytes = Extism.input()
    var total = 0
    for _ in 0..<100 {
        guard let request = try? OnTextMessageRequest.decode(json: bytes) else { return 1 }
        total &+= request.message.utf8.count
    }
    return total == 0 ? 1 : 0
}

/// The message as bytes (what the Discord plugin hands to its gateway reader).
@_expose(wasm, "bench_message_bytes_x100") @_cdecl("bench_message_bytes_x100")
func messageBytesHundred() -> Int32 {
    guard let request = try? OnTextMessageRequest.decode(json: Extism.input()) else { return 1 }
    var total = 0
    for _ in 0..<100 { total &+= Array(request.message.utf8).count }
    return total == 0 ? 1 : 0
}

/// Reading op, s and t of the frame lazily.
@_expose(wasm, "bench_lazy_frame_x100") @_cdecl("bench_lazy_frame_x100")
func lazyFrameHundred() -> Int32 {
    guard let request = try? OnTextMessageRequest.decode(json: Extism.input()) else { return 1 }
    let frame = Array(request.message.utf8)
    var total: Int64 = 0
    for _ in 0..<100 {
        guard let object = try? JSONLazyObject(bytes: frame) else { return 1 }
        total &+= ((try? object.int64("op")) ?? 0) ?? 0
        total &+= ((try? object.int64("s")) ?? 0) ?? 0
        total &+= Int64((((try? object.string("t")) ?? nil) ?? "").utf8.count)
    }
    return total == 0 ? 1 : 0
}
