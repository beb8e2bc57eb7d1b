import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore

struct PlanAndLeverTests {
    @Test func planEvaluationArithmeticIsExact() {
        let sorted = [10, 100, 200, 300, 1000, 5000]
        let cpi = try! Money(exactly: "0.02")
        let flat = PlanEvaluation(plan: Plan(name: "Pro", kind: .flat(price: .dollars(20))), sorted: sorted, costPerInteraction: cpi, targetMargin: Fraction(parts: 700_000_000))
        #expect(flat.revenue == .dollars(120))
        #expect(flat.cost == cpi * sorted.reduce(0, +))
        #expect(flat.grossMargin == 1 - flat.cost.ratio(to: .dollars(120)))
        // Underwater: cost > $20 ⇔ more than 1000 interactions: only the 5000-user.
        #expect(flat.underwaterShare == 1.0 / 6)
        #expect(flat.breakEvenInteractions == 1000)
        // p99 by nearest rank of 6 users is the last: 5000 × $0.02 = $100 against $20.
        #expect(flat.marginP99 == 1 - 100.0 / 20)
        #expect(flat.recommendation.kind == .cap)
        // The largest cap with cap × 0.02 ≤ 20 × 0.3 = $6 is 300.
        #expect(flat.recommendation.value == 300)

        let capped = PlanEvaluation(plan: Plan(name: "Capped", kind: .flat(price: .dollars(20)), capInteractions: 300), sorted: sorted, costPerInteraction: cpi, targetMargin: Fraction(parts: 700_000_000))
        #expect(capped.served == 10 + 100 + 200 + 300 * 3)
        #expect(capped.underwaterShare == 0)
        #expect(capped.marginP99 == 0.7)
        #expect(capped.recommendation.kind == .none)

        let usage = PlanEvaluation(
            plan: Plan(name: "Metered", kind: .usage(base: .dollars(10), included: 300, overagePerInteraction: .cents(1))), sorted: sorted,
            costPerInteraction: cpi, targetMargin: Fraction(parts: 700_000_000)
        )
        #expect(usage.revenue == .dollars(60) + .cents(1) * (700 + 4700))
        #expect(usage.recommendation.kind == .overagePrice)
        // The p99 user (5000) must pay 5000 × 0.02 / 0.3 = $333.33…; base $10 → overage ≥ 323.33…/4700 = 0.06879… → $0.0688.
        #expect(usage.recommendation.amount == (try! Money(exactly: "0.0688")))
        let fixed = Plan(name: "M", kind: .usage(base: .dollars(10), included: 300, overagePerInteraction: usage.recommendation.amount!))
        let margin = PlanEvaluation.margin(revenue: fixed.revenue(interactions: 5000), cost: cpi * 5000)!
        #expect(margin >= 0.7)

        let credits = PlanEvaluation(plan: Plan(name: "Credits", kind: .credits(packPrice: .dollars(5), packInteractions: 500)), sorted: sorted, costPerInteraction: cpi, targetMargin: Fraction(parts: 700_000_000))
        #expect(credits.revenue == .dollars(5) * (1 + 1 + 1 + 1 + 2 + 10))
        #expect(credits.recommendation.kind == .packPrice)
        #expect(credits.recommendation.amount == (try! Money(exactly: "33.34")))   // 500 × 0.02 / 0.3 = 33.333… → 33.34
    }

    @Test func recommendedCapKeepsTheP99UserAtTarget() async throws {
        let s = try scenario(String(contentsOf: repositoryRoot.appendingPathComponent("Examples/support-copilot.yaml"), encoding: .utf8))
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        let capped = try #require(result.plans.first { $0.plan.name == "Pro" })
        let cap = try #require(capped.recommendation.value)
        let cpi = result.costPerInteraction
        let target = s.targetMargin.doubleValue
        #expect(PlanEvaluation.margin(revenue: .dollars(30), cost: cpi * cap)! >= target)
        #expect(PlanEvaluation.margin(revenue: .dollars(30), cost: cpi * (cap + 1))! < target)
    }

