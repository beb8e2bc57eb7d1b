// swift-tools-version:6.2
// Benchmark of the Tokenizers target against tiktoken and bpe-openai: see run.sh.

import PackageDescription

let package = Package(
    name: "TokenizerBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Tokenomics", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TokenizerBenchmark",
            dependencies: [.product(name: "Tokenizers", package: "Tokenomics")],
            path: "Sources/TokenizerBenchmark"
        ),
    ]
)
