import Foundation
public import Pricing
public import TokenomicsCore

/// Everything the modeller found about a scenario; the reports render it.
public struct ScenarioResult: Sendable {
    /// The scenario modelled.
    public var scenario: Scenario
    /// The seed of the Monte Carlo.
    public var seed: UInt64
    /// The cost of one interaction, call by call.
    public var pricing: InteractionPricing
    /// The mean cost of an interaction (after the result cache), exact.
    public var costPerInteraction: Money { pricing.costPerInteraction }
    /// Monthly cost per user across the simulated users.
    public var users: UserStatistics
    /// The same from the distribution's closed forms.
    public var closedForm: ClosedForm
    /// Each plan against the simulated users.
    public var plans: [PlanEvaluation]
    /// The what-ifs, largest saving first.
    public var levers: [Lever]
    /// Month by month, for the first plan.
    public var projection: [ProjectionMonth]
    /// The plan the projection and levers use (the first), if any.
    public var primaryPlan: String?
    /// The bottom line.
    public var verdict: Verdict
    /// Scale from the simulated users to the active users (1 when every active user was simulated).
    public var scale: Double
    /// The monthly inference cost of all active users on the first plan (or all demand), estimated
    /// from the sample (exact when every active user was simulated).
    public var monthlyCost: Money
    /// The monthly revenue of all active users on the first plan.
    public var monthlyRevenue: Money?
    /// Caveats a reader should know (heavy tails, prompts too short to cache).
    public var notes: [String]
}

/// Models a scenario: prices an interaction, simulates the users, evaluates plans, finds levers,
/// projects, and gives a verdict.
///
/// ```swift
/// let scenario = try Scenario.readFile("Examples/support-copilot.yaml", catalog: catalog)
/// let result = try await ScenarioModel(catalog: catalog).run(scenario, seed: 42)
/// print(result.verdict.kind.headline)
/// ```
public struct ScenarioModel: Sendable {
    /// Where lever model swaps come from.
    public var catalog: Catalog
    /// `YYYY-MM-DD`: models deprecated before it are not suggested.
    public var today: String

    /// The default seed when neither the scenario nor the caller gives one.
    public static let defaultSeed: UInt64 = 20_240_601
    /// The most users simulated by default (more active users are represented by a sample this large).
    public static let defaultMaxSimulatedUsers = 1_000_000

    public init(catalog: Catalog, today: String? = nil) {
        self.catalog = catalog
        if let today {
            self.today = today
        } else {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            self.today = formatter.string(from: Date())
        }
    }

