// swift-tools-version:6.1
import PackageDescription

// The webhook relay plugin as a SwiftPM package: `swift test --package-path
// Plugins/webhook-relay` runs its logic natively against the PDK's in-memory host
// (NavidromePDKTesting). The wasm plugin is built from Sources/ by
// `scripts/build-plugins Plugins/webhook-relay`, not by this manifest.
let package = Package(
    name: "webhook-relay",
    dependencies: [
        .package(path: "../../PDK"),
    ],
    targets: [
        .target(
            name: "WebhookRelay",
            dependencies: [.product(name: "NavidromePDK", package: "PDK")],
            path: "Sources",
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .testTarget(
            name: "WebhookRelayTests",
            dependencies: [
                "WebhookRelay",
                .product(name: "NavidromePDK", package: "PDK"),
                .product(name: "NavidromePDKTesting", package: "PDK"),
            ]
        ),
    ]
)
