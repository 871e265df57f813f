// swift-tools-version: 6.1
// The package: one module per concern, dependencies pointing inward (see docs/design/2026-11-26-module-layout.md).
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "bouncetail",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bouncetail", targets: ["bouncetail"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // System libraries, each imported by exactly one module.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CSystemd", path: "Sources/CSystemd"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // ISA-L's inflate for `.gz` logs (Debian: libisal-dev); zlib reads the end of a truncated one.
        .systemLibrary(name: "CIsal", path: "Sources/CIsal"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),

        // Pure: records, parsers, tracker, events, pure decisions. No I/O, no dependencies.
        .target(name: "BounceCore", swiftSettings: strict),
        // Pure: the pattern set model, its TOML reader and the classifier.
        .target(
            name: "BounceClassifier",
            dependencies: ["BounceCore", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict),
        // Pure: bounce mail reader (MIME, RFC 3464 DSNs, ARF, RFC 3834, vendor texts) and its verdicts.
        .target(name: "BounceMail", dependencies: ["BounceCore", "BounceClassifier"], swiftSettings: strict),
        // I/O: reading files (plain, gzip), following them through rotation, and the journal.
        .target(
            name: "BounceSources",
            dependencies: ["BounceCore", "CIsal", "CZlib", "CSystemd"],
            swiftSettings: strict),
        // IMAP and POP3 mailboxes over TLS through libcurl: list, fetch, dispose after commit.
        .target(name: "BounceMailbox", dependencies: ["CCurl"], swiftSettings: strict),
        // The state database: positions, tracker state, outbox, dead letters, local bounces store.
        .target(name: "BounceStore", dependencies: ["BounceCore", "CSQLite"], swiftSettings: strict),
        // Delivery: listmonk webhook client, dispatcher, sinks.
        .target(
            name: "BounceDelivery",
            dependencies: [
                "BounceCore", "BounceStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // Named because the client's API speaks their types (headers, time amounts, TLS trust roots).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The deliverability report: the state database's counts and bounces as a terminal summary, JSON, CSV, HTML.
        .target(name: "BounceReport", dependencies: ["BounceCore", "BounceStore"], swiftSettings: strict),
        // The daemon: configuration, pipeline wiring, metrics, health.
        .target(
            name: "BounceDaemon",
            dependencies: [
                "BounceCore", "BounceClassifier", "BounceMail", "BounceMailbox", "BounceSources", "BounceStore",
                "BounceDelivery", "CSystemd",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "bouncetail",
            dependencies: [
                "BounceCore", "BounceClassifier", "BounceMail", "BounceMailbox", "BounceSources", "BounceStore",
                "BounceDelivery", "BounceDaemon", "BounceReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        .testTarget(name: "BounceCoreTests", dependencies: ["BounceCore"], swiftSettings: strict),
        .testTarget(
            name: "BounceClassifierTests", dependencies: ["BounceClassifier", "BounceCore"], swiftSettings: strict),
        .testTarget(
            name: "BounceMailTests", dependencies: ["BounceMail", "BounceClassifier", "BounceCore"],
            swiftSettings: strict),
        .testTarget(name: "BounceMailboxTests", dependencies: ["BounceMailbox"], swiftSettings: strict),
        .testTarget(name: "BounceSourcesTests", dependencies: ["BounceSources", "BounceCore"], swiftSettings: strict),
        .testTarget(name: "BounceStoreTests", dependencies: ["BounceStore", "BounceCore"], swiftSettings: strict),
        .testTarget(
            name: "BounceDeliveryTests",
            dependencies: [
                "BounceDelivery", "BounceStore", "BounceCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "BounceReportTests", dependencies: ["BounceReport", "BounceStore", "BounceCore"],
            swiftSettings: strict),
        .testTarget(
            name: "BounceDaemonTests",
            dependencies: [
                "BounceDaemon", "BounceCore", "BounceClassifier", "BounceMail", "BounceStore", "BounceReport",
            ],
            swiftSettings: strict),

        .executableTarget(
            name: "BounceBenchmarks",
            dependencies: [
                "BounceCore", "BounceClassifier",
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/BounceBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]),
    ]
)
