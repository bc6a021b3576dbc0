// swift-tools-version:6.1
import PackageDescription

// The LRCLIB lyrics plugin as a SwiftPM package: `swift test --package-path Plugins/lyrics-lrclib`
// runs its logic natively against the PDK's in-memory host (NavidromePDKTesting). The wasm plugin
// is built from Sources/ by `scripts/build-plugins Plugins/lyrics-lrclib`, not by this manifest.
let package = Package(
    name: "lyrics-lrclib",
    dependencies: [
        .package(path: "../../PDK"),
    ],
    targets: [
        .target(
            name: "LrclibLyrics",
            dependencies: [.product(name: "NavidromePDK", package: "PDK")],
            path: "Sources",
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .testTarget(
            name: "LrclibLyricsTests",
            dependencies: [
                "LrclibLyrics",
                .product(name: "NavidromePDK", package: "PDK"),
                .product(name: "NavidromePDKTesting", package: "PDK"),
            ]
        ),
    ]
)
