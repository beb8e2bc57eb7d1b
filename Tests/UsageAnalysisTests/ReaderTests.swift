import CostModel
import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore
@testable import UsageAnalysis

/// A fixture file's path, found from this source file.
func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name).path
}

func analyzeFixture(_ name: String, format: InputFormat = .auto) async throws -> AnalysisResult {
    try await UsageAnalyzer(catalog: bundledCatalog, options: AnalysisOptions(inputFormat: format)).analyze([fixture(name)])
}

func cost(_ model: String, _ usage: Usage, tier: ServiceTier = .standard) throws -> Money {
    try CostCalculator(catalog: bundledCatalog).cost(model: model, usage: usage, tier: tier).total
}

struct ReaderTests {
    /// A path that is not a readable file is refused before the analysis starts, with the
    /// system's reason (a directory used to fail mid-read as an I/O error).
    @Test func unreadableInputsAreRefusedUpFront() async {
        for (path, reason) in [("/no/such/usage.jsonl", "No such file or directory"), (FileManager.default.temporaryDirectory.path, "Is a directory")] {
            do {
                _ = try await UsageAnalyzer(catalog: bundledCatalog).analyze([path])
                Issue.record("\(path) was analysed")
            } catch {
                guard case .cannotOpen(let file, let why) = error else { Issue.record("\(path): \(error)"); continue }
                #expect(file == path && why == reason)
            }
        }
    }

    @Test("OpenAI usage export CSV: rows become events, batch rows use batch rates, a bad row is reported", arguments: [InputFormat.auto, .openaiCSV])
    func openAICSV(format: InputFormat) async throws {
        let r = try await analyzeFixture("openai-usage.csv", format: format)
        #expect(r.events == 3)
        #expect(r.badLineCount == 1)
        #expect(r.badLines.first?.line == 5)
        #expect(r.badLines.first?.reason.contains("input_tokens") == true)
        #expect(r.users == 2)
        #expect(r.totals.tokens.input == 1_620_000)
        #expect(r.totals.tokens.cachedInput == 64_000)
        let expected = try cost("gpt-4o-2024-08-06", Usage(input: 120_000, output: 30_000, cachedInput: 64_000))
            + cost("gpt-4o-mini-2024-07-18", Usage(input: 500_000, output: 80_000))
            + cost("gpt-4o-mini-2024-07-18", Usage(input: 1_000_000, output: 200_000), tier: .batch)
        #expect(r.totals.cost == expected)
        #expect(r.byFeature.map(\.name).sorted() == ["Batch jobs", "Support bot"])
    }

