import Foundation
import Modeling
import Pricing
import Testing

struct ScenarioReadingTests {
    static let valid = """
        name: Support copilot
        users:
          active: 5000
          interactions_per_month: {distribution: lognormal, median: 120, p95: 900}
        interactions:
          - name: answer
            share: 0.8
            calls:
              - model: gpt-4o-mini
                input: {system: 800, retrieval: {chunks: 5, tokens_per_chunk: 300}, history: {turns: 4, tokens_per_turn: 150}, user: 120}
                output: 500
                cached_input: 0.6
          - name: agent task
            share: 0.2
            calls:
              - {model: gpt-4o, input: 3000, output: 400, repeat: 15, context_growth: 400}
        result_cache_hit_rate: 0.10
        plans:
          - {name: Pro, kind: flat, price: 30}
          - {name: Metered, kind: usage, base: 10, included_interactions: 300, overage_per_interaction: 0.04}
          - {name: Capped, kind: flat, price: 20, cap_interactions: 600}
        projection: {months: 24, annual_price_decline: 0.5, user_growth_monthly: 0.08}
        levers: auto
        """

    @Test func readsTheDesignExample() throws {
        let s = try scenario(Self.valid)
        #expect(s.name == "Support copilot")
        #expect(s.users.active == 5000)
        #expect(abs(s.users.population.quantile(0.5) - 120) < 1e-9)
        #expect(abs(s.users.population.quantile(0.95) - 900) < 1e-6)
        #expect(s.interactions.map(\.share) == [Fraction(exactly: "0.8")!, Fraction(exactly: "0.2")!])
        #expect(s.interactions[1].calls[0].repeatCount == 15)
        #expect(s.interactions[1].calls[0].contextGrowth == 400)
        #expect(s.interactions[0].calls[0].cachedInput == Fraction(exactly: "0.6")!)
        #expect(s.resultCacheHitRate == Fraction(exactly: "0.1")!)
        #expect(s.plans.map(\.name) == ["Pro", "Metered", "Capped"])
        #expect(s.plans[2].capInteractions == 600)
        #expect(s.projection == Scenario.ProjectionSettings(months: 24, annualPriceDecline: 0.5, userGrowthMonthly: 0.08))
        #expect(s.targetMargin == Fraction(exactly: "0.7")!)
    }

    @Test func defaults() throws {
        let s = try scenario("""
            users: {active: 3, interactions_per_month: {mean: 10}}
            interactions:
              - calls: [{model: gpt-4o, input: 100, output: 10}]
            """)
        #expect(s.name == "Scenario")
        #expect(s.users.population == .fixed(10))
        #expect(s.interactions[0].share == .one)
        #expect(s.resultCacheHitRate == .zero)
        #expect(s.plans.isEmpty)
        #expect(s.projection == Scenario.ProjectionSettings())
        #expect(s.projection.annualPriceDecline == 0.5)
        guard case .auto(let candidates) = s.levers else { Issue.record("levers default to auto"); return }
        #expect(candidates.isEmpty)
    }

