// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

/// The services allocate with jemalloc (Debian's libjemalloc-dev to build, libjemalloc2 to run) instead of
/// glibc's malloc: Swift allocates and frees on different threads all the time, and glibc's arenas made
/// ingestion spend about a quarter more CPU per event (docs/architecture.md, Dependencies).
let serviceLinkerSettings: [LinkerSetting] = [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]

/// The products the targets use, by the name of their module. A target lists each module it imports
/// (`scripts/check-layers` checks it), never relying on one that comes with another.
extension Target.Dependency {
    static let argumentParser = product(name: "ArgumentParser", package: "swift-argument-parser")
    static let asyncHTTPClient = product(name: "AsyncHTTPClient", package: "async-http-client")
    static let compressNIO = product(name: "CompressNIO", package: "compress-nio")
    static let crypto = product(name: "Crypto", package: "swift-crypto")
    static let csv = product(name: "CSV", package: "CSV.swift")
    static let extrasBase64 = product(name: "ExtrasBase64", package: "swift-extras-base64")
    static let httpTypes = product(name: "HTTPTypes", package: "swift-http-types")
    static let hummingbird = product(name: "Hummingbird", package: "hummingbird")
    static let hummingbirdTesting = product(name: "HummingbirdTesting", package: "hummingbird")
    static let logging = product(name: "Logging", package: "swift-log")
    static let metrics = product(name: "Metrics", package: "swift-metrics")
    static let mustache = product(name: "Mustache", package: "swift-mustache")
    static let nioCore = product(name: "NIOCore", package: "swift-nio")
    static let nioHTTP1 = product(name: "NIOHTTP1", package: "swift-nio")
    static let nioPosix = product(name: "NIOPosix", package: "swift-nio")
    static let postgresNIO = product(name: "PostgresNIO", package: "postgres-nio")
    static let prometheus = product(name: "Prometheus", package: "swift-prometheus")
    static let propertyBased = product(name: "PropertyBased", package: "swift-property-based")
    static let serviceLifecycle = product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
}

/// The shared modules, in layers (docs/architecture.md): each depends only on the ones before it.
let sharedModules: [Target] = [
    .target(name: "KinshipCore", dependencies: [.httpTypes, .logging, .extrasBase64], path: "Shared/Core", swiftSettings: swiftSettings),
    .target(name: "KinshipPrivacy", dependencies: ["KinshipCore", .crypto], path: "Shared/Privacy", swiftSettings: swiftSettings),
    .target(
        name: "KinshipDatabase",
        dependencies: ["KinshipCore", "KinshipPrivacy", .postgresNIO, .serviceLifecycle, .logging, .crypto, .nioCore, .nioPosix],
        path: "Shared/Database",
        resources: [.copy("Migrations")],
        swiftSettings: swiftSettings
    ),
    .target(
        name: "KinshipOutbox",
        dependencies: ["KinshipCore", "KinshipDatabase", .postgresNIO, .serviceLifecycle, .logging, .metrics],
        path: "Shared/Outbox",
        swiftSettings: swiftSettings
    ),
    // How the CLI (and later the services) ask a service's internal API; no HTTP server in it.
    .target(
        name: "KinshipInternalClient",
        dependencies: ["KinshipCore", .asyncHTTPClient, .nioCore],
        path: "Shared/InternalClient",
        swiftSettings: swiftSettings
    ),
    // What every service process runs on: configuration, the HTTP server, errors as responses,
    // operational routes, metrics, logging and the ServiceGroup.
    .target(
        name: "KinshipService",
        dependencies: [
            "KinshipCore", "KinshipPrivacy", "KinshipDatabase",
            .hummingbird, .postgresNIO, .serviceLifecycle, .logging, .metrics, .prometheus, .crypto, .nioCore,
        ],
        path: "Shared/Service",
        swiftSettings: swiftSettings
    ),
]

/// A service is a library target (its logic, what tests import) and a thin executable over it.
func service(
    _ name: String, executable: String, dependencies: [Target.Dependency], resources: [Resource]? = nil,
    mainDependencies: [Target.Dependency] = []
) -> [Target] {
    [
        .target(
            name: "\(name)Service",
            dependencies: dependencies,
            path: "Services/\(name)/\(name)Service",
            resources: resources,
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: executable,
            dependencies: [.target(name: "\(name)Service"), "KinshipService"] + mainDependencies,
            path: "Services/\(name)/Main",
            swiftSettings: swiftSettings,
            linkerSettings: serviceLinkerSettings
        ),
    ]
}

