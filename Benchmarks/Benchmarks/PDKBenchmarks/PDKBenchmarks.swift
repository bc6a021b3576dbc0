import Benchmark
import Foundation
import WasmKit

/// Repository root, from this file's location.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

func pluginWasm(_ id: String) -> [UInt8] {
    let url = root.appendingPathComponent("build/plugins/\(id)/plugin.wasm")
    guard let data = try? Data(contentsOf: url) else {
        fatalError("\(url.path) not found: run scripts/build-plugins && scripts/build-plugins Benchmarks/Plugins/json-roundtrip")
    }
    return [UInt8](data)
}

let nowPlaying = Array("""
{"username":"alice","track":{"id":"tr-1","title":"Teardrop","album":"Mezzanine","artist":"Massive Attack",\
"albumArtist":"Massive Attack","artists":[{"id":"ar-1","name":"Massive Attack","mbid":"10adbe5e-a2c0-4bf3-8249-2b4cbf6e6ca8"}],\
"albumArtists":[{"id":"ar-1","name":"Massive Attack"}],"duration":330.5,"trackNumber":3,"discNumber":1,\
"mbzRecordingId":"rec-1","mbzAlbumId":"alb-1","mbzReleaseGroupId":"rg-1","mbzReleaseTrackId":"rt-1"},"position":42}
""".utf8)

/// A PDK plugin instantiated in WasmKit with the kernel stub.
struct LoadedPlugin {
    let kernel = ExtismKernelStub()
    let instance: Instance

    init(_ wasm: [UInt8]) throws {
        let module = try parseWasm(bytes: wasm)
        let store = Store(engine: Engine())
        instance = try module.instantiate(store: store, imports: kernel.imports(store: store))
    }

    func call(_ export: String, _ input: [UInt8]) throws -> [UInt8] {
        kernel.reset(input: input)
        let result = try instance.exports[function: export]!([])
        guard result.first?.i32 == 0, kernel.error == 0 else { fatalError("\(export) failed") }
        return kernel.outputBytes
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .instructions, .mallocCountTotal], maxDuration: .seconds(5))

    for plugin in ["minimal", "discord-rich-presence"] {
        Benchmark("\(plugin) plugin .wasm size",
                  configuration: .init(metrics: [.custom("wasm bytes", useScalingFactor: false)], maxIterations: 1)) { benchmark in
            benchmark.measurement(.custom("wasm bytes", useScalingFactor: false), pluginWasm(plugin).count)
        }
    }

    Benchmark("NowPlaying JSON round-trip (one plugin call)") { benchmark in
        let plugin = try LoadedPlugin(pluginWasm("json-roundtrip"))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try plugin.call("bench_nowplaying_roundtrip", nowPlaying))
        }
    }

    Benchmark("NowPlaying JSON round-trip ×100 inside the plugin",
              configuration: .init(metrics: [.wallClock, .instructions], maxDuration: .seconds(10))) { benchmark in
        let plugin = try LoadedPlugin(pluginWasm("json-roundtrip"))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try plugin.call("bench_nowplaying_roundtrip_x100", nowPlaying))
        }
    }
}
