public import Pricing

/// A product's unit economics, as described in a scenario file (see `docs/scenario.md`).
///
/// Read one with ``Scenario/read(text:file:catalog:)``; model it with ``ScenarioModel``.
public struct Scenario: Sendable {
    /// The product's name.
    public var name: String
    /// Active users and how often they interact.
    public var users: Users
    /// The mix of interaction kinds; shares add up to 1.
    public var interactions: [InteractionKind]
    /// The share of interactions answered from our own result cache, at no token cost.
    public var resultCacheHitRate: Fraction
    /// The pricing plans to evaluate (the first is the one the projection and levers use).
    public var plans: [Plan]
    /// The gross margin a plan should keep at the p99 user (recommendations aim for it).
    public var targetMargin: Fraction
    /// Month-by-month projection settings.
    public var projection: ProjectionSettings
    /// Which what-ifs to run.
    public var levers: LeverSettings
    /// The Monte Carlo seed, when the scenario fixes one.
    public var seed: UInt64?
    /// What-ifs run beside the automatic levers and reported whole (`levers: {what_ifs: [...]}`),
    /// such as the result-cache hit rate a fitted scenario saw in its log.
    public var whatIfs: [WhatIf] = []
    /// Users to simulate when the caller does not say (`simulate:`); nil for the active users (at
    /// most a million). Totals are scaled to the active users either way.
    public var simulatedUsers: Int? = nil
    /// The model lever's quality rule: a swap may lose at most this many rating points in the
    /// call's task (`levers: {max_rating_drop: 20}`).
    public var maxRatingDrop: Double = 20
    /// The ratings the model lever keeps quality by (`quality:`; the bundled Arena snapshot by
    /// default), nil when none could be loaded.
    public var quality: QualityRatings? = try? QualityRatings.arena()
    /// The token counts the scenario gave as text, counted with each call's model tokenizer.
    public var countedTexts: [CountedText] = []

    public init(
        name: String,
        users: Users,
        interactions: [InteractionKind],
        resultCacheHitRate: Fraction = .zero,
        plans: [Plan] = [],
        targetMargin: Fraction = Fraction(parts: 700_000_000),
        projection: ProjectionSettings = ProjectionSettings(),
        levers: LeverSettings = .auto(candidates: []),
        seed: UInt64? = nil
    ) {
        self.name = name
        self.users = users
        self.interactions = interactions
        self.resultCacheHitRate = resultCacheHitRate
        self.plans = plans
        self.targetMargin = targetMargin
        self.projection = projection
        self.levers = levers
        self.seed = seed
    }

    /// The user base.
    public struct Users: Sendable {
        /// Active users this month.
        public var active: Int
        /// Interactions per user per month.
        public var population: Population

        public init(active: Int, population: Population) {
            self.active = active
            self.population = population
        }
    }

    /// One kind of interaction (a chat answer, an agent task) and the calls it makes.
    public struct InteractionKind: Sendable {
        /// Its name.
        public var name: String
        /// Its share of all interactions.
        public var share: Fraction
        /// The calls one interaction makes, in order.
        public var calls: [Call]

        public init(name: String, share: Fraction, calls: [Call]) {
            self.name = name
            self.share = share
            self.calls = calls
        }
    }

    /// One model call (or an agent loop of calls) within an interaction.
    public struct Call: Sendable {
        /// The model's price sheet.
        public var model: ModelPrice
        /// What the prompt is made of.
        public var input: Input
        /// Completion tokens, reasoning included.
        public var output: Int
        /// Completion tokens spent on reasoning (part of ``output``).
        public var reasoning: Int
        /// The share of each prompt read from the provider's prompt cache.
        public var cachedInput: Fraction
        /// The share of each prompt written to the provider's prompt cache.
        public var cacheWrite: Fraction
        /// How many times the call runs in a row (an agent loop's turns).
        public var repeatCount: Int
        /// Tokens each turn adds to the next turn's prompt.
        public var contextGrowth: Int
        /// Whether the call can wait for the batch tier.
        public var async: Bool
        /// What the call does, for the quality of a cheaper model (`task:`; general by default).
        public var task: QualityTask = .general
        /// Where the call is in the scenario (`interactions[1].calls[0]`), for messages and levers.
        public var path: String
        /// `file:line` of the call, for messages.
        public var location: String

