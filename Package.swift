// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

/// The services allocate with jemalloc (Debian's libjemalloc-dev to build, libjemalloc2 to run) instead of
/// glibc's malloc: Swift allocates and frees on different threads all the time, and glibc's arenas made
/// ingestion spend about a quarter more CPU per event (README, Speed).
let serviceLinkerSettings: [LinkerSetting] = [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]

/// A service is a library target (its logic, what tests import) and a thin executable over it.
func service(_ name: String, executable: String, folder: String, extra: [Target.Dependency] = []) -> [Target] {
    [
        .target(
            name: "\(name)Service",
            dependencies: ["Shared"] + extra,
            path: "Services/\(folder)/\(name)Service",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: executable,
            dependencies: [.target(name: "\(name)Service")],
            path: "Services/\(folder)/Main",
            swiftSettings: swiftSettings,
            linkerSettings: serviceLinkerSettings
        ),
    ]
}

let package = Package(
    name: "Kinship",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ingestion", targets: ["ingestion"]),
        .executable(name: "identity", targets: ["identity"]),
        .executable(name: "segmentation", targets: ["segmentation"]),
        .executable(name: "reporting", targets: ["reporting"]),
        .executable(name: "kinship", targets: ["kinship"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "Shared",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Shared",
            resources: [.copy("Migrations"), .copy("Assets")],
            swiftSettings: swiftSettings
        ),
    ]
        + service("Ingestion", executable: "ingestion", folder: "Ingestion", extra: [
            .product(name: "CompressNIO", package: "compress-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ])
        + service("Identity", executable: "identity", folder: "Identity")
        + service("Segmentation", executable: "segmentation", folder: "Segmentation")
        + service("Reporting", executable: "reporting", folder: "Reporting")
        + [
            .target(
                name: "AdminCommands",
                dependencies: [
                    "Shared",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "NIOCore", package: "swift-nio"),
                ],
                path: "Services/Admin/AdminCommands",
                swiftSettings: swiftSettings
            ),
            .executableTarget(
                name: "kinship",
                dependencies: ["AdminCommands"],
                path: "Services/Admin/Main",
                swiftSettings: swiftSettings
            ),
            // Test helpers shared by the test targets: the test database, fixed keys, process control.
            .target(
                name: "KinshipTestSupport",
                dependencies: [
                    "Shared",
                    .product(name: "PostgresNIO", package: "postgres-nio"),
                    .product(name: "HummingbirdTesting", package: "hummingbird"),
                ],
                path: "Tests/Support",
                swiftSettings: swiftSettings
            ),
            // A worker process for the outbox tests that kill and restart consumers (SIGKILL, rebalancing).
            .executableTarget(
                name: "outbox-probe",
                dependencies: ["Shared"],
                path: "Tests/OutboxProbe",
                swiftSettings: swiftSettings
            ),
            // `scripts/bench NAME` runs this, release-built: benchmarks print figures, they are not tests.
            .executableTarget(
                name: "kinship-bench",
                dependencies: [
                    "Shared",
                    .product(name: "AsyncHTTPClient", package: "async-http-client"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOPosix", package: "swift-nio"),
                    .product(name: "NIOHTTP1", package: "swift-nio"),
                ],
                path: "Benchmarks/KinshipBench",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "SharedTests",
                dependencies: ["Shared", "KinshipTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
                path: "Tests/SharedTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "IngestionServiceTests",
                dependencies: ["IngestionService", "KinshipTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
                path: "Tests/IngestionServiceTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "IdentityServiceTests",
                dependencies: ["IdentityService", "KinshipTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
                path: "Tests/IdentityServiceTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "SegmentationServiceTests",
                dependencies: ["SegmentationService", "KinshipTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
                path: "Tests/SegmentationServiceTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "ReportingServiceTests",
                dependencies: ["ReportingService", "KinshipTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")],
                path: "Tests/ReportingServiceTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "AdminCommandsTests",
                dependencies: ["AdminCommands", "KinshipTestSupport"],
                path: "Tests/AdminCommandsTests",
                swiftSettings: swiftSettings
            ),
            .testTarget(
                name: "EndToEndTests",
                dependencies: ["Shared", "KinshipTestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
                path: "Tests/EndToEndTests",
                swiftSettings: swiftSettings
            ),
        ]
)
