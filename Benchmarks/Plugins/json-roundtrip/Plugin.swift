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

// The steps of a WebSocket text-message call, each ×100 inside the plugin (input: an
// `nd_websocket_on_text_message` request whose message is a gateway frame).

/// Reading the call input from the kernel.
@_expose(wasm, "bench_read_input_x100") @_cdecl("bench_read_input_x100")
func readInputHundred() -> Int32 {
    var total = 0
    for _ in 0..<100 { total &+= Extism.input().count }
    Extism.setOutput("\(total)")
    return 0
}

/// Decoding `OnTextMessageRequest` from the input bytes (as the WebSocketCallback export does).
@_expose(wasm, "bench_decode_text_message_x100") @_cdecl("bench_decode_text_message_x100")
func decodeTextMessageHundred() -> Int32 {
    let input = Extism.input()
    var total = 0
    do {
        for _ in 0..<100 { total &+= try OnTextMessageRequest(jsonBytes: input).messageUTF8.count }
    } catch {
        Extism.setError(error.message)
        return 1
    }
    Extism.setOutput("\(total)")
    return 0
}

/// The message as text and back to bytes: the old way to the frame bytes (the Discord plugin
/// now takes `messageUTF8` as is).
@_expose(wasm, "bench_message_bytes_x100") @_cdecl("bench_message_bytes_x100")
func messageBytesHundred() -> Int32 {
    guard let request = try? OnTextMessageRequest(jsonBytes: Extism.input()) else { return 1 }
    var total = 0
    for _ in 0..<100 { total &+= Array(request.message.utf8).count }
    Extism.setOutput("\(total)")
    return 0
}

/// Reading `op`, `s` and `t` of the frame with ``JSONLazyObject``.
@_expose(wasm, "bench_lazy_frame_x100") @_cdecl("bench_lazy_frame_x100")
func lazyFrameHundred() -> Int32 {
    guard let message = try? OnTextMessageRequest(jsonBytes: Extism.input()).messageUTF8 else { return 1 }
    var total: Int64 = 0
    do {
        for _ in 0..<100 {
            let frame = try JSONLazyObject(bytes: message)
            total &+= (try frame.int64("op") ?? 0) &+ (try frame.int64("s") ?? 0)
            total &+= Int64(try frame.string("t")?.utf8.count ?? 0)
        }
    } catch {
        Extism.setError(error.message)
        return 1
    }
    Extism.setOutput("\(total)")
    return 0
}
