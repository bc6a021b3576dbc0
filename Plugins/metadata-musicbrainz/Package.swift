// swift-tools-version:6.1
import PackageDescription

// The MusicBrainz metadata agent as a SwiftPM package: `swift test --package-path Plugins/metadata-musicbrainz`
// runs its logic natively against the PDK's in-memory host (NavidromePDKTesting). The wasm plugin
// is built from Sources/ by `scripts/build-plugins Plugins/metadata-musicbrainz`, not by this manifest.
let package = Package(
    name: "metadata-musicbrainz",
    dependencies: [
        .package(path: "../../PDK"),
    ],
    targets: [
        .target(
            name: "MetadataMusicBrainz",
            dependencies: [.product(name: "NavidromePDK", package: "PDK")],
            path: "Sources",
            swiftSettings: [.enableExperimentalFeature("Extern")]
        ),
        .testTarget(
            name: "MetadataMusicBrainzTests",
            dependencies: [
                "MetadataMusicBrainz",
                .product(name: "NavidromePDK", package: "PDK"),
                .product(name: "NavidromePDKTesting", package: "PDK"),
            ]
        ),
    ]
)
