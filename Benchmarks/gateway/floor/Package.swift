// swift-tools-version:6.2
// The floor of the gateway's stack: a Hummingbird 2 server that forwards every POST with
// async-http-client and nothing else (no keys, counting, budgets or ledger). The gateway benchmark
// runs it beside the gateway so the added latency can be split into "the stack" and "our work".

import PackageDescription

let package = Package(
    name: "GatewayFloor",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "GatewayFloor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/GatewayFloor"
        )
    ]
)
