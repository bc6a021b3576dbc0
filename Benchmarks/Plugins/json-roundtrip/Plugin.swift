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