    /// Malformed scenarios: each fails naming the file, the line and the field.
    @Test(arguments: [
        ("users: {active: 3, interactions_per_month: {mean: 10}\ninteractions: [", "bad.yaml:", "invalid YAML"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\nfavourite_colour: blue\n", "bad.yaml:4: field 'favourite_colour'", "unknown field"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: 100, outptu: 10}\n", "bad.yaml:4: field 'interactions[0].calls[0].output'", "missing"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-9000, input: 100, output: 10}\n", "bad.yaml:4: field 'interactions[0].calls[0].model'", "unknown model 'gpt-9000'"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - {share: 0.5, calls: [{model: gpt-4o, input: 100, output: 10}]}\n  - {share: 0.4, calls: [{model: gpt-4o, input: 100, output: 10}]}\n", "bad.yaml:3: field 'interactions'", "add up to 0.9"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: -100, output: 10}\n", "bad.yaml:4: field 'interactions[0].calls[0].input'", "negative"),
        ("users: {active: 3, interactions_per_month: {mean: -10}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\n", "bad.yaml:1: field 'users.interactions_per_month.mean'", "negative"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: 100, output: 10, cached_input: 1.5}\n", "bad.yaml:4: field 'interactions[0].calls[0].cached_input'", "between 0 and 1"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: {file: no-such-prompt.txt}, output: 10}\n", "bad.yaml:4: field 'interactions[0].calls[0].input.file'", "cannot read"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: 100, output: 10, repeat: many}\n", "bad.yaml:4: field 'interactions[0].calls[0].repeat'", "whole number"),
        ("users: {active: 3, interactions_per_month: {distribution: pareto, shape: 0.9, mean: 10}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\n", "bad.yaml:1: field 'users.interactions_per_month.shape'", "infinite"),
        ("users: {active: 3, interactions_per_month: {distribution: lognormal, median: 100, p95: 50}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\n", "bad.yaml:1: field 'users.interactions_per_month.p95'", "above the median"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: 100000, output: 10, repeat: 10, context_growth: 5000}\n", "bad.yaml:4: field 'interactions[0].calls[0].context_growth'", "context window"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\nplans:\n  - {name: Pro, kind: flat, price: -5}\n", "bad.yaml:5: field 'plans[0].price'", "negative"),
        ("users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\nprojection: {months: 12, growth: 0.1}\n", "bad.yaml:4: field 'projection.growth'", "unknown field"),
        ("users: {active: 3, interactions_per_month: {distribution: empirical, bins: [{min: 0, max: 10, share: 0.5}, {min: 10, max: 20, share: 0.4}]}}\ninteractions:\n  - calls: [{model: gpt-4o, input: 100, output: 10}]\n", "bad.yaml:1: field 'users.interactions_per_month.bins'", "add up to 0.9"),
    ])
    func malformedScenariosNameTheLineAndField(yaml: String, location: String, reason: String) {
        do {
            _ = try Scenario.read(text: yaml, file: "bad.yaml", catalog: catalog)
            Issue.record("expected an error for:\n\(yaml)")
        } catch {
            #expect(error.description.hasPrefix(location), "\(error.description)")
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(error.isBadInput)
        }
    }

    @Test func paretoFromTopShare() throws {
        let s = try scenario("""
            users: {active: 3, interactions_per_month: {distribution: pareto, top_share: {users: 0.05, calls: 0.5}, mean: 200}}
            interactions:
              - calls: [{model: gpt-4o, input: 100, output: 10}]
            """)
        guard case .pareto(let scale, let shape) = s.users.population else { Issue.record("expected a Pareto"); return }
        #expect(abs(s.users.population.topShare(0.05) - 0.5) < 1e-12)
        #expect(abs(s.users.population.mean - 200) < 1e-9)
        #expect(abs(shape - 1 / (1 - log(0.5) / log(0.05))) < 1e-12)
        #expect(scale > 0)
    }

    /// The shape `tokenomics analyze --fit-scenario` writes: rounded shares, `histogram:` bins.
    @Test func readsAFittedScenario() throws {
        let s = try scenario("""
            # Fitted by `tokenomics analyze --fit-scenario` from 1000 events, 40 user-months.
            name: "fitted"
            users:
              active: 20
              interactions_per_month: {distribution: empirical, histogram: [{min: 1, max: 4, share: 0.3333}, {min: 5, max: 9, share: 0.3333}, {min: 10, max: 80, share: 0.3333}]}
            interactions:
              - name: "answer / gpt-4o-mini"
                share: 0.3333
                calls:
                  - {model: "gpt-4o-mini", input: 1200, output: 300, cached_input: 1.234e-07}
              - name: "answer / gpt-4o"
                share: 0.3333
                calls:
                  - {model: "gpt-4o", input: 1200, output: 300, cached_input: 0.5, repeat: 2}
              - name: "summary / gpt-4o"
                share: 0.3333
                calls:
                  - {model: "gpt-4o", input: 5000, output: 200, cached_input: 0}
            result_cache_hit_rate: 0.01234
            """)
        #expect(s.interactions.reduce(Fraction.zero) { $0 + $1.share } == .one)
        // 1.234e-7 is 123.4 billionths: kept to nine decimal places, 123.
        #expect(s.interactions[0].calls[0].cachedInput == Fraction(parts: 123))
        guard case .empirical(let bins) = s.users.population else { Issue.record("empirical expected"); return }
        #expect(bins.count == 3)
        #expect(abs(bins.reduce(0) { $0 + $1.share } - 1) < 1e-12)
    }

    @Test func readsAFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString).yaml")
        try Self.valid.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(try Scenario.readFile(url.path, catalog: catalog).name == "Support copilot")
        #expect(throws: ModelingError.self) { try Scenario.readFile(url.path + ".missing", catalog: catalog) }
    }
}
