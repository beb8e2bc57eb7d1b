import Foundation
import CostModel
public import Modeling
public import Pricing
public import TokenomicsCore

/// One user's cost against what a plan would charge them.
public struct PlanUser: Sendable, Hashable {
    public var user: String
    public var cost: Money
    public var revenue: Money
    public var margin: Money { revenue - cost }
}

/// A plan evaluated over the log, as if every user were on it.
///
/// Each user-month pays `plan.revenue(interactions: plan.served(n))`; with a cap, the unserved
/// interactions' share of that month's cost is removed (cost × served / wanted, rounded down).
public struct PlanEvaluation: Sendable {
    public var plan: Plan
    /// The plan's name and kind (`flat`, `usage`, `credits`).
    public var planName: String { plan.name }
    public var planKind: String { plan.kindName }
    public var revenue: Money
    public var cost: Money
    public var margin: Money { revenue - cost }
    /// Users whose cost exceeds their revenue.
    public var underwaterUsers: Int
    public var users: Int
    /// Underwater users, worst first (up to 20).
    public var worst: [PlanUser]
}

/// A saving the data points to.
public struct Lever: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A cheaper model of the same mode whose context window fits what the feature sends.
        case cheaperModel = "cheaper_model"
        /// Long prompts with little prompt caching.
        case promptCaching = "prompt_caching"
        /// Many calls per interaction.
        case callsPerInteraction = "calls_per_interaction"
    }

    public var kind: Kind
    public var feature: String
    public var model: String
    /// The suggested model (cheaper-model levers).
    public var alternative: String?
    /// The feature's current cost on this model.
    public var currentCost: Money
    /// The estimated saving over the log's period, when one can be computed.
    public var saving: Money?
    /// What was seen and what to try.
    public var detail: String
    /// Cheaper-model levers: both models' quality ratings (general task), when there are ratings.
    public var quality: SwapQuality? = nil
}

/// Plans and lever opportunities derived from an analysis.
public struct Insights: Sendable {
    public var plans: [PlanEvaluation]
    public var levers: [Lever]

    /// Evaluates plans and finds levers; cheaper models keep quality by `ratings` (the bundled
    /// Arena snapshot by default) within `maxRatingDrop` points, as the modeller's `model` lever does.
    public init(result: AnalysisResult, catalog: Catalog, plans: [Plan], ratings: QualityRatings? = try? QualityRatings.arena(), maxRatingDrop: Double = 20) {
        self.plans = plans.map { Self.evaluate($0, result.userMonths) }
        self.levers = Self.levers(result, catalog, ModelChoice(ratings: ratings, maxRatingDrop: maxRatingDrop))
    }

    static func evaluate(_ plan: Plan, _ months: [UserMonthCost]) -> PlanEvaluation {
        var perUser: [String: (cost: Money, revenue: Money)] = [:]
        for month in months {
            let served = plan.served(month.interactions)
            let revenue = plan.revenue(interactions: served)
            var cost = month.cost
            if served < month.interactions, month.interactions > 0 {
                cost = Money(units: month.cost.units * Int128(served) / Int128(month.interactions))
            }
            perUser[month.user, default: (.zero, .zero)].cost += cost
            perUser[month.user, default: (.zero, .zero)].revenue += revenue
        }
        let users = perUser.map { PlanUser(user: $0.key, cost: $0.value.cost, revenue: $0.value.revenue) }
        let underwater = users.filter { $0.cost > $0.revenue }.sorted { ($0.margin, $0.user) < ($1.margin, $1.user) }
        return PlanEvaluation(
            plan: plan, revenue: Money.sum(users.map(\.revenue)), cost: Money.sum(users.map(\.cost)), underwaterUsers: underwater.count,
            users: users.count, worst: Array(underwater.prefix(20)))
    }

