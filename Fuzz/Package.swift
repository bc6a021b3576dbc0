// swift-tools-version:6.1
import Foundation
import PackageDescription

// libFuzzer targets for Tonearm's own parsers and the Extism kernel, one executable per target.
// Built with AddressSanitizer and libFuzzer by `scripts/fuzz`, which also runs them on the seed
// corpora in `Corpus/<target>/`:
//   swift build --package-path Fuzz --scratch-path .build-fuzz -c debug \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each target is one file defining `LLVMFuzzerTestOneInput` and an `@main` that hands the
// command line to libFuzzer (`LibFuzzer`, a C shim: SwiftPM gives every executable its own
// entry point, so libFuzzer's `main` is not linked).

// The repository's own package, by the identity SwiftPM gives a path dependency: the name of
// the folder it was cloned into.
let host = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent.lowercased()

func fuzzer(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["LibFuzzer"] + dependencies,
        swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
    )
}

let package = Package(
    name: "TonearmFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(path: "../PDK"),
        .package(path: "../Plugins/discord-rich-presence"),
        .package(url: "https://github.com/swiftwasm/WasmKit.git", exact: "0.4.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(name: "LibFuzzer"),
        // ListenBrainz `submit-listens` bodies.
        fuzzer("FuzzListenBrainz", [
            .product(name: "Feeds", package: host),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Subsonic / OpenSubsonic JSON responses (`getNowPlaying`, `getSong`, `ping`).
        fuzzer("FuzzSubsonic", [.product(name: "Feeds", package: host), .product(name: "TonearmJSON", package: host)]),
        // `manifest.json` (and the config schema with settings checked against it).
        fuzzer("FuzzManifest", [
            .product(name: "PluginRuntime", package: host), .product(name: "TonearmJSON", package: host),
        ]),
        // `.ndp` packages (zip archives).
        fuzzer("FuzzPackage", [.product(name: "PluginRuntime", package: host)]),
        // Every host service function's request decoding, in memory.
        fuzzer("FuzzHostServices", [
            .product(name: "HostServices", package: host),
            .product(name: "PluginRuntime", package: host),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The Extism kernel under random call sequences.
        fuzzer("FuzzKernel", [
            .product(name: "ExtismKernel", package: host),
            .product(name: "WasmKit", package: "WasmKit"),
        ]),
        // The web console: submitted settings forms, config schemas, gateway frames on the presence board.
        fuzzer("FuzzConsole", [.product(name: "Console", package: host)]),
        // The PDK's JSON library (parser, lazy reader, serializer, base64).
        fuzzer("FuzzPDKJSON", [.product(name: "NavidromeJSON", package: "pdk")]),
        // The Discord Rich Presence plugin: gateway frames through its WebSocket export on the
        // PDK's in-memory host, its configuration, and its text helpers.
        fuzzer("FuzzDiscordPlugin", [
            .product(name: "DiscordRichPresence", package: "discord-rich-presence"),
            .product(name: "NavidromePDK", package: "pdk"),
            .product(name: "NavidromePDKTesting", package: "pdk"),
        ]),
    ]
)
