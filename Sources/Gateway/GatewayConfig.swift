import Foundation
import Pricing
public import TokenomicsCore

/// The gateway's configuration, read from YAML (see `docs/gateway.md`).
public struct GatewayConfig: Sendable {
    /// Where to listen.
    public var host: String
    public var port: Int
    /// `sqlite:PATH` or `postgres://…` (the `--database` flag overrides it).
    public var database: String
    /// The providers requests are forwarded to.
    public var upstreams: [Upstream]
    public var routes: Routes
    public var cache: CacheSettings
    public var limits: LimitSettings
    /// The environment variable holding the admin API's key; no admin API when nil or unset.
    public var adminKeyEnv: String?
    /// Extra price files (same formats as `--catalog`).
    public var catalogFiles: [String]
    /// Largest request body accepted, in bytes (413 above it).
    public var maxBodyBytes: Int
    /// Largest non-streamed upstream response the gateway reads, in bytes.
    public var maxResponseBytes: Int
    /// Time allowed for one upstream call, streams included.
    public var upstreamTimeout: Duration
    /// Time allowed to connect to an upstream (refused connections are retried until then, then fall back or fail with 502).
    public var connectTimeout: Duration = .seconds(5)
    /// Connections kept per upstream host.
    public var upstreamConnections: Int = 256
    /// Completion tokens assumed (and sent as `max_tokens`) when neither the request nor the catalog gives a maximum.
    public var defaultMaxOutputTokens: Int
    /// Soft budget threshold in percent, for budgets created without one.
    public var softPercent: Int
    /// How long an authenticated key is remembered before it is looked up again (revocations through the admin API are immediate).
    public var keyCacheTTL: Duration
    /// Ledger writer: records per batch and the longest a record waits in memory.
    public var ledgerBatchSize: Int
    public var ledgerFlushInterval: Duration
    /// Records held in memory before requests wait for the writer.
    public var ledgerBufferCapacity: Int
    /// Log prompt and completion text (off by default).
    public var logContent: Bool
    /// With PostgreSQL, reservations older than this are recovered at start (other instances may hold younger ones);
    /// nil means the upstream timeout plus a minute. SQLite recovers every open reservation.
    public var recoveryGrace: Duration?
    /// How often the dashboard's rollups are folded and its overview's per-user sums read in the
    /// background (when the dashboard is on); nil turns that off, and pages do the work themselves.
    public var dashboardWarmInterval: Duration? = .seconds(60)

