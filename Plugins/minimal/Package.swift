// swift-tools-version:6.1
import PackageDescription

// The minimal plugin as a SwiftPM package: `swift test --package-path Plugins/minimal` runs its
// logic natively against the PDK's in-memory host (NavidromePDKTesting). The wasm plugin is
// built from Plugin.swift by `scripts/build-plugins Plugins/minimal`, not by this manifest.
let package = Package(
    name: "minimal",
    dependencies: [
        .package(path: "../../PDK"),
    ],
    targets: [
        .target(
            name: "MinimalPlugin",
            dependencies: [.product(name: "NavidromePDK", package: "PDK")],
            path: ".",
            exclude: ["manifest.json", "Tests"],
            sources: ["Plugin.swift"],
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .testTarget(
            name: "MinimalPluginTests",
            dependencies: [
                "MinimalPlugin",
                .product(name: "NavidromePDK", package: "PDK"),
                .product(name: "NavidromePDKTesting", package: "PDK"),
            ]
        ),
    ]
)
