import Synchronization
public import TokenomicsCore

/// One model's price sheet and limits.
///
/// Rates are exact ``Money`` amounts in USD per token, keyed by ``RateKey``. Use
/// ``rate(_:tier:promptTokens:)`` to find the rate that applies to a request; it applies the
/// fallback rules (a missing tier rate falls back to the standard tier, a missing cached or
/// cache-write rate to the input rate, a missing reasoning rate to the output rate) and the
/// long-context tiers (once the prompt exceeds a threshold, every token of the request is billed at
/// that threshold's rates).
public struct ModelPrice: Sendable, Hashable {
    /// The catalog key, e.g. `gpt-4o` or `bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0`.
    public var name: String
    /// The provider, as LiteLLM names it (`openai`, `anthropic`, `vertex_ai-language-models`, …).
    public var provider: String
    /// What the model does: `chat`, `completion`, `embedding` or `responses`.
    public var mode: String
    /// The context window in tokens, when known.
    public var maxInputTokens: Int?
    /// The longest completion in tokens, when known.
    public var maxOutputTokens: Int?
    /// The date the provider retires the model (`YYYY-MM-DD`), when announced.
    public var deprecationDate: String?
    /// The shortest prompt prefix the provider caches, when known.
    public var promptCacheMinTokens: Int?
    /// The model this entry is another name for, when the source says so.
    public var aliasOf: String?
    /// When true, a long-context tier applies once the prompt *reaches* its threshold (xAI);
    /// otherwise once it exceeds it.
    public var inclusiveThresholds: Bool
    /// Rates in USD per token.
    public var rates: [RateKey: Money] {
        get { rateStorage.parsed.rates }
        set { rateStorage = RateStorage(parsed: newValue) }
    }
    var rateStorage: RateStorage
    /// Which catalog layer the entry came from (`bundled`, a file path, …).
    public var origin: String

    public init(
        name: String,
        provider: String,
        mode: String = "chat",
        maxInputTokens: Int? = nil,
        maxOutputTokens: Int? = nil,
        deprecationDate: String? = nil,
        promptCacheMinTokens: Int? = nil,
        aliasOf: String? = nil,
        inclusiveThresholds: Bool = false,
        rates: [RateKey: Money] = [:],
        origin: String = "custom"
    ) {
        self.name = name
        self.provider = provider
        self.mode = mode
        self.maxInputTokens = maxInputTokens
        self.maxOutputTokens = maxOutputTokens
        self.deprecationDate = deprecationDate
        self.promptCacheMinTokens = promptCacheMinTokens
        self.aliasOf = aliasOf
        self.inclusiveThresholds = inclusiveThresholds
        self.rateStorage = RateStorage(parsed: rates)
        self.origin = origin
    }

    public static func == (lhs: ModelPrice, rhs: ModelPrice) -> Bool {
        lhs.name == rhs.name && lhs.provider == rhs.provider && lhs.mode == rhs.mode && lhs.maxInputTokens == rhs.maxInputTokens
            && lhs.maxOutputTokens == rhs.maxOutputTokens && lhs.deprecationDate == rhs.deprecationDate
            && lhs.promptCacheMinTokens == rhs.promptCacheMinTokens && lhs.aliasOf == rhs.aliasOf
            && lhs.inclusiveThresholds == rhs.inclusiveThresholds && lhs.origin == rhs.origin && lhs.rates == rhs.rates
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(provider)
        hasher.combine(rates)
    }

    /// A rate chosen for a request, with the price-sheet entry it came from.
    public struct ResolvedRate: Sendable, Hashable {
        /// USD per token.
        public var rate: Money
        /// The entry of the price sheet that supplied the rate; differs from the requested class
        /// or tier when a fallback applied.
        public var source: RateKey
    }

    /// The prompt-size thresholds of the long-context tiers, ascending.
    public var contextThresholds: [Int] { rateStorage.parsed.thresholds }

    /// The long-context threshold a prompt of this size crosses, or 0 when none.
    public func crossedThreshold(promptTokens: Int) -> Int {
        var crossed = 0
        for threshold in contextThresholds where promptTokens > threshold || (inclusiveThresholds && promptTokens == threshold) {
            crossed = threshold
        }
        return crossed
    }

