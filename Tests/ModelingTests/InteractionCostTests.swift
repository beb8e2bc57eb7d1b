import CostModel
import Modeling
import Pricing
import Testing
import TokenomicsCore

struct InteractionCostTests {
    @Test func textbookEstimateIsExact() throws {
        let estimate = try QuickEstimate(model: try catalog.model(named: "gpt-4o"), usage: Usage(input: 2000, output: 500), interactions: 200, price: .dollars(30))
        #expect(estimate.costPerInteraction == (try Money(exactly: "0.01")))
        #expect(estimate.monthlyCostPerUser == .dollars(2))
        #expect(estimate.costPerInteraction.formatted() == "$0.0100")
        #expect(estimate.monthlyCostPerUser.formatted() == "$2.00")
        #expect(abs(try #require(estimate.grossMargin) - 28.0 / 30.0) < 1e-15)
        #expect(estimate.underwater == false)
        #expect(estimate.breakEvenInteractions == 3000)
        #expect(estimate.verdict.kind == .matters)
    }

    @Test(arguments: [(10, Verdict.Kind.negligible, false), (200, .matters, false), (900, .matters, false), (1000, .dominates, false), (4000, .dominates, true)])
    func estimateVerdictFollowsCostShare(interactions: Int, expected: Verdict.Kind, underwater: Bool) throws {
        // $0.01 an interaction against $30: 10 → 0.3%, 200 → 6.7%, 900 → 30% (not over), 1000 → 33%, 4000 → 133%.
        let estimate = try QuickEstimate(model: try catalog.model(named: "gpt-4o"), usage: Usage(input: 2000, output: 500), interactions: interactions, price: .dollars(30))
        #expect(estimate.verdict.kind == expected)
        #expect(estimate.underwater == underwater)
    }