    /// One upstream provider.
    public struct Upstream: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case openai, anthropic }
        public var name: String
        public var kind: Kind
        /// Base URL, for example `https://api.openai.com/v1` or `https://api.anthropic.com`.
        public var baseURL: String
        /// The environment variable that holds the provider key (never the key itself).
        public var apiKeyEnv: String?
        /// Glob patterns of the model names it serves (`gpt-*`, `claude-*`).
        public var models: [String]

        public init(name: String, kind: Kind, baseURL: String, apiKeyEnv: String? = nil, models: [String]) {
            self.name = name
            self.kind = kind
            self.baseURL = baseURL
            self.apiKeyEnv = apiKeyEnv
            self.models = models
        }

        /// True when one of ``models`` matches `model`.
        public func serves(_ model: String) -> Bool { models.contains { Glob.matches(pattern: $0, model) } }
    }

    /// Model routing.
    public struct Routes: Sendable, Hashable {
        /// Names clients may use for a model: `fast` → `gpt-4o-mini`.
        public var aliases: [String: String]
        /// The model each feature uses, whatever the request asks.
        public var features: [String: String]
        /// Models tried, in order, when a model's upstream fails (5xx, refused connection, timeout).
        public var fallbacks: [String: [String]]

        public init(aliases: [String: String] = [:], features: [String: String] = [:], fallbacks: [String: [String]] = [:]) {
            self.aliases = aliases
            self.features = features
            self.fallbacks = fallbacks
        }
    }

    /// The result cache.
    public struct CacheSettings: Sendable, Hashable {
        public var enabled: Bool
        public var ttl: Duration
        public var maxEntries: Int
        /// Share entries across users (default: each user has their own).
        public var shared: Bool
        /// Also cache requests with `temperature > 0` (or no temperature, which means 1).
        public var cacheNonZeroTemperature: Bool

        public init(enabled: Bool = true, ttl: Duration = .seconds(300), maxEntries: Int = 10_000, shared: Bool = false, cacheNonZeroTemperature: Bool = false) {
            self.enabled = enabled
            self.ttl = ttl
            self.maxEntries = maxEntries
            self.shared = shared
            self.cacheNonZeroTemperature = cacheNonZeroTemperature
        }
    }

    /// Default rate limits (a key's own `--rpm`/`--tpm` override the key defaults).
    public struct LimitSettings: Sendable, Hashable {
        public var keyRPM: Int?
        public var keyTPM: Int?
        public var userRPM: Int?
        public var userTPM: Int?

        public init(keyRPM: Int? = nil, keyTPM: Int? = nil, userRPM: Int? = nil, userTPM: Int? = nil) {
            self.keyRPM = keyRPM
            self.keyTPM = keyTPM
            self.userRPM = userRPM
            self.userTPM = userTPM
        }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: String = "sqlite:./tokenomics.db", upstreams: [Upstream] = [],
        routes: Routes = Routes(), cache: CacheSettings = CacheSettings(), limits: LimitSettings = LimitSettings(), adminKeyEnv: String? = nil,
        catalogFiles: [String] = [], maxBodyBytes: Int = 4 << 20, maxResponseBytes: Int = 64 << 20, upstreamTimeout: Duration = .seconds(600),
        defaultMaxOutputTokens: Int = 4096, softPercent: Int = 80, keyCacheTTL: Duration = .seconds(5), ledgerBatchSize: Int = 500,
        ledgerFlushInterval: Duration = .milliseconds(50), ledgerBufferCapacity: Int = 50_000, logContent: Bool = false
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.upstreams = upstreams
        self.routes = routes
        self.cache = cache
        self.limits = limits
        self.adminKeyEnv = adminKeyEnv
        self.catalogFiles = catalogFiles
        self.maxBodyBytes = maxBodyBytes
        self.maxResponseBytes = maxResponseBytes
        self.upstreamTimeout = upstreamTimeout
        self.defaultMaxOutputTokens = defaultMaxOutputTokens
        self.softPercent = softPercent
        self.keyCacheTTL = keyCacheTTL
        self.ledgerBatchSize = ledgerBatchSize
        self.ledgerFlushInterval = ledgerFlushInterval
        self.ledgerBufferCapacity = ledgerBufferCapacity
        self.logContent = logContent
    }

    /// Reads a configuration file's text; unknown fields are errors that name their line.
    /// TCP ports the gateway can listen on (0: the system picks a free one).
    public static let validPorts = 0...65535

    public static func parse(_ text: String, file: String) throws(YAMLFields.Problem) -> GatewayConfig {
        let root = try YAMLFields.parse(text, file: file)
        var config = GatewayConfig()
        if let listen = try root.mapping("listen") {
            config.host = try listen.string("host", required: false) ?? config.host
            config.port = try listen.integer("port") ?? config.port
            if !Self.validPorts.contains(config.port) { throw listen.problem("port", "must be between 0 and 65535 (0 picks a free port); got \(config.port)") }
            try listen.rejectUnknown()
        }
        config.database = try root.string("database", required: false) ?? config.database
        config.adminKeyEnv = try root.string("admin_key_env", required: false)
        config.catalogFiles = try root.strings("catalog")
        config.maxBodyBytes = try root.integer("max_body_bytes") ?? config.maxBodyBytes
        config.maxResponseBytes = try root.integer("max_response_bytes") ?? config.maxResponseBytes
        if let seconds = try root.double("upstream_timeout_seconds") { config.upstreamTimeout = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = try root.double("connect_timeout_seconds") { config.connectTimeout = .milliseconds(Int64(seconds * 1000)) }
        config.upstreamConnections = max(1, try root.integer("upstream_connections") ?? config.upstreamConnections)
        config.defaultMaxOutputTokens = try root.integer("default_max_output_tokens") ?? config.defaultMaxOutputTokens
        config.logContent = try root.bool("log_content") ?? false
        if let seconds = try root.double("key_cache_seconds") { config.keyCacheTTL = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = try root.double("recovery_grace_seconds") { config.recoveryGrace = .milliseconds(Int64(seconds * 1000)) }
        if let seconds = try root.double("dashboard_warm_seconds") {
            guard seconds >= 0 else { throw root.problem("dashboard_warm_seconds", "expected seconds between background passes (0 turns them off), found \(seconds)") }
            config.dashboardWarmInterval = seconds == 0 ? nil : .milliseconds(Int64(seconds * 1000))
        }
        for upstream in try root.sequence("upstreams") {
            let kindText = try upstream.string("kind")
            guard let kind = Upstream.Kind(rawValue: kindText) else { throw upstream.problem("kind", "expected openai or anthropic, found '\(kindText)'") }
            let baseURL = try upstream.string("base_url")
            guard URL(string: baseURL)?.host != nil else { throw upstream.problem("base_url", "expected a URL such as https://api.openai.com/v1, found '\(baseURL)'") }
            let models = try upstream.strings("models")
            if models.isEmpty { throw upstream.problem("models", "list the model names (glob patterns such as gpt-*) this upstream serves") }
            config.upstreams.append(
                Upstream(name: try upstream.string("name"), kind: kind, baseURL: baseURL, apiKeyEnv: try upstream.string("api_key_env", required: false), models: models))
            try upstream.rejectUnknown()
        }
        if let routes = try root.mapping("routes") {
            config.routes.aliases = try stringMap(routes, "aliases")
            config.routes.features = try stringMap(routes, "features")
            if let fallbacks = try routes.mapping("fallbacks") {
                for key in fallbacks.keys { config.routes.fallbacks[key] = try fallbacks.strings(key) }
                try fallbacks.rejectUnknown()
            }
            try routes.rejectUnknown()
        }
        if let cache = try root.mapping("cache") {
            config.cache.enabled = try cache.bool("enabled") ?? true
            if let seconds = try cache.double("ttl_seconds") { config.cache.ttl = .milliseconds(Int64(seconds * 1000)) }
            config.cache.maxEntries = try cache.integer("max_entries") ?? config.cache.maxEntries
            config.cache.shared = try cache.bool("shared") ?? false
            config.cache.cacheNonZeroTemperature = try cache.bool("cache_nonzero_temperature") ?? false
            try cache.rejectUnknown()
        }
        if let limits = try root.mapping("limits") {
            config.limits.keyRPM = try limits.integer("key_rpm")
            config.limits.keyTPM = try limits.integer("key_tpm")
            config.limits.userRPM = try limits.integer("user_rpm")
            config.limits.userTPM = try limits.integer("user_tpm")
            try limits.rejectUnknown()
        }
        if let budgets = try root.mapping("budgets") {
            config.softPercent = try budgets.integer("soft_percent") ?? config.softPercent
            try budgets.rejectUnknown()
        }
        if let ledger = try root.mapping("ledger") {
            config.ledgerBatchSize = max(1, try ledger.integer("batch_size") ?? config.ledgerBatchSize)
            if let ms = try ledger.integer("flush_interval_ms") { config.ledgerFlushInterval = .milliseconds(ms) }
            config.ledgerBufferCapacity = max(1, try ledger.integer("buffer_capacity") ?? config.ledgerBufferCapacity)
            try ledger.rejectUnknown()
        }
        try root.rejectUnknown()
        return config
    }

    static func stringMap(_ fields: YAMLFields, _ key: String) throws(YAMLFields.Problem) -> [String: String] {
        guard let mapping = try fields.mapping(key) else { return [:] }
        var result: [String: String] = [:]
        for name in mapping.keys { result[name] = try mapping.string(name) }
        try mapping.rejectUnknown()
        return result
    }
}

/// Shell-style globs for model names: `*` any run, `?` one character.
enum Glob {
    static func matches(pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
