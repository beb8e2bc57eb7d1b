import Foundation
import Pricing
import Testing
import TokenomicsCore

@testable import CostModel

struct CostCalculatorTests {
    static let calculator = CostCalculator(catalog: try! CatalogLoader.bundled())

    @Test func textbookCallCostsOneCent() throws {
        let cost = try Self.calculator.cost(model: "gpt-4o", usage: Usage(input: 2000, output: 500))
        #expect(cost.total.exactString == "0.01")
        #expect(cost.items.map(\.tokenClass) == [.input, .output])
        #expect(cost.items.map(\.cost.exactString) == ["0.005", "0.005"])
    }

    @Test func cachedTokensAreBilledOnceAtTheCacheRate() throws {
        let cost = try Self.calculator.cost(model: "claude-sonnet-4-5", usage: Usage(input: 50_000, output: 800, cachedInput: 40_000, cacheWrite: 5_000))
        // 5,000 × $3/M + 40,000 × $0.30/M + 5,000 × $3.75/M + 800 × $15/M
        #expect(cost.total.exactString == "0.05775")
        #expect(cost.items.first { $0.tokenClass == .input }?.tokens == 5_000)
        #expect(cost.promptCacheSaving.exactString == "0.10425")
    }

    @Test func longPromptBillsTheWholeRequestAtLongContextRates() throws {
        let short = try Self.calculator.cost(model: "gemini-2.5-pro", usage: Usage(input: 200_000, output: 1000))
        let long = try Self.calculator.cost(model: "gemini-2.5-pro", usage: Usage(input: 200_001, output: 1000))
        #expect(short.contextThreshold == 0)
        #expect(long.contextThreshold == 200_000)
        #expect(short.total.exactString == "0.26")
        #expect(long.total.exactString == "0.5150025")
    }

    @Test func tiersUseTheirRatesAndFallBackToStandard() throws {
        let batch = try Self.calculator.cost(model: "gpt-4o", usage: Usage(input: 2000, output: 500), tier: .batch)
        #expect(batch.total.exactString == "0.005")
        // gpt-4o has no flex rates: standard.
        let flex = try Self.calculator.cost(model: "gpt-4o", usage: Usage(input: 2000, output: 500), tier: .flex)
        #expect(flex.total.exactString == "0.01")
        #expect(flex.items.allSatisfy { $0.rateSource.tier == .standard })
    }

    @Test(arguments: [
        (Usage(input: 10, cachedInput: 11), "cached input (11)"),
        (Usage(input: 10, cachedInput: 5, cacheWrite: 6), "exceed input (10)"),
        (Usage(input: 10, output: 5, reasoning: 6), "reasoning (6) exceeds output (5)"),
        (Usage(input: -1), "input tokens cannot be negative"),
        (Usage(input: 1, output: -3), "output tokens cannot be negative"),
    ])
    func inconsistentUsageSaysWhich(usage: Usage, fragment: String) {
        do {
            _ = try Self.calculator.cost(model: "gpt-4o", usage: usage)
            Issue.record("expected an error")
        } catch {
            guard case .inconsistentUsage(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains(fragment), "\(why)")
            #expect(error.isBadInput)
        }
    }

    @Test func unknownModelIsAPricingError() {
        #expect(throws: CostError.self) { try Self.calculator.cost(model: "no-such-model", usage: Usage(input: 1)) }
    }

    @Test func interactionSumsItsCalls() throws {
        let a = try Self.calculator.cost(model: "gpt-4o", usage: Usage(input: 2000, output: 500))
        let b = try Self.calculator.cost(model: "gpt-4o-mini", usage: Usage(input: 2000, output: 500))
        let interaction = InteractionCost(calls: [a, b, b])
        #expect(interaction.total == a.total + b.total + b.total)
        #expect(interaction.usage.input == 6000)
        #expect(interaction.byModel.first?.model == "gpt-4o")
    }

    // MARK: Golden cases from LiteLLM's own cost function

    struct GoldenFile: Decodable {
        struct Case: Decodable {
            struct Counts: Decodable {
                var input: Int
                var output: Int
                var cached_input: Int
                var cache_write: Int
                var reasoning: Int
            }
            var model: String
            var tier: String
            var usage: Counts
            var litellm_usd: String
            var expected_usd: String?
            var note: String?
        }
        var cases: [Case]
    }

    static func goldenCases() throws -> [GoldenFile.Case] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/litellm-golden", withExtension: "json"))
        return try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url)).cases
    }

    @Test func goldenCasesMatchLiteLLMOrTheDocumentedProviderRule() throws {
        let cases = try Self.goldenCases()
        #expect(cases.count >= 300)
        var agreed = 0
        for golden in cases {
            let usage = Usage(
                input: golden.usage.input, output: golden.usage.output, cachedInput: golden.usage.cached_input,
                cacheWrite: golden.usage.cache_write, reasoning: golden.usage.reasoning
            )
            let tier = try #require(ServiceTier(rawValue: golden.tier))
            let cost = try Self.calculator.cost(model: golden.model, usage: usage, tier: tier)
            if let expected = golden.expected_usd {
                #expect(cost.total == (try Money(exactly: expected)), "\(golden.model) \(golden.tier): \(golden.note ?? "")")
                #expect(golden.note != nil && golden.note != "UNEXPLAINED")
            } else {
                // LiteLLM computes in Double; ours is exact. They agree to 1e-9 relative.
                let theirs = try Money(exactly: golden.litellm_usd, rounding: .halfEven)
                let difference = (cost.total - theirs).units.magnitude
                let tolerance = max(cost.total.units.magnitude / 1_000_000_000, 1_000_000)
                #expect(difference <= tolerance, "\(golden.model) \(golden.tier) \(usage): ours \(cost.total.exactString), LiteLLM \(golden.litellm_usd)")
                agreed += 1
            }
        }
        #expect(agreed >= 300)
    }
}
