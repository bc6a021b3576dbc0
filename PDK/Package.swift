// swift-tools-version:6.1
import PackageDescription
import Foundation

// The Swift PDK for Navidrome plugins.
//
// Plugins are built for wasm32 with Embedded Swift by `scripts/build-plugins` (which compiles
// these sources with swiftc directly). This package also builds:
//   - natively, for the JSON library's unit tests (`swift test --package-path PDK`) and for
//     plugin packages' native tests, with the in-memory host of `NavidromePDKTesting`;
//   - for wasm with SwiftPM: `NAVIDROME_PDK_EMBEDDED=1 swift build --package-path PDK
//     --triple wasm32-unknown-none-wasm -c release`.
let embedded = ProcessInfo.processInfo.environment["NAVIDROME_PDK_EMBEDDED"] == "1"

let swiftSettings: [SwiftSetting] = [
    .enableExperimentalFeature("Extern"),
] + (embedded ? [
    .enableExperimentalFeature("Embedded"),
    .unsafeFlags(["-wmo", "-Xfrontend", "-disable-stack-protector", "-Osize"]),
] : [])

// Native only: the Extism kernel and Navidrome's host functions in memory, so plugin code runs
// in `swift test` without wasm. Never part of an embedded build.
let testingProducts: [Product] = embedded ? [] : [
    .library(name: "NavidromePDKTesting", targets: ["NavidromePDKTesting"]),
]
let testingTargets: [Target] = embedded ? [] : [
    .target(name: "NavidromePDKTesting", dependencies: ["NavidromePDK", "NavidromeJSON"]),
    .testTarget(name: "NavidromePDKTestingTests", dependencies: ["NavidromePDKTesting", "NavidromePDK"]),
]

let package = Package(
    name: "NavidromePDK",
    products: [
        .library(name: "NavidromePDK", targets: ["NavidromePDK"]),
        .library(name: "NavidromeJSON", targets: ["NavidromeJSON"]),
    ] + testingProducts,
    targets: testingTargets + [
        // libc pieces for wasm32 (allocator, memory routines); empty on other platforms.
        .target(
            name: "NavidromePDKSupport",
            cSettings: embedded ? [.unsafeFlags(["-fno-builtin", "-ffreestanding", "-Os"])] : []
        ),
        // JSON for Embedded Swift: value, strict parser, serializer, struct mapping, lazy reader.
        .target(name: "NavidromeJSON", swiftSettings: swiftSettings),
        // Extism kernel bindings, Navidrome capabilities, host-service clients.
        .target(
            name: "NavidromePDK",
            dependencies: ["NavidromeJSON", "NavidromePDKSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "NavidromeJSONTests", dependencies: ["NavidromeJSON"]),
    ]
)