    @Test func leversAreRankedAndExact() async throws {
        let s = try scenario(String(contentsOf: repositoryRoot.appendingPathComponent("Examples/support-copilot.yaml"), encoding: .utf8))
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        #expect(!result.levers.isEmpty)
        #expect(result.levers.map(\.monthlySaving) == result.levers.map(\.monthlySaving).sorted(by: >))
        let kinds = Set(result.levers.map(\.kind))
        #expect(kinds.isSuperset(of: [.model, .context, .calls, .providerCache, .resultCache, .batch]))
        let served = try #require(result.plans.first).served
        for lever in result.levers {
            #expect(lever.monthlySaving == (result.costPerInteraction - lever.costPerInteraction) * served)
            #expect(lever.change.contains("→"))
            #expect(try InteractionPricing(lever.scenario).costPerInteraction == lever.costPerInteraction)
        }
        let cache = try #require(result.levers.first { $0.kind == .resultCache })
        #expect(cache.change == "result_cache_hit_rate: 0.1 → 0.2")
        // Without a list, `model` swaps keep quality across providers (QualityTests checks the rule);
        // `model_cheapest` stays within the provider whatever the rating.
        for lever in result.levers where lever.kind == .model { #expect(lever.quality?.to.rating != nil) }
        for lever in result.levers where lever.kind == .modelCheapest {
            for kind in lever.scenario.interactions {
                for call in kind.calls { #expect(call.model.provider == "openai") }
            }
        }
    }

    /// The mapping form's `what_ifs` run beside the automatic levers and are reported even when they cost more.
    @Test func whatIfsRunBesideTheAutomaticLevers() async throws {
        let s = try scenario("""
            users: {active: 100, interactions_per_month: {mean: 10}}
            interactions:
              - calls: [{model: gpt-4o, input: 2000, output: 500}]
            result_cache_hit_rate: 0.2
            levers: {what_ifs: [{lever: result_cache, hit_rate: 0.05}, {lever: model, call: "interactions[0].calls[0]", to: gpt-4.1}]}
            """)
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        let lower = try #require(result.levers.first { $0.change == "result_cache_hit_rate: 0.2 → 0.05" })
        #expect(lower.monthlySaving < .zero)
        #expect(result.levers.contains { $0.change == "result_cache_hit_rate: 0.2 → 0.3" })   // the automatic one too
        let swap = try #require(result.levers.first { $0.change == "interactions[0].calls[0].model: gpt-4o → gpt-4.1" })
        #expect(swap.quality?.from.rating?.name == "gpt-4o-2024-08-06")
        #expect(swap.quality?.to.rating?.name == "gpt-4.1-2025-04-14")
    }

    @Test func leverCandidatesComeFromTheList() async throws {
        let s = try scenario("""
            users: {active: 100, interactions_per_month: {mean: 10}}
            interactions:
              - calls: [{model: gpt-4o, input: 2000, output: 500}]
            plans: [{name: Pro, kind: flat, price: 30}]
            levers: {models: [claude-haiku-4-5, gpt-4o-mini]}
            """)
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        let swap = try #require(result.levers.first { $0.kind == .model })
        #expect(swap.change == "interactions[0].calls[0].model: gpt-4o → gpt-4o-mini")
    }

    @Test func explicitLeverListIsReportedWhole() async throws {
        let s = try scenario("""
            users: {active: 100, interactions_per_month: {mean: 10}}
            interactions:
              - calls:
                  - {model: gpt-4o, input: {system: 1000, retrieval: {chunks: 6, tokens_per_chunk: 500}}, output: 500, repeat: 4, context_growth: 300}
            result_cache_hit_rate: 0.1
            plans: [{name: Pro, kind: flat, price: 30}]
            levers:
              - {lever: model, call: "interactions[0].calls[0]", to: gpt-4.1}
              - {lever: context, call: "interactions[0].calls[0]", chunks: 2, context_growth: 100}
              - {lever: calls, call: "interactions[0].calls[0]", repeat: 2}
              - {lever: provider_cache, call: "interactions[0].calls[0]", cached_input: 0.5}
              - {lever: result_cache, hit_rate: 0.3}
              - {lever: batch, call: "interactions[0].calls[0]"}
            """)
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        #expect(result.levers.count == 6)
        #expect(Set(result.levers.map(\.kind)) == Set(Lever.Kind.allCases).subtracting([.modelCheapest]))
        let served = 100 * 10
        for lever in result.levers {
            #expect(lever.monthlySaving == (result.costPerInteraction - lever.costPerInteraction) * served)
        }
        let context = try #require(result.levers.first { $0.kind == .context })
        #expect(context.change == "interactions[0].calls[0].input.retrieval.chunks: 6 → 2; interactions[0].calls[0].context_growth: 300 → 100")
        let cache = try #require(result.levers.first { $0.kind == .resultCache })
        // Hit rate 0.1 → 0.3 leaves 0.7/0.9 of the cost, exactly up to rounding at 10⁻²¹ USD.
        #expect(abs(cache.costPerInteraction.ratio(to: result.costPerInteraction) - 7.0 / 9) < 1e-12)
        let batch = try #require(result.levers.first { $0.kind == .batch })
        #expect(batch.costPerInteraction == Money(units: result.costPerInteraction.units / 2))
    }

    @Test func explicitLeverMustNameAnExistingCall() {
        #expect {
            _ = try scenario("""
                users: {active: 100, interactions_per_month: {mean: 10}}
                interactions:
                  - calls: [{model: gpt-4o, input: 100, output: 10}]
                levers:
                  - {lever: batch, call: "interactions[3].calls[0]"}
                """, file: "levers.yaml")
        } throws: { error in
            (error as? ModelingError)?.description.hasPrefix("levers.yaml:5: field 'levers[0].call': no call 'interactions[3].calls[0]'") == true
        }
    }

    @Test func projectionGrowsUsersAndLowersPrices() async throws {
        let s = try scenario(String(contentsOf: repositoryRoot.appendingPathComponent("Examples/textbook.yaml"), encoding: .utf8))
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        #expect(result.projection.count == 12)
        let first = try #require(result.projection.first)
        #expect(first.users == 1000)
        #expect(first.priceFactor == 1)
        #expect(first.cost == .dollars(2000))
        #expect(first.revenue == .dollars(30_000))
        let last = try #require(result.projection.last)
        #expect(last.users == Int((1000 * pow(1.05, 11)).rounded()))
        #expect(abs(last.priceFactor - pow(0.5, 11.0 / 12)) < 1e-12)
        #expect(abs(Projection.priceFactor(annualDecline: 0.5, month: 13) - 0.5) < 1e-12)
        // Fixed usage: cost is users × $2 × the price factor.
        #expect(abs(last.cost.doubleValue - Double(last.users) * 2 * last.priceFactor) < 0.01)
    }

    @Test func verdictThresholds() {
        #expect(Verdict.kind(costShare: 0.049, p90Underwater: false) == .negligible)
        #expect(Verdict.kind(costShare: 0.05, p90Underwater: false) == .matters)
        #expect(Verdict.kind(costShare: 0.30, p90Underwater: false) == .matters)
        #expect(Verdict.kind(costShare: 0.301, p90Underwater: false) == .dominates)
        #expect(Verdict.kind(costShare: 0.01, p90Underwater: true) == .dominates)
        #expect(Verdict.kind(costShare: nil, p90Underwater: false) == .noRevenue)
    }
}
