import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore

struct PopulationTests {
    @Test func normalQuantileInvertsTheCDF() {
        for p in [1e-6, 0.001, 0.01, 0.05, 0.3, 0.5, 0.9, 0.95, 0.99, 0.999999] {
            #expect(abs(Normal.cdf(Normal.quantile(p)) - p) < 1e-12 * max(1, p / 1e-6))
        }
        #expect(abs(Normal.quantile(0.95) - 1.6448536269514722) < 1e-12)
    }

    @Test func lognormalClosedForms() {
        let population = Population.lognormal(median: 120, p95: 900)
        guard case .lognormal(let mu, let sigma) = population else { Issue.record("lognormal expected"); return }
        #expect(abs(mu - log(120)) < 1e-12)
        #expect(abs(sigma - log(900.0 / 120) / 1.6448536269514722) < 1e-12)
        #expect(abs(population.mean - exp(mu + sigma * sigma / 2)) < 1e-9)
        #expect(abs(population.quantile(0.99) - exp(mu + sigma * 2.3263478740408408)) < 1e-6)
        // Top share of a lognormal: 1 − Φ(Φ⁻¹(1 − p) − σ); Gini: 2Φ(σ/√2) − 1.
        #expect(abs(population.topShare(0.01) - (1 - Normal.cdf(2.3263478740408408 - sigma))) < 1e-12)
        #expect(abs(population.gini - (2 * Normal.cdf(sigma / 2.0.squareRoot()) - 1)) < 1e-15)
        let fromMean = Population.lognormal(mean: 200, sigma: 1)
        #expect(abs(fromMean.mean - 200) < 1e-9)
    }

    @Test func paretoClosedForms() {
        let population = Population.pareto(mean: 200, shape: 1.5)
        guard case .pareto(let scale, let shape) = population else { Issue.record("pareto expected"); return }
        #expect(abs(scale - 200.0 / 3) < 1e-9)
        #expect(abs(population.quantile(0.9) - scale * pow(0.1, -1 / shape)) < 1e-9)
        #expect(abs(population.topShare(0.05) - pow(0.05, 1 - 1 / shape)) < 1e-15)
        #expect(abs(population.gini - 1 / (2 * shape - 1)) < 1e-15)
        #expect(abs(Population.paretoShape(topUsers: 0.2, calls: 0.8) - 1.160964047443681) < 1e-12)   // the 80/20 rule
    }

    @Test func empiricalClosedForms() {
        let population = Population.empirical([
            .init(lower: 0, upper: 10, share: 0.5), .init(lower: 10, upper: 100, share: 0.4), .init(lower: 100, upper: 1000, share: 0.1),
        ])
        #expect(abs(population.mean - (0.5 * 5 + 0.4 * 55 + 0.1 * 550)) < 1e-9)
        #expect(abs(population.quantile(0.5) - 10) < 1e-9)
        #expect(abs(population.quantile(0.7) - 55) < 1e-9)
        // The top 10% is exactly the last bin: 0.1 × 550 / mean.
        #expect(abs(population.topShare(0.1) - 55 / population.mean) < 1e-9)
        #expect(population.gini > 0.5 && population.gini < 1)
    }

    @Test func sameSeedSameSample() async {
        let population = Population.lognormal(median: 100, p95: 800)
        let a = await Simulation.sample(population, users: 100_000, seed: 42)
        let b = await Simulation.sample(population, users: 100_000, seed: 42)
        let c = await Simulation.sample(population, users: 100_000, seed: 43)
        #expect(a == b)
        #expect(a != c)
        // A prefix of users does not depend on how many are simulated (fixed blocks, own streams).
        let small = await Simulation.sample(population, users: 40_000, seed: 42)
        #expect(Array(a.prefix(40_000)) == small)
    }

    /// Monte Carlo and closed form agree: mean, quantiles, top shares and Gini.
    @Test(arguments: [
        Population.lognormal(median: 120, p95: 900),
        Population.lognormal(mean: 50, sigma: 0.5),
        Population.pareto(mean: 200, shape: 3),
        Population.empirical([.init(lower: 0, upper: 10, share: 0.5), .init(lower: 10, upper: 100, share: 0.4), .init(lower: 100, upper: 1000, share: 0.1)]),
        Population.empirical([.init(lower: 1, upper: 20, share: 0.9), .init(lower: 20, upper: 5000, share: 0.1, shape: 1.3)]),
        Population.empirical([.init(lower: 1, upper: 20, share: 0.9), .init(lower: 20, upper: .infinity, share: 0.1, shape: 3)]),
    ])
    func monteCarloAgreesWithClosedForms(population: Population) async {
        var sample = await Simulation.sample(population, users: 1_000_000, seed: 7)
        sample.sort()
        let stats = UserStatistics(sorted: sample, costPerInteraction: .dollars(1))
        func close(_ simulated: Double, _ closed: Double, _ tolerance: Double) -> Bool { abs(simulated - closed) <= tolerance * max(1, abs(closed)) }
        #expect(close(stats.meanInteractions, population.mean, 0.01), "mean \(stats.meanInteractions) vs \(population.mean)")
        for (p, simulated) in [(0.5, stats.p50Interactions), (0.9, stats.p90Interactions), (0.99, stats.p99Interactions)] {
            // Users make whole interactions: allow one interaction of rounding besides 2% noise.
            #expect(abs(Double(simulated) - population.quantile(p)) <= 1 + 0.02 * population.quantile(p), "p\(p): \(simulated) vs \(population.quantile(p))")
        }
        #expect(abs(stats.top1 - population.topShare(0.01)) < 0.01, "top1 \(stats.top1) vs \(population.topShare(0.01))")
        #expect(abs(stats.top5 - population.topShare(0.05)) < 0.01)
        #expect(abs(stats.top10 - population.topShare(0.10)) < 0.01)
        #expect(abs(stats.gini - population.gini) < 0.01, "gini \(stats.gini) vs \(population.gini)")
    }

