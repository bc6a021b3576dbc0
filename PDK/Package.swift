// swift-tools-version:6.1
import PackageDescription
import Foundation

// The Swift PDK for Navidrome plugins.
//
// Plugins are built for wasm32 with Embedded Swift by `scripts/build-plugins` (which compiles
// these sources with swiftc directly). This package also builds:
//   - natively, for the JSON library's unit tests: `swift test --package-path PDK`;
//   - for wasm with SwiftPM: `NAVIDROME_PDK_EMBEDDED=1 swift build --package-path PDK
//     --triple wasm32-unknown-none-wasm -c release`.
let embedded = ProcessInfo.processInfo.environment["NAVIDROME_PDK_EMBEDDED"] == "1"

let swiftSettings: [SwiftSetting] = [
    .enableExperimentalFeature("Extern"),
] + (embedded ? [
    .enableExperimentalFeature("Embedded"),
    .unsafeFlags(["-wmo", "-Xfrontend", "-disable-stack-protector", "-Osize"]),
] : [])

let package = Package(
    name: "NavidromePDK",
    products: [
        .library(name: "NavidromePDK", targets: ["NavidromePDK"]),
        .library(name: "NavidromeJSON", targets: ["NavidromeJSON"]),
    ],
    targets: [
        // libc pieces for wasm32 (allocator, memory routines); empty on other platforms.
        .target(
            name: "NavidromePDKSupport",
            cSettings: [.unsafeFlags(["-fno-builtin", "-Os"])]
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