        public init(
            model: ModelPrice, input: Input, output: Int, reasoning: Int = 0, cachedInput: Fraction = .zero,
            cacheWrite: Fraction = .zero, repeatCount: Int = 1, contextGrowth: Int = 0, async: Bool = false,
            path: String = "", location: String = ""
        ) {
            self.model = model
            self.input = input
            self.output = output
            self.reasoning = reasoning
            self.cachedInput = cachedInput
            self.cacheWrite = cacheWrite
            self.repeatCount = repeatCount
            self.contextGrowth = contextGrowth
            self.async = async
            self.path = path
            self.location = location
        }

        /// The tier the call is billed at.
        public var tier: ServiceTier { async ? .batch : .standard }
    }

    /// A prompt: a plain token count, or built from its parts.
    public struct Input: Sendable, Hashable {
        /// The system prompt.
        public var system: Int
        /// Retrieved chunks.
        public var chunks: Int
        /// Tokens per retrieved chunk.
        public var tokensPerChunk: Int
        /// Conversation turns of history sent along.
        public var historyTurns: Int
        /// Tokens per history turn.
        public var tokensPerTurn: Int
        /// The user's message (or the whole prompt when given as one number).
        public var user: Int
        /// Whether the prompt was given as one number.
        public var isPlain: Bool

        /// A prompt given as one number.
        public static func tokens(_ count: Int) -> Input {
            Input(system: 0, chunks: 0, tokensPerChunk: 0, historyTurns: 0, tokensPerTurn: 0, user: count, isPlain: true)
        }

        public init(system: Int = 0, chunks: Int = 0, tokensPerChunk: Int = 0, historyTurns: Int = 0, tokensPerTurn: Int = 0, user: Int = 0, isPlain: Bool = false) {
            self.system = system
            self.chunks = chunks
            self.tokensPerChunk = tokensPerChunk
            self.historyTurns = historyTurns
            self.tokensPerTurn = tokensPerTurn
            self.user = user
            self.isPlain = isPlain
        }

        /// The prompt's tokens.
        public var total: Int { system + chunks * tokensPerChunk + historyTurns * tokensPerTurn + user }
    }

    /// Projection settings.
    public struct ProjectionSettings: Sendable, Hashable {
        /// Months to project.
        public var months: Int
        /// The yearly fall in model prices (0.5: prices halve each year).
        public var annualPriceDecline: Double
        /// Monthly user growth (0.08: 8% more users each month).
        public var userGrowthMonthly: Double

        /// The default yearly price decline (see `docs/scenario.md` for the evidence).
        public static let defaultAnnualPriceDecline = 0.5

        public init(months: Int = 12, annualPriceDecline: Double = defaultAnnualPriceDecline, userGrowthMonthly: Double = 0) {
            self.months = months
            self.annualPriceDecline = annualPriceDecline
            self.userGrowthMonthly = userGrowthMonthly
        }
    }

    /// Which what-ifs the modeller runs.
    public enum LeverSettings: Sendable {
        /// None.
        case off
        /// Every lever; model swaps pick from `candidates` when given, else from the catalog's
        /// models of the call's provider.
        case auto(candidates: [ModelPrice])
        /// Exactly these what-ifs, each on its own.
        case list([WhatIf])
    }

    /// One explicit what-if of a `levers:` list.
    public enum WhatIf: Sendable {
        /// Run the call at `path` on another model.
        case model(path: String, to: ModelPrice)
        /// Send fewer retrieved chunks or history turns, or grow an agent loop's context more slowly.
        case context(path: String, chunks: Int?, historyTurns: Int?, contextGrowth: Int?)
        /// Run an agent loop for fewer turns.
        case calls(path: String, repeatCount: Int)
        /// Read more of the call's prompt from the provider's cache.
        case providerCache(path: String, cachedInput: Fraction)
        /// Answer more interactions from our own result cache.
        case resultCache(hitRate: Fraction)
        /// Bill the call at the batch tier.
        case batch(path: String)
    }
}