    /// Heavy tails (shape below 2) have infinite variance: quantiles still agree.
    @Test func heavyParetoQuantilesAgree() async {
        let population = Population.pareto(mean: 200, shape: 1.3)
        var sample = await Simulation.sample(population, users: 1_000_000, seed: 11)
        sample.sort()
        for p in [0.5, 0.9, 0.99, 0.999] {
            let simulated = Double(UserStatistics.percentile(sample, p))
            #expect(abs(simulated - population.quantile(p)) <= 1 + 0.03 * population.quantile(p), "p\(p): \(simulated) vs \(population.quantile(p))")
        }
    }

    @Test func fixedPopulationIsExactlyTheMean() async {
        let sample = await Simulation.sample(.fixed(200), users: 1000, seed: 1)
        #expect(sample.allSatisfy { $0 == 200 })
        // A fractional fixed mean is kept on average by stochastic rounding.
        let fractional = await Simulation.sample(.fixed(2.25), users: 400_000, seed: 1)
        #expect(Set(fractional) == [2, 3])
        #expect(abs(Double(fractional.reduce(0, +)) / 400_000 - 2.25) < 0.005)
    }

    @Test func meanMonthlyCostIsMeanInteractionsTimesCostPerInteraction() async {
        var sample = await Simulation.sample(.lognormal(median: 30, p95: 200), users: 10_001, seed: 3)
        sample.sort()
        let cost = try! Money(exactly: "0.0123456789")
        let stats = UserStatistics(sorted: sample, costPerInteraction: cost)
        let total = sample.reduce(0, +)
        #expect(stats.mean == (cost * total).divided(by: sample.count))
        #expect(stats.p99 == cost * UserStatistics.percentile(sample, 0.99))
        #expect(stats.max == cost * sample.last!)
    }
}

struct SimulationTallyTests {
    /// The month kernel's integer tallies match the plans' own exact arithmetic, user by user.
    @Test func monthlyTalliesMatchPlanArithmetic() async {
        let plans = [
            Plan(name: "Capped", kind: .flat(price: .dollars(20)), capInteractions: 600),
            Plan(name: "Metered", kind: .usage(base: .dollars(10), included: 300, overagePerInteraction: .cents(4))),
            Plan(name: "Credits", kind: .credits(packPrice: .dollars(10), packInteractions: 500)),
        ]
        let population = Population.lognormal(median: 120, p95: 900)
        let tallies = await Simulation.months(population, users: 50_000, months: 2, plans: plans, seed: 9)
        #expect(tallies.count == 2)
        // Month 1 uses the same stream as Simulation.sample(month: 1).
        let users = await Simulation.sample(population, users: 50_000, seed: 9, month: 1)
        for (index, plan) in plans.enumerated() {
            let tally = tallies[0][index]
            #expect(tally.users == 50_000)
            #expect(tally.served == users.reduce(0) { $0 + plan.served($1) })
            #expect(tally.revenue(plan) == Money.sum(users.map { plan.revenue(interactions: plan.served($0)) }))
        }
        #expect(tallies[0][3].served == users.reduce(0, +))
        #expect(tallies[0] != tallies[1])
    }
}

struct ClosedFormTests {
    @Test func meanCostIsMeanInteractionsTimesCostPerInteraction() throws {
        let cpi = try Money(exactly: "0.0123")
        #expect(ClosedForm(.fixed(200), costPerInteraction: cpi).meanCost == cpi * 200)
        #expect(ClosedForm(.pareto(mean: 150, shape: 2.5), costPerInteraction: cpi).meanCost == (cpi * 150))
        let lognormal = Population.lognormal(median: 120, p95: 900)
        let closed = ClosedForm(lognormal, costPerInteraction: cpi)
        #expect(abs(closed.meanCost.doubleValue - 0.0123 * lognormal.mean) <= 0.0123 * 0.5e-6 + 1e-12)
    }
}

struct NormalSamplerTests {
    /// The lognormal sampler's normal draws have the right moments and tails (including the
    /// ziggurat's base-layer tail beyond 3.44).
    @Test func lognormalDrawsHaveNormalLogs() async {
        // With mu = 20 and sigma = 1 every draw is huge, so rounding is negligible and ln(x) is the normal draw.
        let sample = await Simulation.sample(.lognormal(mu: 20, sigma: 1), users: 2_000_000, seed: 5)
        let z = sample.map { log(Double($0)) - 20 }
        let n = Double(z.count)
        let mean = z.reduce(0, +) / n
        let variance = z.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        #expect(abs(mean) < 0.003)
        #expect(abs(variance - 1) < 0.004)
        for (threshold, expected) in [(1.0, 0.15865525393145707), (1.96, 0.024997895148220435), (3.0, 0.0013498980316301035), (3.6, 0.00015910859015753364)] {
            let share = Double(z.filter { $0 > threshold }.count) / n
            #expect(abs(share - expected) < 4 * (expected * (1 - expected) / n).squareRoot() + 1e-6, "P(z > \(threshold)) = \(share), expected \(expected)")
            let lower = Double(z.filter { $0 < -threshold }.count) / n
            #expect(abs(lower - expected) < 4 * (expected * (1 - expected) / n).squareRoot() + 1e-6, "P(z < -\(threshold)) = \(lower), expected \(expected)")
        }
    }
}
