// swift-tools-version:6.2
// Tokenomics: count tokens, price calls, model unit economics, analyse usage and enforce budgets.

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    // https://github.com/apple/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0409-access-level-on-imports.md
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatWarning("ExplicitSendable", as: .warning),
]

let package = Package(
    name: "Tokenomics",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tokenomics", targets: ["tokenomics"]),
        .library(name: "TokenomicsCore", targets: ["TokenomicsCore"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Pricing", targets: ["Pricing"]),
        .library(name: "CostModel", targets: ["CostModel"]),
        .library(name: "Modeling", targets: ["Modeling"]),
        .library(name: "UsageAnalysis", targets: ["UsageAnalysis"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Gateway", targets: ["Gateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: Core (no HTTP, SQL or terminal)

        // Money, the one JSON value type and writer, the YAML field reader, ReportableError.
        .target(
            name: "TokenomicsCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "Tokenizers",
            resources: [
                .copy("Resources/cl100k_base.tiktoken"),
                .copy("Resources/o200k_base.tiktoken"),
                .copy("Resources/p50k_base.tiktoken"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "Pricing",
            dependencies: ["TokenomicsCore"],
            resources: [.copy("Resources/catalog.tsv")],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CostModel",
            dependencies: ["Pricing", "TokenomicsCore"],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "Modeling",
            dependencies: [
                "CostModel",
                "Pricing",
                "Tokenizers",
                "TokenomicsCore",
            ],
            // LMArena text leaderboard snapshot (lmarena/arena-catalog, 2025-12-17): model quality for the model lever.
            resources: [.copy("Resources/arena-text.json")],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "UsageAnalysis",
            dependencies: [
                "CostModel",
                "Modeling",
                "Pricing",
                "TokenomicsCore",
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "Reports",
            dependencies: [
                "CostModel",
                "Pricing",
                "Modeling",
                "UsageAnalysis",
                "TokenomicsCore",
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Storage and server

        .target(
            name: "Ledger",
            dependencies: [
                "CostModel",
                "Pricing",
                "TokenomicsCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "Gateway",
            dependencies: [
                "Ledger",
                "Tokenizers",
                "CostModel",
                "Pricing",
                "TokenomicsCore",
                "Reports", "UsageAnalysis",  // the dashboard's charts and distribution statistics
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Executable (thin)

        .executableTarget(
            name: "tokenomics",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "TokenomicsCore",
                "Pricing",
                "CostModel",
                "Reports",
                "UsageAnalysis",
                "Modeling",
                "Tokenizers",
                "Ledger",
                "Gateway",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .testTarget(
            name: "TokenomicsCoreTests",
            dependencies: ["TokenomicsCore"],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "TokenizersTests",
            dependencies: ["Tokenizers"],
            exclude: ["Golden"],  // golden parity data, read from the source tree by path
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "PricingTests",
            dependencies: ["Pricing", "TokenomicsCore"],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "CostModelTests",
            dependencies: ["CostModel", "Pricing", "TokenomicsCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "ModelingTests",
            dependencies: ["Modeling", "CostModel", "Pricing", "Tokenizers", "TokenomicsCore"],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "UsageAnalysisTests",
            dependencies: ["UsageAnalysis", "CostModel", "Pricing", "Modeling", "TokenomicsCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "CostModel", "Pricing", "Modeling", "TokenomicsCore"],
            swiftSettings: swiftSettings
        ),

        // Helpers shared by the ledger and gateway tests: scratch databases and generated traffic.
        .target(
            name: "LedgerTestSupport",
            dependencies: ["Ledger", "CostModel", "Pricing", "TokenomicsCore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/LedgerTestSupport",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "LedgerTests",
            dependencies: [
                "LedgerTestSupport",
                "Ledger",
                "Pricing",
                "CostModel",
                "TokenomicsCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "LedgerTestSupport",
                "Gateway",
                "Ledger",
                "Pricing",
                "CostModel",
                "TokenomicsCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["python"],
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "tokenomicsTests",
            dependencies: [
                "tokenomics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "TokenomicsCore",
                "Pricing",
                "CostModel",
                "Modeling",
                "Reports",
                "UsageAnalysis",
                "Tokenizers",
                "Ledger",
                "Gateway",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Golden"],  // pinned JSON output, read from the source tree by path
            swiftSettings: swiftSettings
        ),
    ]
)
