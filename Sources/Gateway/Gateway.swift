public import AsyncHTTPClient
import CostModel
public import Foundation
import HTTPTypes
import Hummingbird
public import Ledger
public import Logging
import NIOCore
public import Pricing
import Synchronization
import TokenomicsCore

/// What the gateway needs from outside: storage, prices, a token counter, an HTTP client.
public struct GatewayDependencies: Sendable {
    /// The ledger (keys, budgets, reservations, request rows).
    public var ledger: any LedgerStore
    /// Prices for every model the gateway may serve.
    public var catalog: Catalog
    /// Counts prompts before forwarding and completions when usage is missing; the estimator by default.
    public var tokenCounter: any TokenCounter
    /// The client for upstream calls; one for the whole process.
    public var httpClient: HTTPClient
    /// Where provider and admin keys are read from.
    public var environment: [String: String]
    public var logger: Logger
    /// Renders `/metrics` (the executable passes its Prometheus registry); no `/metrics` when nil.
    public var metricsText: (@Sendable () -> String)?

    public init(
        ledger: any LedgerStore, catalog: Catalog, tokenCounter: any TokenCounter = EstimatingTokenCounter(), httpClient: HTTPClient = .shared,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger, metricsText: (@Sendable () -> String)? = nil
    ) {
        self.ledger = ledger
        self.catalog = catalog
        self.tokenCounter = tokenCounter
        self.httpClient = httpClient
        self.environment = environment
        self.logger = logger
        self.metricsText = metricsText
    }
}

/// The gateway's shared state: configuration, routing, limits, cache, key cache and the ledger writer.
///
/// Build one, then serve it with ``buildApplication(_:)``:
///
/// ```swift
/// let gateway = Gateway(config: config, dependencies: GatewayDependencies(ledger: ledger, catalog: catalog, logger: logger))
/// try await buildApplication(gateway).runService()
/// ```
public final class Gateway: Sendable {
    public let config: GatewayConfig
    public let dependencies: GatewayDependencies
    /// Writes request rows in batches; flush it to read the ledger in tests.
    public let writer: LedgerWriter
    let router: ModelRouter
    let limiter = RateLimiter()
    let cache: ResultCache
    let calculator: CostCalculator
    private let keyCache = Mutex<[String: (key: KeyInfo, expires: ContinuousClock.Instant)]>([:])
    let clock = ContinuousClock()

    public init(config: GatewayConfig, dependencies: GatewayDependencies) {
        self.config = config
        self.dependencies = dependencies
        self.writer = LedgerWriter(
            ledger: dependencies.ledger, batchSize: config.ledgerBatchSize, capacity: config.ledgerBufferCapacity,
            interval: config.ledgerFlushInterval, logger: dependencies.logger)
        self.router = ModelRouter(config: config, catalog: dependencies.catalog)
        self.cache = ResultCache(maxEntries: config.cache.maxEntries, ttl: config.cache.ttl)
        self.calculator = CostCalculator(catalog: dependencies.catalog)
    }

    var logger: Logger { dependencies.logger }

    /// The upstream HTTP client configuration the gateway wants: connect timeout, a large pool, no decompression, no tracing.
    public static func httpClientConfiguration(_ config: GatewayConfig) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .nanoseconds(Int64(config.connectTimeout.seconds * 1e9))
        configuration.connectionPool = HTTPClient.Configuration.ConnectionPool(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: config.upstreamConnections)
        configuration.decompression = .disabled
        // The gateway bootstraps no tracer; without this the client still builds a no-op span and
        // its attributes for every upstream call (about 1% of a request's CPU).
        configuration.tracing.tracer = nil
        return configuration
    }
    var ledger: any LedgerStore { dependencies.ledger }

    // MARK: Authentication

    /// The presented virtual key: `Authorization: Bearer tk-…` or (Anthropic clients) `x-api-key: tk-…`.
    static func presentedKey(_ request: Request) -> String? {
        if let auth = request.headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingSpaces }
        }
        if let name = HTTPField.Name("x-api-key"), let key = request.headers[name] { return key.trimmingSpaces }
        return nil
    }

    func authenticate(_ request: Request) async throws(GatewayError) -> KeyInfo {
        guard let secret = Self.presentedKey(request), !secret.isEmpty else {
            throw .unauthorized("Missing API key: send your Tokenomics key as 'Authorization: Bearer tk-…'.")
        }
        let now = clock.now
        if let cached = keyCache.withLock({ $0[secret] }), cached.expires > now { return cached.key }
        let found: KeyInfo?
        do {
            found = try await ledger.authenticate(secret: secret)
        } catch {
            logger.error("key lookup failed", metadata: ["error": "\(error)"])
            throw GatewayError(.serviceUnavailable, type: "api_error", code: "ledger_unavailable", message: "The gateway cannot reach its ledger; try again shortly.")
        }
        guard let key = found else { throw .unauthorized("Incorrect API key provided. Keys are created with `tokenomics keys create`.") }
        guard !key.isRevoked else { throw .unauthorized("This API key (\(key.id)) has been revoked.") }
        keyCache.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }
            cache[secret] = (key, now.advanced(by: config.keyCacheTTL))
        }
        return key
    }

    /// Forgets cached keys (after a revocation through the admin API).
    func forgetKeys() { keyCache.withLock { $0.removeAll() } }

    // MARK: Pricing

    /// The worst-case cost of a call: every prompt token billed at the dearest input-side rate, plus the maximum completion.
    static func worstCase(_ price: ModelPrice, input: Int, output: Int) -> Money? {
        var worst: Money?
        let inputRate = price.rate(.input, promptTokens: input)?.rate
        for (usage, writeClass) in [
            (Usage(input: input, output: output), nil), (Usage(input: input, output: output, cacheWrite: input), TokenClass.cacheWrite),
            (Usage(input: input, output: output, cacheWrite1h: input), TokenClass.cacheWrite1h),
        ] {
            // A prompt written to the cache costs more than a plain one only where cache writes
            // are dearer than input (Anthropic); otherwise that case cannot be the worst.
            if let writeClass, worst != nil, let inputRate, let writeRate = price.rate(writeClass, promptTokens: input)?.rate, writeRate <= inputRate { continue }
            if let cost = try? CostCalculator.cost(of: price, usage: usage) { worst = max(worst ?? cost.total, cost.total) }
        }
        return worst
    }

    /// Provider key for an upstream, from the environment only.
    func providerKey(_ upstream: GatewayConfig.Upstream) -> String? {
        upstream.apiKeyEnv.flatMap { dependencies.environment[$0] }
    }
}

extension Duration {
    var microseconds: Int64 { components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000 }
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