    @Test func agentLoopCostIsTheSumOfTheGrowingPrompts() throws {
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - calls:
                  - {model: gpt-4o, input: 3000, output: 400, repeat: 15, context_growth: 400}
            """)
        let pricing = try InteractionPricing(s)
        let n = 15
        let promptTokens = n * 3000 + 400 * n * (n - 1) / 2   // Σ_k (3000 + 400k)
        let expected = rate("gpt-4o", RateKey(.input)) * promptTokens + rate("gpt-4o", RateKey(.output)) * (n * 400)
        #expect(pricing.kinds[0].calls[0].cost == expected)
        #expect(pricing.kinds[0].calls[0].usage.input == promptTokens)
        #expect(pricing.costPerInteraction == expected)
        // Quadratic, not linear: averaging the prompt would give the same here, so check growth.
        let doubled = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - calls:
                  - {model: gpt-4o, input: 3000, output: 400, repeat: 30, context_growth: 400}
            """)
        let growthCost = { (turns: Int) in rate("gpt-4o", RateKey(.input)) * (400 * turns * (turns - 1) / 2) }
        #expect(try InteractionPricing(doubled).costPerInteraction - expected * 2 == growthCost(30) - growthCost(15) * 2)
    }

    @Test func inputIsBuiltFromItsParts() throws {
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - calls:
                  - model: gpt-4o-mini
                    input: {system: 800, retrieval: {chunks: 5, tokens_per_chunk: 300}, history: {turns: 4, tokens_per_turn: 150}, user: 120}
                    output: 500
            """)
        let call = s.interactions[0].calls[0]
        #expect(call.input.total == 800 + 5 * 300 + 4 * 150 + 120)
        let expected = rate("gpt-4o-mini", RateKey(.input)) * 3020 + rate("gpt-4o-mini", RateKey(.output)) * 500
        #expect(try InteractionPricing(s).costPerInteraction == expected)
    }

    @Test func providerCacheRespectsTheMinimumCacheablePrefix() throws {
        let model = try catalog.model(named: "claude-sonnet-4-5")
        let minimum = try #require(model.promptCacheMinTokens)
        func cost(input: Int) throws -> Money {
            try InteractionPricing(try scenario("""
                users: {active: 10, interactions_per_month: {mean: 5}}
                interactions:
                  - calls: [{model: claude-sonnet-4-5, input: \(input), output: 100, cached_input: 0.8}]
                """)).costPerInteraction
        }
        let input = RateKey(.input)
        let out = rate("claude-sonnet-4-5", RateKey(.output)) * 100
        // 80% of 1000 = 800 tokens, under the 1,024-token minimum: billed as plain input.
        #expect(minimum > 800)
        #expect(try cost(input: 1000) == rate("claude-sonnet-4-5", input) * 1000 + out)
        // 80% of 2000 = 1600 cached tokens, above the minimum.
        let cached = rate("claude-sonnet-4-5", RateKey(.cachedInput)) * 1600 + rate("claude-sonnet-4-5", input) * 400 + out
        #expect(try cost(input: 2000) == cached)
    }

    @Test func cacheWritesAreBilledAtTheWriteRate() throws {
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - calls: [{model: claude-sonnet-4-5, input: 10000, output: 100, cached_input: 0.5, cache_write: 0.25}]
            """)
        let expected = rate("claude-sonnet-4-5", RateKey(.cachedInput)) * 5000 + rate("claude-sonnet-4-5", RateKey(.cacheWrite)) * 2500
            + rate("claude-sonnet-4-5", RateKey(.input)) * 2500 + rate("claude-sonnet-4-5", RateKey(.output)) * 100
        #expect(try InteractionPricing(s).costPerInteraction == expected)
    }

    @Test func longContextTierAppliesPerTurn() throws {
        // gemini-2.5-pro bills a whole call at higher rates once its prompt exceeds 200k tokens.
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - calls: [{model: gemini-2.5-pro, input: 190000, output: 1000, repeat: 4, context_growth: 5000}]
            """)
        let low = (RateKey(.input), RateKey(.output))
        let high = (RateKey(.input, aboveTokens: 200_000), RateKey(.output, aboveTokens: 200_000))
        var expected = Money.zero
        for turn in 0..<4 {
            let prompt = 190_000 + 5000 * turn   // 190k, 195k, 200k (not above), 205k (above)
            let keys = prompt > 200_000 ? high : low
            expected += rate("gemini-2.5-pro", keys.0) * prompt + rate("gemini-2.5-pro", keys.1) * 1000
        }
        let line = try InteractionPricing(s).kinds[0].calls[0]
        #expect(line.cost == expected)
        #expect(line.contextThreshold == 200_000)
    }

    @Test func asyncCallsUseTheBatchTier() throws {
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - calls: [{model: gpt-4o, input: 2000, output: 500, async: true}]
            """)
        let expected = rate("gpt-4o", RateKey(.input, tier: .batch)) * 2000 + rate("gpt-4o", RateKey(.output, tier: .batch)) * 500
        #expect(try InteractionPricing(s).costPerInteraction == expected)
        #expect(expected == (try Money(exactly: "0.005")))
    }

    @Test func mixAndResultCacheAreExact() throws {
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 5}}
            interactions:
              - {name: a, share: 0.8, calls: [{model: gpt-4o-mini, input: 1000, output: 200}]}
              - {name: b, share: 0.2, calls: [{model: gpt-4o, input: 2000, output: 500}, {model: gpt-4o-mini, input: 300, output: 10}]}
            result_cache_hit_rate: 0.25
            """)
        let pricing = try InteractionPricing(s)
        let a = rate("gpt-4o-mini", RateKey(.input)) * 1000 + rate("gpt-4o-mini", RateKey(.output)) * 200
        let b = try Money(exactly: "0.01") + rate("gpt-4o-mini", RateKey(.input)) * 300 + rate("gpt-4o-mini", RateKey(.output)) * 10
        #expect(pricing.kinds[1].cost == b)
        // 0.75 × (0.8a + 0.2b): all terms are exact decimals at 10⁻²¹ here.
        let mixed = Money(units: (a.units * 8 + b.units * 2) / 10)
        #expect(pricing.costBeforeResultCache == mixed)
        #expect(pricing.costPerInteraction == Money(units: mixed.units * 3 / 4))
    }
}