    @Test("LiteLLM SpendLogs as JSON lines and as CSV: spend kept exactly, compared with the catalog", arguments: ["litellm-spendlogs.jsonl", "litellm-spendlogs.csv"])
    func liteLLM(file: String) async throws {
        let r = try await analyzeFixture(file)
        #expect(r.events == 4)
        #expect(r.badLineCount == (file.hasSuffix(".jsonl") ? 1 : 0))
        if file.hasSuffix(".jsonl") { #expect(r.badLines.first?.line == 4) }
        #expect(r.users == 2)
        #expect(Set(r.topUsers.map(\.user)) == ["cust-7", "cust-9"])
        #expect(r.billedEvents == 4)
        #expect(r.totals.cost == (try Money(exactly: "0.01327")))
        #expect(r.duplicates.duplicates == 1)
        #expect(r.unpricedModels.isEmpty)
        let mini = try #require(r.byModel.first { $0.group.name == "gpt-4o-mini" })
        #expect(mini.billed == (try Money(exactly: "0.00275")))
        #expect(mini.catalogForBilled == (try cost("gpt-4o-mini", Usage(input: 1000, output: 500))) * 2)
        let sonnet = try #require(r.byModel.first { $0.group.name == "claude-sonnet-4-5" })
        #expect(sonnet.group.tokens.cachedInput == 2000)
        let embedder = try #require(r.byModel.first { $0.group.name == "in-house-embedder" })
        #expect(embedder.billedWithoutCatalog == 1)
        #expect(r.byFeature.contains { $0.name == "support" && $0.events == 2 })
    }

    @Test("OTLP JSON GenAI spans, pretty-printed or one export per line; Anthropic cache tokens added to input", arguments: ["otel-genai.json", "otel-genai.jsonl"])
    func otel(file: String) async throws {
        let r = try await analyzeFixture(file)
        #expect(r.events == 2)
        #expect(r.badLineCount == (file.hasSuffix(".jsonl") ? 1 : 0))
        if file.hasSuffix(".jsonl") { #expect(r.badLines.first?.line == 2) }
        #expect(Set(r.topUsers.map(\.user)) == ["alice", "bob"])
        let expected = try cost("gpt-4o-2024-08-06", Usage(input: 2000, output: 400))
            + cost("claude-sonnet-4-5", Usage(input: 6100, output: 300, cachedInput: 5000, cacheWrite: 1000))
        #expect(r.totals.cost == expected)
        #expect(Set(r.byFeature.map(\.name)) == ["support-copilot", "agent"])
        #expect(r.firstTimestamp == 1_740_000_000)
    }

    @Test("gzip input streams through gzip and gives the same result as the plain file")
    func gzip() async throws {
        let plain = UsageGenerator(options: .init(users: 20, events: 500, seed: 2)).text()
        let file = TemporaryFile(plain)
        let a = try await UsageAnalyzer(catalog: bundledCatalog).analyze([file.path])
        let b = try await UsageAnalyzer(catalog: bundledCatalog).analyze([fixture("usage-sample.jsonl.gz")])
        #expect(b.events == 500)
        #expect(a.totals.cost == b.totals.cost)
        #expect(a.perUserMonthly == b.perUserMonthly)
        #expect(a.duplicates == b.duplicates)
    }

    @Test("Several files are one log; an unreadable file is an error that names it")
    func severalFiles() async throws {
        let r = try await UsageAnalyzer(catalog: bundledCatalog).analyze([fixture("otel-genai.json"), fixture("litellm-spendlogs.jsonl")])
        #expect(r.events == 6)
        #expect(r.badLines.first?.file.hasSuffix("litellm-spendlogs.jsonl") == true)
        await #expect(throws: AnalysisError.self) { try await UsageAnalyzer(catalog: bundledCatalog).analyze(["/nonexistent/usage.jsonl"]) }
    }

    @Test("Text that is no known format is rejected by the sniffer")
    func unknownFormat() async throws {
        let file = TemporaryFile("alpha,beta\n1,2\n", suffix: ".csv")
        await #expect(throws: AnalysisError.unknownFormat(file: file.path)) { try await UsageAnalyzer(catalog: bundledCatalog).analyze([file.path]) }
    }
}

struct InsightTests {
    @Test("Plans: revenue, margin and underwater users worst first, against a direct computation")
    func plans() async throws {
        let text = UsageGenerator(options: .init(users: 40, events: 3000, seed: 21)).text()
        let file = TemporaryFile(text)
        let r = try await UsageAnalyzer(catalog: bundledCatalog).analyze([file.path])
        let plans = try Plan.readFile(text: "plans:\n  - {name: Pro, kind: flat, price: 2}\n  - {name: Metered, kind: usage, base: 1, included_interactions: 10, overage_per_interaction: 0.05}\n", file: "plans.yaml")
        let insights = Insights(result: r, catalog: bundledCatalog, plans: plans)
        let pro = try #require(insights.plans.first)
        let months = r.userMonths
        #expect(pro.revenue == Money.dollars(2) * months.count)
        #expect(pro.cost == Money.sum(months.map(\.cost)))
        var perUser: [String: Money] = [:]
        for m in months { perUser[m.user, default: .zero] += m.cost - .dollars(2) }
        let underwater = perUser.filter { $0.value > .zero }
        #expect(pro.underwaterUsers == underwater.count)
        #expect(pro.worst.first.map { $0.cost - $0.revenue } == underwater.values.max())
        #expect(pro.worst.map(\.margin) == pro.worst.map(\.margin).sorted())
        let metered = insights.plans[1]
        #expect(metered.revenue == Money.sum(months.map { plans[1].revenue(interactions: $0.interactions) }))
    }

    @Test("Levers: a cheaper model that fits, long uncached prompts, many calls per interaction")
    func levers() async throws {
        var a = UsageAggregator(catalog: bundledCatalog)
        for index in 0..<50 {
            a.add(UsageEvent(timestamp: 1_735_689_600 + Int64(index), user: "u\(index % 5)", feature: "agent", model: "gpt-4o",
                             usage: Usage(input: 8000, output: 300), interactionID: "i\(index / 10)"))
        }
        let insights = Insights(result: a.result(), catalog: bundledCatalog, plans: [])
        let cheaper = try #require(insights.levers.first { $0.kind == .cheaperModel })
        let alternative = try bundledCatalog.model(named: try #require(cheaper.alternative))
        #expect(alternative.mode == "chat")
        #expect((alternative.maxInputTokens ?? 0) >= 8000)
        // The modeller's quality rule: any provider, at most 20 Arena points below gpt-4o (general).
        let quality = try #require(cheaper.quality)
        let from = try #require(quality.from.rating), to = try #require(quality.to.rating)
        #expect(from.name == "gpt-4o-2024-08-06" && to.value >= from.value - 20)
        #expect(cheaper.detail.contains("rated \(Int(to.value.rounded())) against \(Int(from.value.rounded()))"))
        #expect(try cost(alternative.name, Usage(input: 400_000, output: 15_000)) + cheaper.saving! == (try cost("gpt-4o", Usage(input: 400_000, output: 15_000))))
        #expect(insights.levers.contains { $0.kind == .promptCaching && $0.feature == "agent" })
        #expect(insights.levers.contains { $0.kind == .callsPerInteraction && $0.feature == "agent" })
    }

    @Test("Scenario fit: a lognormal sample is fitted as lognormal, a Pareto one as Pareto, a two-point one as empirical")
    func fits() {
        var rng = SplitMix(seed: 3)
        let lognormal = (0..<20_000).map { _ in 100 * exp(0.7 * rng.normal()) }
        let fitL = ScenarioFit(values: lognormal)
        #expect(fitL.choice == .lognormal)
        #expect(abs(exp(fitL.lognormalMu) - 100) < 3)
        let pareto = (0..<20_000).map { _ in 100 * pow(1 - rng.unit(), -1 / 3.0) }
        let fitP = ScenarioFit(values: pareto)
        #expect(fitP.choice == .pareto)
        #expect(abs(fitP.paretoAlpha - 3) < 0.15)
        let twoPoint = (0..<1000).map { $0 % 2 == 0 ? 1 : 1000 }
        let fitE = ScenarioFit(interactions: twoPoint)
        #expect(fitE.choice == .empirical)
        #expect(fitE.distributionYAML.hasPrefix("{distribution: empirical, histogram: ["))
        // Its closed forms give the sample back: the mean exactly (the tail carries what the body misses).
        #expect(abs(fitE.population.mean / fitE.target.mean - 1) < 1e-9)
    }

    /// A heavy tail (Pareto shape 1.2, infinite variance) that neither fit takes: the histogram's
    /// top bin is a Pareto tail whose shape makes the mean the sample's, and the p90 and top-10%
    /// share follow; a uniform top bin would put the tail's mean halfway to the largest user.
    @Test func heavyTailIsFittedWithAParetoTopBin() throws {
        var rng = SplitMix(seed: 5)
        let values = (0..<5000).map { _ in rng.unit() < 0.3 ? 1 + 4 * rng.unit() : 20 * pow(1 - rng.unit(), -1 / 1.2) }
        let fit = ScenarioFit(values: values)
        #expect(fit.choice == .empirical)
        let top = try #require(fit.histogram.last)
        #expect(top.shape != nil)
        #expect(abs(fit.population.mean / fit.target.mean - 1) < 0.001)
        #expect(abs(fit.population.quantile(0.9) / fit.target.p90 - 1) < 0.01)
        #expect(abs(fit.population.topShare(0.1) - fit.target.top10) < 0.01)
        var uniform = fit.histogram
        uniform[uniform.count - 1].shape = nil
        #expect(Population.empirical(uniform).mean > fit.target.mean * 1.2, "a uniform top bin overshoots the mean")
    }
}
