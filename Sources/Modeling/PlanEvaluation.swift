import Pricing
public import TokenomicsCore

/// How one plan fares against the simulated users: revenue, cost, margins, who is underwater.
public struct PlanEvaluation: Sendable {
    /// The plan.
    public var plan: Plan
    /// Monthly revenue and inference cost over the simulated users (exact for that sample).
    public var revenue: Money
    public var cost: Money
    /// Interactions served (after any cap) and wanted.
    public var served: Int
    public var wanted: Int
    /// Users simulated.
    public var users: Int
    /// `1 − cost / revenue` (nil without revenue).
    public var grossMargin: Double?
    /// Gross margin of the user at the 50th, 90th and 99th usage percentiles (nil when that user pays nothing).
    public var marginP50: Double?
    public var marginP90: Double?
    public var marginP99: Double?
    /// Share of users whose cost exceeds what they pay.
    public var underwaterShare: Double
    /// The interactions a month at which a user's cost reaches their revenue (nil: never).
    public var breakEvenInteractions: Int?
    /// What would keep the p99 user at the target margin.
    public var recommendation: Recommendation

    /// A change to a plan that keeps the p99 user at the target margin.
    public struct Recommendation: Sendable, Hashable {
        /// What to change.
        public enum Kind: String, Sendable, Hashable {
            /// Nothing: the p99 user already keeps the target margin.
            case none
            /// Cap interactions at ``value`` a month.
            case cap
            /// Charge ``amount`` per interaction past the included ones.
            case overagePrice = "overage_price"
            /// Include at most ``value`` interactions in the base fee.
            case includedInteractions = "included_interactions"
            /// Sell a pack at ``amount``.
            case packPrice = "pack_price"
        }

        public var kind: Kind
        /// A number of interactions (caps, included interactions).
        public var value: Int?
        /// A price (overage, pack).
        public var amount: Money?
        /// The sentence for the report.
        public var text: String
    }

    /// Evaluates a plan over users sorted ascending by interactions.
    public init(plan: Plan, sorted: [Int], costPerInteraction cpi: Money, targetMargin: Fraction) {
        self.plan = plan
        users = sorted.count
        var revenue = Money.zero
        var cost = Money.zero
        var served = 0
        var wanted = 0
        var underwater = 0
        // Revenue depends only on the served count; cache the last one (sorted input repeats values).
        var lastServed = -1
        var lastRevenue = Money.zero
        for value in sorted {
            let s = plan.served(value)
            if s != lastServed {
                lastServed = s
                lastRevenue = plan.revenue(interactions: s)
            }
            let userCost = cpi * s
            revenue += lastRevenue
            cost += userCost
            served += s
            wanted += value
            if userCost > lastRevenue { underwater += 1 }
        }
        self.revenue = revenue
        self.cost = cost
        self.served = served
        self.wanted = wanted
        grossMargin = Self.margin(revenue: revenue, cost: cost)
        func margin(at p: Double) -> Double? {
            let s = plan.served(UserStatistics.percentile(sorted, p))
            return Self.margin(revenue: plan.revenue(interactions: s), cost: cpi * s)
        }
        marginP50 = margin(at: 0.5)
        marginP90 = margin(at: 0.9)
        marginP99 = margin(at: 0.99)
        underwaterShare = sorted.isEmpty ? 0 : Double(underwater) / Double(sorted.count)
        breakEvenInteractions = plan.breakEvenInteractions(costPerInteraction: cpi)
        recommendation = Self.recommend(plan, p99: UserStatistics.percentile(sorted, 0.99), cpi: cpi, target: targetMargin, marginP99: marginP99)
    }

    /// `1 − cost / revenue`, nil when revenue is zero.
    public static func margin(revenue: Money, cost: Money) -> Double? {
        guard revenue > .zero else { return nil }
        return 1 - cost.ratio(to: revenue)
    }

    /// The change that keeps the p99 user at the target margin, computed exactly.
    ///
    /// - Flat plans (and any capped plan): the largest cap `c` with `c × cost ≤ price × (1 − target)`.
    /// - Usage plans whose p99 user goes past the included interactions: the smallest overage price
    ///   (rounded up to $0.0001) at which that user's revenue reaches `cost / (1 − target)`; below
    ///   the included interactions, the largest number of included interactions that holds.
    /// - Credits: the smallest pack price (rounded up to a cent) that keeps `target` on every full pack.
    public static func recommend(_ plan: Plan, p99: Int, cpi: Money, target: Fraction, marginP99: Double?) -> Recommendation {
        let keep = target.complement  // the share of revenue cost may take
        let percent = "\(Int((target.doubleValue * 100).rounded()))%"
        if let margin = marginP99, margin + 1e-12 >= target.doubleValue {
            return Recommendation(kind: .none, text: "keeps a \(percent) margin at the p99 user; no change needed")
        }
        guard cpi > .zero else { return Recommendation(kind: .none, text: "interactions cost nothing") }
        // The largest n with n × cpi ≤ amount × keep.
        func largestCount(within amount: Money) -> Int {
            let numerator = amount.units * Int128(keep.parts)
            let denominator = cpi.units * Int128(Fraction.denominator)
            return Int(min(numerator / denominator, Int128(Int.max)))
        }
        func roundUp(_ amount: Money, to step: Money) -> Money {
            let (q, r) = amount.units.quotientAndRemainder(dividingBy: step.units)
            return Money(units: (r > 0 ? q + 1 : q) * step.units)
        }
        // amount / keep, rounded up to a unit.
        func grossUp(_ cost: Money) -> Money {
            let numerator = cost.units * Int128(Fraction.denominator)
            let (q, r) = numerator.quotientAndRemainder(dividingBy: Int128(keep.parts))
            return Money(units: r > 0 ? q + 1 : q)
        }
        switch plan.kind {
        case .flat(let price):
            let cap = largestCount(within: price)
            return Recommendation(kind: .cap, value: cap, text: "cap at \(groupedDigits(cap)) interactions a month (or charge \(grossUp(cpi * plan.served(p99)).formatted()) for the p99 user's \(groupedDigits(plan.served(p99))))")
        case .usage(let base, let included, _):
            let served = plan.served(p99)
            if served > included {
                let needed = grossUp(cpi * served) - base
                let perInteraction = needed.divided(by: served - included)
                let price = roundUp(Swift.max(perInteraction, .zero), to: Money(units: Money.unitsPerDollar / 10_000))
                return Recommendation(kind: .overagePrice, amount: price, text: "charge \(price.formatted()) per interaction past \(groupedDigits(included))")
            }
            let cap = largestCount(within: base)
            return Recommendation(kind: .includedInteractions, value: cap, text: "include at most \(groupedDigits(cap)) interactions in the base fee")
        case .credits(_, let pack):
            let price = roundUp(grossUp(cpi * pack), to: .cents(1))
            return Recommendation(kind: .packPrice, amount: price, text: "sell packs of \(groupedDigits(pack)) at \(price.formatted()) or more")
        }
    }
}
