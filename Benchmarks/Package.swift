// swift-tools-version:6.1
import Foundation
import PackageDescription

// Benchmarks (not timed tests), one target at a time, e.g.
//   scripts/build-plugins && scripts/build-plugins Benchmarks/Plugins/json-roundtrip
//   swift package --package-path Benchmarks benchmark --target PDKBenchmarks
// Benchmarks/README.md says what each target needs (ServeBenchmarks: release binaries) and reports.

// The repository's own package, by the identity SwiftPM gives a path dependency: the name of
// the folder it was cloned into.
let host = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "TonearmBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", exact: "0.4.2"),
        .package(path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "PDKBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "WasmKit", package: "WasmKit"),
            ],
            path: "Benchmarks/PDKBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RuntimeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PluginRuntime", package: host),
                .product(name: "HostServices", package: host),
                .product(name: "WasmKit", package: "WasmKit"),
            ],
            path: "Benchmarks/RuntimeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ServeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TestSupport", package: host),
            ],
            path: "Benchmarks/ServeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
