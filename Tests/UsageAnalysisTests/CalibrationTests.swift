import CostModel
import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore
@testable import UsageAnalysis

/// The round trip: analyse a log, fit a scenario from it (`--fit-scenario`), model the scenario, and
/// get the log back: the mean monthly cost per user within 3%, the p90 within 10%, and the share of
/// the costliest 10% of user-months within 0.03 — on our JSON lines and on the other readers' formats.
struct CalibrationTests {
    /// A realistic generated log: heavy-tailed users, five features on six models, agent loops,
    /// prompt caching, 8% exact repeats, and 2% of events on a model the catalog does not know.
    static let log: String = UsageGenerator(options: .init(users: 1500, events: 40_000, seed: 21, unknownModelRate: 0.02)).text()

    struct Check: CustomStringConvertible {
        var format: String
        var fitted: FittedScenario
        var modelled: ScenarioResult
        var description: String {
            "\(format): log mean \(fitted.logMean.formatted()), p90 \(fitted.logP90.formatted()), top10 \(fitted.logTop10); "
                + "model mean \(modelled.users.mean.formatted()), p90 \(modelled.users.p90.formatted()), top10 \(modelled.users.top10); \(fitted.distribution.choice)"
        }
    }

    static func roundTrip(_ text: String, format: InputFormat, suffix: String, plans: [Plan] = []) async throws -> Check {
        let file = TemporaryFile(text, suffix: suffix)
        let result = try await UsageAnalyzer(catalog: bundledCatalog, options: AnalysisOptions(inputFormat: format)).analyze([file.path])
        let fitted = try FittedScenario(result: result, catalog: bundledCatalog, plans: plans, name: "round trip")
        // What `tokenomics model fitted.yaml` does: read the file, run the model.
        let scenario = try Scenario.read(text: fitted.yaml, file: "fitted.yaml", catalog: bundledCatalog)
        let modelled = try await ScenarioModel(catalog: bundledCatalog, today: "2026-01-01").run(scenario)
        return Check(format: format.rawValue, fitted: fitted, modelled: modelled)
    }

    static func expectTolerances(_ check: Check) {
        let mean = check.modelled.users.mean.ratio(to: check.fitted.logMean)
        let p90 = check.modelled.users.p90.ratio(to: check.fitted.logP90)
        #expect(abs(mean - 1) <= 0.03, "mean: \(check)")
        #expect(abs(p90 - 1) <= 0.10, "p90: \(check)")
        #expect(abs(check.modelled.users.top10 - check.fitted.logTop10) <= 0.03, "top 10%: \(check)")
    }

    @Test func jsonLines() async throws {
        let plans = [
            Plan(name: "Free", kind: .flat(price: .zero), capInteractions: 20),
            Plan(name: "Pro", kind: .flat(price: try Money(exactly: "19.99"))),
            Plan(name: "Metered", kind: .usage(base: .dollars(5), included: 100, overagePerInteraction: try Money(exactly: "0.02"))),
        ]
        let check = try await Self.roundTrip(Self.log, format: .jsonl, suffix: ".jsonl", plans: plans)
        Self.expectTolerances(check)
        let yaml = check.fitted.yaml
        // The log paid for its duplicates: today's hit rate is 0, the duplicate share a what-if.
        #expect(yaml.contains("result_cache_hit_rate: 0"))
        #expect(check.fitted.scenario.resultCacheHitRate == .zero)
        guard case .resultCache(let rate)? = check.fitted.scenario.whatIfs.first else {
            Issue.record("the duplicate share is a result-cache what-if: \(yaml)")
            return
        }
        #expect(rate > Fraction(parts: 40_000_000) && rate < Fraction(parts: 150_000_000), "\(rate)")
        let whatIf = try #require(check.modelled.levers.first { $0.change.hasPrefix("result_cache_hit_rate: 0 → \(rate)") })
        #expect(whatIf.monthlySaving > .zero)
        // The unknown model is left out with a note, and the scenario still loads.
        #expect(!yaml.contains("acme-llm-v2\", input"))
        #expect(check.fitted.notes.contains { $0.hasPrefix("acme-llm-v2 (") && $0.contains("left out") })
        #expect(yaml.contains("# Note: acme-llm-v2"))
        // --plans carried over, exactly.
        #expect(check.fitted.scenario.plans == plans)
        #expect(check.modelled.plans.map(\.plan.name) == ["Free", "Pro", "Metered"])
        // The heavy tail: the histogram's top bin is a Pareto tail, not a uniform bin.
        if check.fitted.distribution.choice == .empirical {
            #expect(check.fitted.distribution.histogram.last?.shape != nil, "\(yaml)")
        }
    }

    @Test func liteLLMSpendLogs() async throws {
        let check = try await Self.roundTrip(LogFormats.liteLLM(Self.log, catalog: bundledCatalog), format: .litellm, suffix: ".jsonl")
        Self.expectTolerances(check)
    }

    @Test func openTelemetrySpans() async throws {
        let check = try await Self.roundTrip(LogFormats.otel(Self.log), format: .otel, suffix: ".jsonl")
        Self.expectTolerances(check)
    }

    @Test func openAIUsageExport() async throws {
        let csv = LogFormats.openAICSV(Self.log)
        let check = try await Self.roundTrip(csv, format: .openaiCSV, suffix: ".csv")
        Self.expectTolerances(check)
        // Rows are daily sums: each call of the fitted mix is one request's mean, within the context window.
        for call in check.fitted.scenario.interactions.flatMap(\.calls) {
            #expect(call.input.total <= 20_000, "\(call.model.name): \(call.input.total) tokens a call")
        }
    }

    /// A log where nothing is priced cannot be fitted, and says why.
    @Test func nothingPriced() throws {
        var aggregator = UsageAggregator(catalog: bundledCatalog)
        aggregator.add(UsageEvent(timestamp: 1_735_689_600, user: "u1", model: "acme-llm-v2", usage: Usage(input: 100, output: 10)))
        #expect {
            try FittedScenario(result: aggregator.result(), catalog: bundledCatalog, name: "x")
        } throws: { error in
            (error as? AnalysisError)?.description.contains("no event in the log is on a model the catalog prices (acme-llm-v2)") == true
        }
    }

    /// Calls per interaction that are not whole are split into ⌊r⌋ and ⌈r⌉ calls, keeping the mean.
    @Test func fractionalCallsPerInteraction() throws {
        var aggregator = UsageAggregator(catalog: bundledCatalog)
        // 40 interactions: half of one call, half of two (1.5 calls on average).
        for i in 0..<40 {
            for c in 0..<(i % 2 + 1) {
                aggregator.add(UsageEvent(
                    timestamp: 1_735_689_600 + Int64(i * 10 + c), user: "u\(i % 4)", feature: "chat", model: "gpt-4o-mini",
                    usage: Usage(input: 1000, output: 100), interactionID: "i\(i)"))
            }
        }
        let fitted = try FittedScenario(result: aggregator.result(), catalog: bundledCatalog, name: "x")
        let kinds = fitted.scenario.interactions
        #expect(kinds.count == 2)
        let mean = kinds.reduce(0.0) { $0 + $1.share.doubleValue * Double($1.calls[0].repeatCount) }
        #expect(abs(mean - 1.5) < 0.05, "\(fitted.yaml)")
    }
}