let services: [Target] =
    service("Ingestion", executable: "ingestion", dependencies: [
        "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService",
        .hummingbird, .httpTypes, .postgresNIO, .serviceLifecycle, .logging, .metrics, .compressNIO, .nioCore, .crypto,
    ], resources: [.copy("Resources/kinship.js")])
    + service("Identity", executable: "identity", dependencies: [
        "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService",
        .hummingbird, .postgresNIO, .serviceLifecycle, .logging, .metrics, .nioCore,
    ], mainDependencies: ["KinshipOutbox"])
    + service("Segmentation", executable: "segmentation", dependencies: [
        "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService", .hummingbird, .postgresNIO, .logging,
        .serviceLifecycle, .metrics,
    ], mainDependencies: ["KinshipOutbox"])
    + service("Reporting", executable: "reporting", dependencies: [
        "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService", "KinshipInternalClient",
        .hummingbird, .httpTypes, .postgresNIO, .logging, .metrics, .nioCore, .csv, .serviceLifecycle, .mustache,
    ], resources: [.copy("Resources/openapi.json"), .copy("Resources/Dashboard")], mainDependencies: ["KinshipOutbox"])
    + [
        // The demo shop: a seeded simulation of a Thai online shop and its ground truth (the same bytes on
        // every machine).
        // Optimised in debug builds too: the tests and `scripts/test`'s end-to-end runs generate shops of
        // hundreds of thousands of events, which an unoptimised build makes ten times slower.
        .target(
            name: "KinshipDemoShop", dependencies: ["KinshipCore"], path: "Services/Admin/DemoShop",
            swiftSettings: swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]
        ),
        .target(
            name: "AdminCommands",
            dependencies: [
                "KinshipDemoShop", "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipInternalClient",
                .argumentParser, .asyncHTTPClient, .postgresNIO, .logging, .nioCore, .nioHTTP1,
            ],
            path: "Services/Admin/AdminCommands",
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "kinship", dependencies: ["AdminCommands"], path: "Services/Admin/Main", swiftSettings: swiftSettings),
    ]

/// Shared by the tests and benchmarks; neither the services nor the CLI link them.
let support: [Target] = [
    // Child processes: start a built executable or a tool, wait until it is ready, stop it; free ports;
    // polling with a deadline.
    .target(name: "KinshipChildProcess", dependencies: [.asyncHTTPClient], path: "Tests/ChildProcess", swiftSettings: swiftSettings),
    // The test database, fixed keys, the operational routes' checks.
    .target(
        name: "KinshipTestSupport",
        dependencies: [
            "KinshipChildProcess", "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService",
            .postgresNIO, .hummingbird, .hummingbirdTesting, .logging,
        ],
        path: "Tests/Support",
        swiftSettings: swiftSettings
    ),
    // A worker process for the outbox tests that kill and restart consumers (SIGKILL, rebalancing).
    .executableTarget(
        name: "outbox-probe",
        dependencies: ["KinshipCore", "KinshipDatabase", "KinshipOutbox", .postgresNIO, .serviceLifecycle, .logging],
        path: "Tests/OutboxProbe",
        swiftSettings: swiftSettings
    ),
    // `scripts/bench NAME` runs this, release-built: benchmarks print figures, they are not tests.
    .executableTarget(
        name: "kinship-bench",
        dependencies: [
            "KinshipChildProcess", "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox",
            "IdentityService", "SegmentationService", "ReportingService", "KinshipDemoShop",
            .postgresNIO, .serviceLifecycle, .logging, .asyncHTTPClient, .nioCore, .nioPosix, .nioHTTP1,
        ],
        path: "Benchmarks/KinshipBench",
        swiftSettings: swiftSettings
    ),
]

/// One test target per library target, plus the end-to-end tests that run the real executables.
func tests(_ name: String, path: String, _ dependencies: [Target.Dependency]) -> Target {
    .testTarget(name: name, dependencies: ["KinshipTestSupport"] + dependencies, path: "Tests/\(path)", swiftSettings: swiftSettings)
}

let allModules: [Target.Dependency] = ["KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService"]

let testTargets: [Target] = [
    tests("SharedTests", path: "SharedTests", allModules + ["KinshipInternalClient", .hummingbird, .hummingbirdTesting, .postgresNIO, .crypto]),
    tests("IngestionServiceTests", path: "IngestionServiceTests", ["IngestionService"] + allModules + [
        .hummingbird, .hummingbirdTesting, .httpTypes, .postgresNIO, .compressNIO, .nioCore, .crypto,
    ]),
    tests("IdentityServiceTests", path: "IdentityServiceTests", ["IdentityService"] + allModules + [
        .hummingbird, .hummingbirdTesting, .postgresNIO, .logging,
    ]),
    tests("SegmentationServiceTests", path: "SegmentationServiceTests", ["SegmentationService", "KinshipDemoShop"] + allModules + [
        .hummingbird, .hummingbirdTesting, .postgresNIO, .logging, .propertyBased,
    ]),
    tests("ReportingServiceTests", path: "ReportingServiceTests", [
        "ReportingService", "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", "KinshipService", .hummingbird, .hummingbirdTesting, .httpTypes, .postgresNIO, .nioCore,
        .logging,
    ]),
    tests("AdminCommandsTests", path: "AdminCommandsTests", ["AdminCommands", "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipDemoShop"]),
    tests("DemoShopTests", path: "DemoShopTests", ["KinshipDemoShop"]),
    tests("EndToEndTests", path: "EndToEndTests", [
        "KinshipCore", "KinshipPrivacy", "KinshipDatabase", "KinshipOutbox", .asyncHTTPClient, .postgresNIO, .nioCore, .nioHTTP1,
    ]),
]

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
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-extras/swift-extras-base64.git", from: "1.2.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: sharedModules + services + support + testTargets
)