    /// Runs the model.
    ///
    /// - Parameters:
    ///   - scenario: the scenario.
    ///   - seed: overrides the scenario's seed.
    ///   - simulatedUsers: how many users to simulate (default: the scenario's `simulate`, else the
    ///     active users, at most a million).
    /// - Throws: ``ModelingError`` when a call cannot be priced.
    public func run(_ scenario: Scenario, seed: UInt64? = nil, simulatedUsers: Int? = nil) async throws(ModelingError) -> ScenarioResult {
        let seed = seed ?? scenario.seed ?? Self.defaultSeed
        let pricing = try InteractionPricing(scenario)
        let cpi = pricing.costPerInteraction
        let count = simulatedUsers ?? scenario.simulatedUsers ?? min(scenario.users.active, Self.defaultMaxSimulatedUsers)
        guard count >= 1 else { throw .badInput("simulate at least one user") }
        let population = scenario.users.population
        var sample = await Simulation.sample(population, users: count, seed: seed)
        sample.sort()
        let stats = UserStatistics(sorted: sample, costPerInteraction: cpi)
        let plans = scenario.plans.map { PlanEvaluation(plan: $0, sorted: sample, costPerInteraction: cpi, targetMargin: scenario.targetMargin) }
        let scale = Double(scenario.users.active) / Double(count)
        func scaled(_ money: Money) -> Money { count == scenario.users.active ? money : Money(approximating: money.doubleValue * scale) }
        let primary = plans.first
        let served = primary?.served ?? sample.reduce(0, +)
        let monthlyCost = scaled(cpi * served)
        let monthlyRevenue = primary.map { scaled($0.revenue) }
        let servedActive = count == scenario.users.active ? served : Int((Double(served) * scale).rounded())
        let (levers, leverNotes) = LeverFinder.find(for: scenario, catalog: catalog, baseline: cpi, served: servedActive, revenue: monthlyRevenue, today: today)
        let tallies = await Simulation.months(population, users: count, months: scenario.projection.months, plans: scenario.plans.isEmpty ? [] : [scenario.plans[0]], seed: seed)
        let projection = Projection.months(
            settings: scenario.projection, active: scenario.users.active, tallies: tallies.map { $0[0] },
            plan: scenario.plans.first, costPerInteraction: cpi
        )
        let verdict = Self.verdict(stats: stats, plans: plans, levers: levers, primary: primary, monthlyCost: monthlyCost, monthlyRevenue: monthlyRevenue)
        var notes: [String] = scenario.countedTexts.map(\.note)
        if case .pareto(_, let shape) = population, shape < 2 {
            notes.append(
                "The Pareto shape \(String(format: "%.2f", shape)) is below 2, so the variance is infinite: a sample of \(count) users usually falls short of the closed-form mean and top shares, which count the rare extreme users a finite sample has not met. Read the closed-form column as the long-run expectation."
            )
        }
        for kind in pricing.kinds {
            for call in kind.calls where call.turnsBelowCacheMinimum > 0 {
                notes.append("\(call.path): \(call.turnsBelowCacheMinimum) of \(call.turns) turns have a cached prefix shorter than \(call.model)'s minimum cacheable prompt, so they are billed as plain input.")
            }
        }
        notes += leverNotes
        if levers.contains(where: { $0.kind == .modelCheapest }) {
            notes.append("Lever model_cheapest is the cheapest model of the same provider (or of levers.models) whatever its quality; its row says how many rating points it loses. Lever model keeps quality: at most \(Population.short(scenario.maxRatingDrop)) points below the current model in the call's task (levers: {max_rating_drop: N}).")
        }
        return ScenarioResult(
            scenario: scenario, seed: seed, pricing: pricing, users: stats, closedForm: ClosedForm(population, costPerInteraction: cpi),
            plans: plans, levers: levers, projection: projection, primaryPlan: primary?.plan.name, verdict: verdict, scale: scale,
            monthlyCost: monthlyCost, monthlyRevenue: monthlyRevenue, notes: notes
        )
    }

    static func verdict(
        stats: UserStatistics, plans: [PlanEvaluation], levers: [Lever], primary: PlanEvaluation?, monthlyCost: Money, monthlyRevenue: Money?
    ) -> Verdict {
        let share = monthlyRevenue.flatMap { $0 > .zero ? monthlyCost.ratio(to: $0) : nil }
        let p90Underwater = plans.filter { ($0.marginP90 ?? 0) < 0 }
        let kind = Verdict.kind(costShare: share, p90Underwater: !p90Underwater.isEmpty)
        var reasons: [String] = []
        if let share, let primary {
            reasons.append("inference is \(QuickEstimate.percent(share)) of revenue on plan \(primary.plan.name) (\(monthlyCost.formatted()) of \(monthlyRevenue!.formatted()) a month)")
        }
        reasons.append(
            "the median user makes \(groupedDigits(stats.p50Interactions)) interactions a month and costs \(stats.p50.formatted()); the p99 user makes \(groupedDigits(stats.p99Interactions)) and costs \(stats.p99.formatted())"
        )
        reasons.append("the top 1% of users bear \(QuickEstimate.percent(stats.top1)) of the cost, the top 10% \(QuickEstimate.percent(stats.top10)) (Gini \(String(format: "%.2f", stats.gini)))")
        for plan in p90Underwater {
            reasons.append("plan \(plan.plan.name): the p90 user is underwater (margin \(QuickEstimate.percent(plan.marginP90 ?? 0))); \(plan.recommendation.text)")
        }
        for plan in plans where (plan.marginP90 ?? 0) >= 0 && plan.underwaterShare > 0 {
            reasons.append("plan \(plan.plan.name): \(QuickEstimate.percent(plan.underwaterShare)) of users are underwater; \(plan.recommendation.text)")
        }
        if let lever = levers.first(where: { $0.kind != .modelCheapest }), lever.monthlySaving > .zero {
            reasons.append("biggest lever (\(lever.kind.rawValue)): \(lever.change) saves \(lever.monthlySaving.formatted()) a month")
        }
        return Verdict(kind: kind, costShare: share, reasons: reasons)
    }
}
