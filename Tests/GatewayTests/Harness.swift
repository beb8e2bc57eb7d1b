import LedgerTestSupport
import Testing
import AsyncHTTPClient
import CostModel
import Foundation
@testable import Gateway
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import NIOCore
import NIOHTTP1
import Pricing
import TokenomicsCore

/// A reply as the client saw it.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    func header(_ name: String) -> String? { headers.first(name: name) }
    var json: JSONValue? { try? JSONValue.parse(Array(body.utf8)) }
}

/// A running gateway in front of a ``MockUpstream``, on a fresh ledger.
struct Harness: Sendable {
    let port: Int
    let upstreamPort: Int
    let gateway: Gateway
    let mock: MockUpstream
    var ledger: any LedgerStore { gateway.dependencies.ledger }

    static let catalog: Catalog = try! CatalogLoader.bundled()
    static let adminKey = "admin-secret-for-tests"
    static let providerKey = "sk-provider-test-secret"

    static func config(upstreamPort port: Int) -> GatewayConfig {
        let base = "http://127.0.0.1:\(port)"
        var config = GatewayConfig(host: "127.0.0.1", port: 0)
        config.upstreams = [
            .init(name: "main", kind: .openai, baseURL: "\(base)/ok/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small", "gpt-3.5-turbo-instruct"]),
            .init(name: "broken", kind: .openai, baseURL: "\(base)/fail500/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4.1"]),
            .init(name: "slow", kind: .openai, baseURL: "\(base)/slow/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4.1-nano"]),
            .init(name: "dead", kind: .openai, baseURL: "http://127.0.0.1:1/v1", apiKeyEnv: "OPENAI_KEY", models: ["o3-mini"]),
            .init(name: "cut", kind: .openai, baseURL: "\(base)/cut/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4o-2024-08-06"]),
            .init(name: "nousage", kind: .openai, baseURL: "\(base)/nousage/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4.1-mini"]),
            .init(name: "drip", kind: .openai, baseURL: "\(base)/slowstream/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4o-2024-05-13"]),
            .init(name: "flood", kind: .openai, baseURL: "\(base)/flood/v1", apiKeyEnv: "OPENAI_KEY", models: ["gpt-4o-2024-11-20"]),
            .init(name: "anthropic", kind: .anthropic, baseURL: "\(base)/ok", apiKeyEnv: "ANTHROPIC_KEY", models: ["claude-*"]),
        ]
        config.routes = .init(aliases: ["fast": "gpt-4o-mini"], features: ["digest": "gpt-4o"], fallbacks: ["gpt-4.1": ["gpt-4o-mini"]])
        config.upstreamTimeout = .seconds(4)
        config.keyCacheTTL = .zero
        config.adminKeyEnv = "TOKENOMICS_ADMIN_KEY"
        config.ledgerFlushInterval = .milliseconds(10)
        // The dashboard's background pass has its own test; elsewhere it would only add load.
        config.dashboardWarmInterval = nil
        return config
    }

    /// Runs `body` against a gateway (in process, real HTTP on loopback) in front of a mock upstream.
    static func run(
        _ backend: Backend, configure: @escaping @Sendable (inout GatewayConfig) -> Void = { _ in }, _ body: @escaping @Sendable (Harness) async throws -> Void
    ) async throws {
        let mock = MockUpstream()
        try await mock.application().test(.live) { upstream in
            let upstreamPort = try #require(upstream.port)
            var config = Self.config(upstreamPort: upstreamPort)
            configure(&config)
            let frozen = config
            try await backend.scratchURL().withLedger { ledger in
                let dependencies = GatewayDependencies(
                    ledger: ledger, catalog: Self.catalog,
                    environment: ["OPENAI_KEY": Self.providerKey, "ANTHROPIC_KEY": Self.providerKey, "TOKENOMICS_ADMIN_KEY": Self.adminKey],
                    logger: Logger(label: "gateway-test", factory: { _ in SwiftLogNoOpLogHandler() }))
                let gateway = Gateway(config: frozen, dependencies: dependencies)
                try await buildApplication(gateway).test(.live) { client in
                    try await body(Harness(port: try #require(client.port), upstreamPort: upstreamPort, gateway: gateway, mock: mock))
                }
                // Graceful shutdown flushed the ledger writer.
                #expect(gateway.writer.pending == 0)
            }
        }
    }

    func key(user: String = "alice", feature: String? = nil, budget: Money? = nil, rpm: Int? = nil, tpm: Int? = nil) async throws -> String {
        try await ledger.createKey(NewKey(user: user, feature: feature, rpm: rpm, tpm: tpm, budget: budget, period: .total), now: Date()).secret
    }

    func request(_ method: HTTPMethod = .POST, _ path: String, body: String? = nil, key: String?, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "content-type", value: "application/json")
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// A streamed chat request, for tests that read the stream chunk by chunk.
    func streamingChat(_ model: String, key: String, content: String = "Hi") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.body = .bytes(ByteBuffer(string: #"{"model":"\#(model)","stream":true,"messages":[{"role":"user","content":"\#(content)"}]}"#))
        return request
    }

    func chat(_ model: String = "gpt-4o-mini", key: String?, extra: String = "", content: String = "Say hello") async throws -> Reply {
        try await request(.POST, "/v1/chat/completions", body: #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(content)"}]\#(extra)}"#, key: key)
    }

    /// All rows, after the writer has flushed.
    func rows() async throws -> [RequestRecord] {
        await gateway.writer.flush()
        return try await ledger.records(afterID: 0, limit: 100_000)
    }

    static func cost(_ model: String, _ usage: Usage) throws -> Money {
        try CostCalculator(catalog: catalog).cost(model: model, usage: usage).total
    }

    static let chatUsage = Usage(input: 100, output: 20, cachedInput: 40, reasoning: 5)
}
