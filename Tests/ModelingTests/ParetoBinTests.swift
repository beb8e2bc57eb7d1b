import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore

/// Histogram bins with a Pareto shape (the fitted tail), the `simulate` field, and plans written back as YAML.
struct ParetoBinTests {
    /// The closed forms against numerical integration of the density α L^α x^(−α−1) / (1 − (L/H)^α).
    @Test(arguments: [(20.0, 5000.0, 1.3), (20.0, 5000.0, 1.0), (1.0, 40.0, 0.4), (37.0, 1709.0, 1.212), (10.0, 1e9, 2.5)])
    func closedFormsMatchTheDensity(lower: Double, upper: Double, alpha: Double) {
        let bin = Population.Bin(lower: lower, upper: upper, share: 1, shape: alpha)
        let norm = 1 - pow(lower / upper, alpha)
        func density(_ x: Double) -> Double { alpha * pow(lower, alpha) * pow(x, -alpha - 1) / norm }
        // ∫ x f(x) dx on a log grid (midpoint rule in log x).
        func integral(from a: Double, to b: Double) -> Double {
            let steps = 200_000
            let (la, lb) = (log(a), log(b))
            var sum = 0.0
            for i in 0..<steps {
                let x = exp(la + (Double(i) + 0.5) * (lb - la) / Double(steps))
                sum += x * density(x) * x * (lb - la) / Double(steps)
            }
            return sum
        }
        #expect(abs(bin.mean / integral(from: lower, to: upper) - 1) < 1e-6)
        let threshold = lower * 3
        #expect(abs(bin.partialMean(above: threshold) / integral(from: threshold, to: upper) - 1) < 1e-6)
        // The quantile inverts the CDF.
        for u in [0.1, 0.5, 0.9, 0.99] {
            let x = bin.quantile(u)
            #expect(abs((1 - pow(lower / x, alpha)) / norm - u) < 1e-9)
        }
        #expect(bin.quantile(0) == lower && abs(bin.quantile(1) / upper - 1) < 1e-9)
    }

    @Test func shapeForAMeanInvertsTheMean() throws {
        let shape = try #require(Population.Bin.paretoShape(lower: 37, upper: 1709, mean: 150))
        #expect(abs(Population.Bin(lower: 37, upper: 1709, share: 1, shape: shape).mean - 150) < 1e-6)
        // A mean at or above the log-uniform bin's, or below the lower edge, has no Pareto shape.
        #expect(Population.Bin.paretoShape(lower: 37, upper: 1709, mean: 1000) == nil)
        #expect(Population.Bin.paretoShape(lower: 37, upper: 1709, mean: 30) == nil)
    }

    @Test func unboundedTailIsAParetoTypeI() {
        let bin = Population.Bin(lower: 10, upper: .infinity, share: 1, shape: 3)
        #expect(abs(bin.mean - 15) < 1e-9)   // α L / (α − 1)
        #expect(abs(bin.quantile(0.9) - 10 * pow(0.1, -1.0 / 3)) < 1e-9)
    }

    @Test func binShapesAreRead() throws {
        let s = try scenario("""
            users:
              active: 10
              interactions_per_month:
                distribution: empirical
                histogram:
                  - {min: 1, max: 20, share: 0.9}
                  - {min: 20, max: 5000, share: 0.1, shape: 1.3}
            interactions: [{calls: [{model: gpt-4o, input: 10, output: 1}]}]
            simulate: 50000
            """)
        guard case .empirical(let bins) = s.users.population else { Issue.record("empirical expected"); return }
        #expect(bins.last?.shape == 1.3)
        #expect(s.simulatedUsers == 50000)
        for (bad, message) in [
            ("{min: 0, max: 50, share: 1, shape: 2}", "must be above 0 in a bin with a Pareto shape"),
            ("{min: 5, share: 1, shape: 0.8}", "an unbounded Pareto tail needs a shape above 1"),
            ("{min: 5, max: 50, share: 1, shape: -1}", "must be greater than 0"),
        ] {
            #expect {
                try scenario("users: {active: 1, interactions_per_month: {distribution: empirical, bins: [\(bad)]}}\ninteractions: [{calls: [{model: gpt-4o, input: 1, output: 1}]}]\n")
            } throws: { ($0 as? ModelingError)?.description.contains(message) == true }
        }
        #expect(throws: ModelingError.self) {
            try scenario("users: {active: 1, interactions_per_month: {mean: 1}}\ninteractions: [{calls: [{model: gpt-4o, input: 1, output: 1}]}]\nsimulate: 0\n")
        }
    }

    /// The scenario's `simulate` sets the simulated users (the caller's argument wins).
    @Test func simulateSetsTheSimulatedUsers() async throws {
        let s = try scenario("users: {active: 10, interactions_per_month: {mean: 5}}\ninteractions: [{calls: [{model: gpt-4o, input: 100, output: 10}]}]\nsimulate: 3000\n")
        #expect(try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s).users.users == 3000)
        #expect(try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s, simulatedUsers: 200).users.users == 200)
    }

    /// `Plan.yamlFlow` reads back to the same plan (as `--plans` is carried into a fitted scenario).
    @Test func plansRoundTripThroughYAML() throws {
        let plans = [
            Plan(name: "Free \"trial\"", kind: .flat(price: .zero), capInteractions: 20),
            Plan(name: "Pro", kind: .flat(price: try Money(exactly: "19.99"))),
            Plan(name: "Metered", kind: .usage(base: .dollars(5), included: 100, overagePerInteraction: try Money(exactly: "0.0125"))),
            Plan(name: "Packs", kind: .credits(packPrice: .dollars(10), packInteractions: 500)),
        ]
        let yaml = "plans:\n" + plans.map { "  - " + $0.yamlFlow + "\n" }.joined()
        #expect(try Plan.readFile(text: yaml, file: "plans.yaml") == plans)
    }
}
