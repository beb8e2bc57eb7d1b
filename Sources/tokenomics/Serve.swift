import ArgumentParser
import AsyncHTTPClient
import Foundation
import Gateway
import Hummingbird
import Ledger
import Logging
import Metrics
import Prometheus
import Pricing
import ServiceLifecycle

extension Tokenomics {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the gateway: an OpenAI-compatible proxy that meters cost per user and enforces budgets, limits and caching.",
            discussion: """
                Clients call the gateway as they would call OpenAI (POST /v1/chat/completions, \
                /v1/completions, /v1/embeddings, /v1/responses, GET /v1/models) or Anthropic (POST \
                /v1/messages), with a virtual key from `tokenomics keys create`. Provider keys are \
                read from the environment variables the configuration names. See docs/gateway.md \
                for the configuration file; Examples/gateway.yaml is a starting point.

                SIGTERM or SIGINT stops it gracefully: requests in flight finish, then the ledger is \
                flushed.

                Examples:
                  tokenomics serve --config Examples/gateway.yaml
                  tokenomics serve --config gateway.yaml --database postgres://postgres@127.0.0.1:5432/tokenomics --port 9000
                """
        )

        @Option(help: ArgumentHelp("The gateway configuration (YAML).", valueName: "file")) var config: String?
        @Option(
            name: .customLong("database"),
            help: ArgumentHelp("The ledger: sqlite:PATH or postgres://USER@HOST:PORT/DB (default: the configuration's, else sqlite:./tokenomics.db).", valueName: "url"))
        var database: String?
        @Option(parsing: .unconditional, help: "The port to listen on (overrides listen.port).") var port: Int?
        @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
        @OptionGroup var catalog: CatalogOptions

        func validate() throws {
            if let port, !GatewayConfig.validPorts.contains(port) {
                throw ValidationError("--port must be between 0 and 65535 (0 picks a free port); got \(port).")
            }
            if Logger.Level(rawValue: logLevel) == nil {
                throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(logLevel)'.")
            }
        }

        func gatewayConfig() throws -> GatewayConfig {
            var result = GatewayConfig()
            if let config {
                result = try GatewayConfig.parse(try readTextFile(config, what: "configuration file"), file: config)
            }
            if let database { result.database = database }
            if let port { result.port = port }
            return result
        }

        func run() async throws {
            let gatewayConfig = try gatewayConfig()
            let level = Logger.Level(rawValue: logLevel) ?? .info  // checked in validate()
            LoggingSystem.bootstrap { label in
                var handler = LazyMetadataLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let logger = Logger(label: "tokenomics.gateway")

            let loader = CatalogLoader(extraFiles: catalog.files + gatewayConfig.catalogFiles, includeUserCatalog: !catalog.noUserCatalog)
            let prices = try loader.load()
            let url = try LedgerURL.parse(gatewayConfig.database)
            let ledger: any LedgerStore
            var services: [any Service] = []
            switch url {
            case .sqlite(let path):
                let sqlite = try SQLiteLedger(path: path)
                try sqlite.checkpointInBackground()
                ledger = sqlite
            case .postgres(let host, let port, let user, let password, let database):
                let postgres = PostgresLedger(host: host, port: port, user: user, password: password, database: database, logger: logger)
                services.append(postgres.client)
                ledger = postgres
            }
            let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Gateway.httpClientConfiguration(gatewayConfig))
            let gateway = Gateway(
                config: gatewayConfig,
                dependencies: GatewayDependencies(
                    ledger: ledger, catalog: prices, tokenCounter: TokenizerCounter(), httpClient: httpClient, logger: logger,
                    metricsText: { registry.emitToString() }))
            let app = buildApplication(gateway, services: services) { port in
                logger.info("gateway listening", metadata: ["listen.host": "\(gatewayConfig.host)", "listen.port": "\(port)", "ledger": "\(url)"])
            }
            do {
                try await app.runService()
            } catch {
                try? await httpClient.shutdown()
                throw error
            }
            try await httpClient.shutdown()
            try await ledger.close()
        }
    }
}
