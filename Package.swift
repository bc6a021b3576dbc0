// swift-tools-version:6.3
import PackageDescription

// Host side of Tonearm: the Extism kernel and plugin runtime on WasmKit, Navidrome's host
// services, the feeds from music servers, the daemon and its CLI, and the Discord simulator
// used by tests, demos and benchmarks. The Swift PDK and the plugins are separate packages
// (`PDK/`, `Plugins/*`) built for wasm32.

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "tonearm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tonearm", targets: ["tonearm"]),
        .executable(name: "discord-simulator", targets: ["discord-simulator"]),
        // For Benchmarks/ (a separate package, so that `swift build` here stays lean).
        .library(name: "PluginRuntime", targets: ["PluginRuntime"]),
        .library(name: "TestSupport", targets: ["TestSupport"]),
        // For Fuzz/ (libFuzzer targets, a separate package built with sanitizers).
        .library(name: "ExtismKernel", targets: ["ExtismKernel"]),
        .library(name: "HostServices", targets: ["HostServices"]),
        .library(name: "Feeds", targets: ["Feeds"]),
        .library(name: "TonearmJSON", targets: ["TonearmJSON"]),
        .library(name: "Console", targets: ["Console"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swiftwasm/WasmKit.git", exact: "0.4.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Layer 0: the host's one JSON value type, its strict parser and Go's JSON writer.
        .target(name: "TonearmJSON", swiftSettings: strict),
        // Navidrome's plugin ABI on the host: payloads, host functions, capabilities (generated
        // from ABI/ by scripts/generate-abi).
        .target(name: "NavidromeABI", dependencies: ["TonearmJSON"], swiftSettings: strict),
        // Layer 1: the Extism kernel ABI over WasmKit.
        .target(
            name: "ExtismKernel",
            dependencies: [.product(name: "WasmKit", package: "WasmKit")],
            swiftSettings: strict
        ),
        // Locks ThreadSanitizer sees, used in place of Synchronization.Mutex by `scripts/sanitize thread`.
        .target(name: "ThreadSanitizerLocks", swiftSettings: strict),
        // The system zlib (inflate and CRC-32 of `.ndp` entries).
        .systemLibrary(name: "TonearmZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Layer 2: manifests, packages, loading, per-call instances, limits, the plugin manager
        // (configured by values; TonearmServer alone reads tonearm.toml).
        .target(
            name: "PluginRuntime",
            dependencies: [
                "ThreadSanitizerLocks",
                "TonearmJSON",
                "NavidromeABI",
                "ExtismKernel",
                "TonearmZlib",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmKitWASI", package: "WasmKit"),
                .product(name: "WASI", package: "WasmKit"),
                .product(name: "WasmParser", package: "WasmKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Layer 3: Navidrome's host services, one file per service.
        .target(
            name: "HostServices",
            dependencies: [
                "ThreadSanitizerLocks",
                "TonearmJSON",
                "NavidromeABI",
                "PluginRuntime",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Where playback events come from: Subsonic polling, ListenBrainz submissions.
        .target(
            name: "Feeds",
            dependencies: [
                "ThreadSanitizerLocks",
                "TonearmJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The web console's parts that need no server: pages, forms from config schemas, sign-in
        // sessions, the in-memory log.
        .target(
            name: "Console",
            dependencies: [
                "ThreadSanitizerLocks",
                "TonearmJSON",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The daemon: wiring, HTTP server, lifecycle, configuration.
        .target(
            name: "TonearmServer",
            dependencies: [
                "ThreadSanitizerLocks",
                "TonearmJSON",
                "PluginRuntime", "NavidromeABI", "HostServices", "Feeds", "Console", "DiscordSimulator",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "tonearm",
            dependencies: [
                "TonearmServer",
                "Console",
                "HostServices",
                "PluginRuntime",
                "NavidromeABI",
                "TonearmJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A strict Discord gateway + REST simulator on loopback.
        .target(
            name: "DiscordSimulator",
            dependencies: [
                "ThreadSanitizerLocks",
                "TonearmJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "discord-simulator",
            dependencies: [
                "DiscordSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Fixtures shared by the test targets: a real Supysonic, `tonearm serve` as a process.
        .target(name: "TestSupport", dependencies: ["ThreadSanitizerLocks"], path: "Tests/TestSupport", swiftSettings: strict),
        // Tests (Swift Testing).
        .testTarget(name: "TonearmJSONTests", dependencies: ["TonearmJSON"], swiftSettings: strict),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "TonearmJSON"], swiftSettings: strict),
        .testTarget(
            name: "ExtismKernelTests",
            dependencies: ["ExtismKernel", .product(name: "WAT", package: "WasmKit")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PluginRuntimeTests",
            dependencies: [
                "TonearmJSON",
                "ThreadSanitizerLocks", "TestSupport",
                "PluginRuntime", .product(name: "WAT", package: "WasmKit"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HostServicesTests",
            dependencies: [
                "TonearmJSON",
                "ThreadSanitizerLocks",
                "HostServices", "NavidromeABI", "TestSupport",
                "Feeds",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FeedsTests",
            dependencies: [
                "TonearmJSON",
                "ThreadSanitizerLocks",
                "Feeds", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DiscordSimulatorTests",
            dependencies: [
                "TonearmJSON",
                "ThreadSanitizerLocks",
                "DiscordSimulator",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The Discord Rich Presence plugin (.ndp) in Tonearm's host against the simulator.
        .testTarget(
            name: "DiscordPluginScenarioTests",
            dependencies: [
                "TonearmJSON",
                "PluginRuntime", "HostServices", "DiscordSimulator", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TonearmServerTests",
            dependencies: [
                "ThreadSanitizerLocks", "TestSupport", "TonearmJSON", "NavidromeABI", "TonearmServer", "PluginRuntime",
                "HostServices", "Feeds",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TonearmJSON",
                "TestSupport", "DiscordSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
