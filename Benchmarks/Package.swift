// swift-tools-version:6.1
import PackageDescription

// Benchmarks of the Swift PDK (not timed tests). Build the plugins first:
//   scripts/build-plugins && scripts/build-plugins Benchmarks/Plugins/json-roundtrip
//   swift package --package-path Benchmarks benchmark
let package = Package(
    name: "TonearmBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/ordo-one/benchmark.git", exact: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", exact: "0.4.2"),
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
            name: "ServeBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ServeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
