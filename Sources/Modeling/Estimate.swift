public import CostModel
public import Pricing
public import TokenomicsCore

/// The quick answer of `tokenomics estimate`: one call per interaction, a fixed number of
/// interactions a month, one price.
///
/// ```swift
/// let estimate = try QuickEstimate(model: gpt4o, usage: Usage(input: 2000, output: 500), interactions: 200, price: .dollars(30))
/// estimate.costPerInteraction   // $0.01
/// estimate.monthlyCostPerUser   // $2.00
/// estimate.grossMargin          // 0.9333…
/// ```
public struct QuickEstimate: Sendable {
    /// The priced call.
    public var call: CallCost
    /// Interactions per user per month.
    public var interactions: Int
    /// The monthly price, if given.
    public var price: Money?

    /// The cost of one interaction, exact.
    public var costPerInteraction: Money { call.total }
    /// `cost per interaction × interactions`, exact.
    public var monthlyCostPerUser: Money { call.total * interactions }
    /// `1 − cost / price` (nil without a price, or with a zero price).
    public var grossMargin: Double? { price.flatMap { PlanEvaluation.margin(revenue: $0, cost: monthlyCostPerUser) } }
    /// Whether the user costs more than they pay.
    public var underwater: Bool? { price.map { monthlyCostPerUser > $0 } }
    /// The interactions a month at which cost reaches the price (nil without a price).
    public var breakEvenInteractions: Int? {
        price.flatMap { Plan(name: "price", kind: .flat(price: $0)).breakEvenInteractions(costPerInteraction: call.total) }
    }
    /// The verdict on inference cost as a share of the price.
    public var verdict: Verdict {
        let share = price.flatMap { $0 > .zero ? monthlyCostPerUser.ratio(to: $0) : nil }
        let kind = Verdict.kind(costShare: share, p90Underwater: underwater ?? false)
        var reasons: [String] = []
        if let share {
            reasons.append("inference is \(Self.percent(share)) of the \(price!.formatted()) monthly price")
        } else {
            reasons.append("give --price to compare the cost with what a user pays")
        }
        if let breakEven = breakEvenInteractions {
            reasons.append("a user breaks even at \(groupedDigits(breakEven)) interactions a month (\(groupedDigits(interactions)) assumed)")
        }
        return Verdict(kind: kind, costShare: share, reasons: reasons)
    }

    /// Prices the call.
    ///
    /// - Throws: ``CostError`` when the usage is inconsistent or the model lacks a needed rate.
    public init(model: ModelPrice, usage: Usage, tier: ServiceTier = .standard, interactions: Int, price: Money?) throws(CostError) {
        call = try CostCalculator.cost(of: model, usage: usage, tier: tier)
        self.interactions = interactions
        self.price = price
    }

    static func percent(_ value: Double) -> String {
        let tenths = (value * 1000).rounded() / 10
        return "\(tenths)%"
    }
}
