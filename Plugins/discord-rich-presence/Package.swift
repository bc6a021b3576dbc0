// swift-tools-version:6.1
import PackageDescription

// The Discord Rich Presence plugin as a SwiftPM package: editors index it, and
// `swift test --package-path Plugins/discord-rich-presence` runs its logic natively against the
// PDK's in-memory host (NavidromePDKTesting). The wasm plugin is built from Sources/ by
// `scripts/build-plugins Plugins/discord-rich-presence`, not by this manifest.
let package = Package(
    name: "discord-rich-presence",
    products: [
        // For the libFuzzer target in Fuzz/ (FuzzDiscordPlugin), which `@testable import`s it.
        .library(name: "DiscordRichPresence", targets: ["DiscordRichPresence"]),
    ],
    dependencies: [
        .package(path: "../../PDK"),
    ],
    targets: [
        .target(
            name: "DiscordRichPresence",
            dependencies: [.product(name: "NavidromePDK", package: "PDK")],
            path: "Sources",
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .testTarget(
            name: "DiscordRichPresenceTests",
            dependencies: [
                "DiscordRichPresence",
                .product(name: "NavidromePDK", package: "PDK"),
                .product(name: "NavidromePDKTesting", package: "PDK"),
            ]
        ),
    ]
)
