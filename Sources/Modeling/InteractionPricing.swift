public import CostModel
public import Pricing
public import TokenomicsCore

/// What one interaction of a scenario costs, exactly, call by call and turn by turn.
public struct InteractionPricing: Sendable {
    /// The cost of one call of an interaction (all its turns when it is an agent loop).
    public struct CallLine: Sendable {
        /// Where the call is in the scenario (`interactions[0].calls[1]`).
        public var path: String
        /// The model's catalog name.
        public var model: String
        /// The tier billed.
        public var tier: ServiceTier
        /// Turns (calls in a row).
        public var turns: Int
        /// Summed usage over the turns.
        public var usage: Usage
        /// The largest long-context threshold any turn crossed (0 when none).
        public var contextThreshold: Int
        /// Turns whose prompt was too short for the provider's prompt cache.
        public var turnsBelowCacheMinimum: Int
        /// The summed cost of the turns, exact.
        public var cost: Money
    }

    /// The cost of one interaction kind.
    public struct KindLine: Sendable {
        /// The kind's name.
        public var name: String
        /// Its share of interactions.
        public var share: Fraction
        /// Its calls.
        public var calls: [CallLine]
        /// The cost of one such interaction when it is not answered from the result cache.
        public var cost: Money { calls.reduce(.zero) { $0 + $1.cost } }
    }

    /// Each kind's cost.
    public var kinds: [KindLine]
    /// The result-cache hit rate applied.
    public var resultCacheHitRate: Fraction

    /// The mean cost of an interaction before the result cache: Σ share × kind cost, exact to 10⁻²¹ USD.
    public var costBeforeResultCache: Money {
        kinds.reduce(.zero) { $0 + $1.share.of($1.cost) }
    }

    /// The mean cost of an interaction, result-cache hits costing nothing: exact to 10⁻²¹ USD.
    public var costPerInteraction: Money {
        resultCacheHitRate.complement.of(costBeforeResultCache)
    }

    /// Prices every call of a scenario.
    ///
    /// Each turn `k` (from 0) of a call sends `input + k × context_growth` prompt tokens and is
    /// priced on its own, so long-context tiers apply per turn and the loop's cost grows with the
    /// square of the turns. The cached and cache-write shares apply to each turn's prompt; a turn
    /// whose cached prefix is shorter than the model's minimum cacheable prefix is billed as plain
    /// input. Calls marked `async` are billed at the batch tier.
    ///
    /// - Throws: ``ModelingError/unpriced(location:field:reason:)`` when a call cannot be priced.
    public init(_ scenario: Scenario) throws(ModelingError) {
        resultCacheHitRate = scenario.resultCacheHitRate
        kinds = []
        for kind in scenario.interactions {
            var lines: [CallLine] = []
            for call in kind.calls { lines.append(try Self.price(call)) }
            kinds.append(KindLine(name: kind.name, share: kind.share, calls: lines))
        }
    }

    /// The usage of turn `turn` (from 0) of a call.
    public static func usage(of call: Scenario.Call, turn: Int) -> (usage: Usage, belowCacheMinimum: Bool) {
        let prompt = call.input.total + turn * call.contextGrowth
        var cached = call.cachedInput.floor(of: prompt)
        var writes = call.cacheWrite.floor(of: prompt)
        var below = false
        if cached + writes > 0, let minimum = call.model.promptCacheMinTokens, cached + writes < minimum {
            cached = 0
            writes = 0
            below = true
        }
        return (Usage(input: prompt, output: call.output, cachedInput: cached, cacheWrite: writes, reasoning: call.reasoning), below)
    }

    /// Prices all turns of one call.
    public static func price(_ call: Scenario.Call) throws(ModelingError) -> CallLine {
        var total = Money.zero
        var usage = Usage()
        var threshold = 0
        var below = 0
        for turn in 0..<call.repeatCount {
            let (turnUsage, isBelow) = Self.usage(of: call, turn: turn)
            let cost: CallCost
            do {
                cost = try CostCalculator.cost(of: call.model, usage: turnUsage, tier: call.tier)
            } catch {
                throw .unpriced(location: call.location, field: "\(call.path).model", reason: error.description)
            }
            total += cost.total
            usage = usage + turnUsage
            threshold = max(threshold, cost.contextThreshold)
            if isBelow { below += 1 }
        }
        return CallLine(
            path: call.path, model: call.model.name, tier: call.tier, turns: call.repeatCount, usage: usage,
            contextThreshold: threshold, turnsBelowCacheMinimum: below, cost: total
        )
    }
}