    static func levers(_ result: AnalysisResult, _ catalog: Catalog, _ choice: ModelChoice) -> [Lever] {
        var levers: [Lever] = []
        let today = UTC.dayString(Int(Date().timeIntervalSince1970 / 86_400))
        for fm in result.byFeatureModel where fm.group.cost.units > 0 {
            guard let current = catalog.find(fm.model), current.hasTokenPrices else { continue }
            let usage = fm.group.tokens.usage
            // The cheapest model that keeps quality (the modeller's rule, general task: any provider,
            // at most maxRatingDrop points below), or, when the current model is unrated, of the same
            // provider without a quality check; the context window fits the longest prompt seen.
            let rating = choice.rating(of: current, task: .general)
            var pool = catalog.models.filter {
                ModelChoice.fits($0, replacing: current, largestPrompt: fm.maxInput, largestOutput: fm.maxOutput, today: today)
                    && !(usage.reasoning > 0 && $0.rate(.reasoning) == nil)
            }
            if let rating {
                pool = choice.keepingQuality(of: rating, task: .general, from: pool).map(\.model)
            } else {
                pool = pool.filter { $0.provider == current.provider && !$0.name.contains("/") }
            }
            var best: (model: ModelPrice, cost: Int128)? = nil
            var currentPricer = FastPricer(model: current)
            guard let currentCost = currentPricer.price(usage, tier: .standard, baseBandOnly: true)?.cost else { continue }
            for candidate in pool {
                var pricer = FastPricer(model: candidate)
                guard let cost = pricer.price(usage, tier: .standard, baseBandOnly: true)?.cost, cost < currentCost else { continue }
                if best == nil || cost < best!.cost || (cost == best!.cost && candidate.name < best!.model.name) { best = (candidate, cost) }
            }
            if let best, best.cost * 10 <= currentCost * 9 {
                let saving = Money(units: (currentCost - best.cost))
                let quality = choice.quality(task: .general, from: current, to: best.model)
                let how: String
                if let from = quality?.from.rating, let to = quality?.to.rating {
                    how = "rated \(Int(to.value.rounded())) against \(Int(from.value.rounded())) for general use (\(choice.ratings?.source ?? "ratings"), snapshot \(choice.ratings?.date ?? "-")), same mode, context window fits the longest prompt of \(fm.maxInput) tokens"
                } else {
                    how = "same mode and provider, context window fits the longest prompt of \(fm.maxInput) tokens; \(current.name) has no quality rating, so check quality first"
                }
                levers.append(Lever(
                    kind: .cheaperModel, feature: fm.feature, model: fm.model, alternative: best.model.name, currentCost: fm.group.cost, saving: saving,
                    detail: "\(best.model.name) (\(how)) would cost \(Money(units: best.cost).formatted()) instead of \(Money(units: currentCost).formatted()) at list prices.",
                    quality: quality))
            }
            // Long prompts, little caching.
            let calls = max(1, fm.group.events)
            let averageInput = fm.group.tokens.input / calls
            if averageInput >= 1024, fm.group.tokens.cacheHitRate < 0.2,
                let inRate = current.baseRate(.input), let cachedRate = current.rate(.cachedInput)?.rate, cachedRate < inRate
            {
                let target = fm.group.tokens.input / 2 - fm.group.tokens.cachedInput
                if target > 0 {
                    let saving = (inRate - cachedRate) * target
                    levers.append(Lever(
                        kind: .promptCaching, feature: fm.feature, model: fm.model, alternative: nil, currentCost: fm.group.cost, saving: saving,
                        detail: "Prompts average \(averageInput) tokens but only \(Int((fm.group.tokens.cacheHitRate * 100).rounded()))% are read from the prompt cache; with half of the prompt cached (a stable prefix first) it would save about \(saving.formatted())."))
                }
            }
        }
        let featureCost = Dictionary(result.byFeature.map { ($0.name, $0.cost) }, uniquingKeysWith: { a, _ in a })
        for item in result.interactionsByFeature {
            let callsPer = Double(item.eventsWithInteraction) / Double(max(1, item.interactions))
            guard callsPer >= 3 else { continue }
            let cost = featureCost[item.feature] ?? .zero
            let perInteraction = cost.divided(by: max(1, item.interactions))
            levers.append(Lever(
                kind: .callsPerInteraction, feature: item.feature, model: "", alternative: nil, currentCost: cost, saving: nil,
                detail: "About \(String(format1(callsPer))) calls per interaction (\(perInteraction.formatted()) an interaction): cap the loop, batch tool calls or summarise context to cut calls."))
        }
        return levers.sorted { ($0.saving ?? .zero, $1.feature) > ($1.saving ?? .zero, $0.feature) }
    }
}

func format1(_ value: Double) -> String {
    let scaled = Int((value * 10).rounded())
    return "\(scaled / 10).\(abs(scaled % 10))"
}
