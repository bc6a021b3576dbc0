// swift-tools-version:6.1
import PackageDescription

// The SubsonicAPI demo plugin as a SwiftPM package: `swift test --package-path
// Plugins/subsonicapi-demo` runs its logic natively against the PDK's in-memory host
// (NavidromePDKTesting). The wasm plugin is built from Sources/ by
// `scripts/build-plugins Plugins/subsonicapi-demo`, not by this manifest.
let package = Package(
    name: "subsonicapi-demo",
    dependencies: [
        .package(path: "../../PDK"),
    ],
    targets: [
        .target(
            name: "SubsonicAPIDemo",
            dependencies: [.product(name: "NavidromePDK", package: "PDK")],
            path: "Sources",
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .testTarget(
            name: "SubsonicAPIDemoTests",
            dependencies: [
                "SubsonicAPIDemo",
                .product(name: "NavidromePDK", package: "PDK"),
                .product(name: "NavidromePDKTesting", package: "PDK"),
            ]
        ),
    ]
)
