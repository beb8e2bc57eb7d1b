public import Pricing
public import TokenomicsCore

/// The itemised cost of one call.
public struct CallCost: Sendable, Hashable {
    /// One billed line: tokens of a class at a rate.
    public struct Item: Sendable, Hashable {
        /// The class of the tokens on this line.
        public var tokenClass: TokenClass
        /// How many tokens.
        public var tokens: Int
        /// USD per token.
        public var rate: Money
        /// The price-sheet entry the rate came from (another class or tier when a fallback applied).
        public var rateSource: RateKey
        /// `tokens × rate`, exact.
        public var cost: Money
    }

    /// The model's catalog name.
    public var model: String
    /// The service tier billed.
    public var tier: ServiceTier
    /// The long-context threshold crossed (0 when none).
    public var contextThreshold: Int
    /// The usage that was priced.
    public var usage: Usage
    /// Billed lines, in a fixed order: input, cached input, cache writes, audio input, output,
    /// reasoning, audio output. Lines with no tokens are omitted.
    public var items: [Item]

    /// The sum of the items, exact.
    public var total: Money { items.reduce(.zero) { $0 + $1.cost } }

    /// What the same call would cost if cached input and cache writes were billed as plain input,
    /// minus what it costs: the provider prompt cache's saving (negative when writes cost more).
    public var promptCacheSaving: Money
}

/// Prices calls against a catalog.
///
/// ```swift
/// let calculator = CostCalculator(catalog: try CatalogLoader().load())
/// let cost = try calculator.cost(model: "gpt-4o", usage: Usage(input: 2000, output: 500))
/// print(cost.total.formatted())   // "$0.0100"
/// ```
public struct CostCalculator: Sendable {
    /// The catalog that supplies the rates.
    public var catalog: Catalog

    public init(catalog: Catalog) { self.catalog = catalog }

    /// The itemised cost of one call to a named model.
    ///
    /// - Throws: ``CostError`` when the model is unknown, the usage inconsistent, or a needed rate
    ///   is missing.
    public func cost(model name: String, usage: Usage, tier: ServiceTier = .standard) throws(CostError) -> CallCost {
        let model: ModelPrice
        do {
            model = try catalog.model(named: name)
        } catch {
            throw .pricing(error)
        }
        return try Self.cost(of: model, usage: usage, tier: tier)
    }

    /// The itemised cost of one call to a model whose price sheet you already hold.
    public static func cost(of model: ModelPrice, usage: Usage, tier: ServiceTier = .standard) throws(CostError) -> CallCost {
        try usage.validate()
        let prompt = usage.input
        let lines: [(TokenClass, Int)] = [
            (.input, usage.input - usage.cachedInput - usage.cacheWrite - usage.cacheWrite1h - usage.audioInput),
            (.cachedInput, usage.cachedInput),
            (.cacheWrite, usage.cacheWrite),
            (.cacheWrite1h, usage.cacheWrite1h),
            (.audioInput, usage.audioInput),
            (.output, usage.output - usage.reasoning - usage.audioOutput),
            (.reasoning, usage.reasoning),
            (.audioOutput, usage.audioOutput),
        ]
        var items: [CallCost.Item] = []
        var cacheSaving = Money.zero
        for (cls, tokens) in lines where tokens > 0 {
            guard let resolved = model.rate(cls, tier: tier, promptTokens: prompt) else {
                throw .unpriced(model: model.name, tokenClass: cls)
            }
            let cost = resolved.rate * tokens
            items.append(CallCost.Item(tokenClass: cls, tokens: tokens, rate: resolved.rate, rateSource: resolved.source, cost: cost))
            if cls == .cachedInput || cls == .cacheWrite || cls == .cacheWrite1h, let input = model.rate(.input, tier: tier, promptTokens: prompt) {
                cacheSaving += input.rate * tokens - cost
            }
        }
        return CallCost(
            model: model.name, tier: tier, contextThreshold: model.crossedThreshold(promptTokens: prompt), usage: usage,
            items: items, promptCacheSaving: cacheSaving
        )
    }
}