    /// The rate that applies to tokens of one class in a request.
    ///
    /// - Parameters:
    ///   - tokenClass: the class of the tokens.
    ///   - tier: the service tier of the request.
    ///   - promptTokens: the request's whole prompt, which selects the long-context tier.
    /// - Returns: the rate and its source, or `nil` when the model has no rate for the class or any
    ///   of its fallbacks (a model without token prices).
    public func rate(_ tokenClass: TokenClass, tier: ServiceTier = .standard, promptTokens: Int = 0) -> ResolvedRate? {
        // One read of the storage and no arrays: the gateway prices every request several times.
        let parsed = rateStorage.parsed
        let inclusive = inclusiveThresholds
        /// The class's rate in a tier: the highest long-context tier the prompt crosses, else the base.
        func lookup(_ cls: TokenClass, _ tier: ServiceTier) -> ResolvedRate? {
            for threshold in parsed.thresholds.reversed() where promptTokens > threshold || (inclusive && promptTokens == threshold) {
                let key = RateKey(cls, tier: tier, aboveTokens: threshold)
                if let rate = parsed.rates[key] { return ResolvedRate(rate: rate, source: key) }
            }
            let key = RateKey(cls, tier: tier, aboveTokens: 0)
            return parsed.rates[key].map { ResolvedRate(rate: $0, source: key) }
        }
        /// The requested tier, then the standard one.
        func inTiers(_ cls: TokenClass) -> ResolvedRate? {
            lookup(cls, tier) ?? (tier == .standard ? nil : lookup(cls, .standard))
        }
        /// The class, then its fallbacks, in one tier.
        func inChain(_ tier: ServiceTier) -> ResolvedRate? {
            var current: TokenClass? = tokenClass
            while let cls = current {
                if let found = lookup(cls, tier) { return found }
                current = cls.fallback
            }
            return nil
        }
        // Reasoning and audio tokens are output (or input) tokens: without a rate of their own in the
        // requested tier, the tier's output (input) rate applies before the standard tier's. Cache
        // rates are discounts of their own: without a tier rate, the standard cache rate applies
        // before the tier's input rate.
        if tokenClass.fallsBackWithinTier {
            return inChain(tier) ?? (tier == .standard ? nil : inChain(.standard))
        }
        var current: TokenClass? = tokenClass
        while let cls = current {
            if let found = inTiers(cls) { return found }
            current = cls.fallback
        }
        return nil
    }

    /// The base standard rate of a class, without fallbacks.
    public func baseRate(_ tokenClass: TokenClass) -> Money? { rates[RateKey(tokenClass)] }

    /// Whether the model has a price for input or output tokens.
    public var hasTokenPrices: Bool { baseRate(.input) != nil || baseRate(.output) != nil }

    /// The service tiers the price sheet names.
    public var tiers: [ServiceTier] {
        ServiceTier.allCases.filter { tier in rates.keys.contains { $0.tier == tier } }
    }
}

/// A model's rates, parsed from the catalog file on first use: a command that prices one model
/// parses one line's rates, not four thousand.
final class RateStorage: Sendable {
    /// The rates and what every pricing call derives from them, computed once.
    struct Parsed: Sendable {
        let rates: [RateKey: Money]
        /// The long-context thresholds, ascending (0, the base tier, excluded).
        let thresholds: [Int]

        init(_ rates: [RateKey: Money]) {
            self.rates = rates
            thresholds = Array(Set(rates.keys.map(\.aboveTokens)).subtracting([0])).sorted()
        }
    }
    private enum State: Sendable {
        case parsed(Parsed)
        case raw([UInt8])
    }
    private let state: Mutex<State>

    init(parsed: [RateKey: Money]) { state = Mutex(.parsed(Parsed(parsed))) }

    /// Rates in the catalog file's `rates` syntax, parsed on first access. The text must already be
    /// known to be valid (the bundled catalog is checked by its tests and by `tokenomics prices info`).
    init(unparsed: [UInt8]) { state = Mutex(.raw(unparsed)) }

    var parsed: Parsed {
        state.withLock { state in
            switch state {
            case .parsed(let parsed):
                return parsed
            case .raw(let bytes):
                let rates = bytes.withUnsafeBufferPointer { buffer in
                    (try? CatalogFile.parseRates(buffer)) ?? [:]
                }
                let parsed = Parsed(rates)
                state = .parsed(parsed)
                return parsed
            }
        }
    }
}
