import Foundation
import Pricing
public import TokenomicsCore

/// One month of the projection.
public struct ProjectionMonth: Sendable, Hashable {
    /// 1 for the first month.
    public var month: Int
    /// Active users that month.
    public var users: Int
    /// Inference cost and revenue that month (statistical estimates: scaled from the simulated
    /// sample and multiplied by the price decline).
    public var cost: Money
    public var revenue: Money
    /// `1 − cost / revenue`, nil without revenue.
    public var grossMargin: Double?
    /// The multiplier on model prices that month (1 in month 1).
    public var priceFactor: Double
}

/// Builds the month-by-month projection from simulated monthly tallies.
public enum Projection: Sendable {
    /// Users in month `month` (from 1): `active × (1 + growth)^(month − 1)`, rounded.
    public static func users(active: Int, growth: Double, month: Int) -> Int {
        Int((Double(active) * pow(1 + growth, Double(month - 1))).rounded())
    }

    /// Price multiplier in month `month` (from 1): `(1 − decline)^((month − 1) / 12)`.
    public static func priceFactor(annualDecline: Double, month: Int) -> Double {
        pow(1 - annualDecline, Double(month - 1) / 12)
    }

    /// The projection of one plan (or of demand without a plan when `plan` is nil).
    ///
    /// - Parameters:
    ///   - tallies: `tallies[month]` for this plan, over the simulated sample.
    public static func months(
        settings: Scenario.ProjectionSettings, active: Int, tallies: [Simulation.PlanTally], plan: Plan?, costPerInteraction: Money
    ) -> [ProjectionMonth] {
        var result: [ProjectionMonth] = []
        for (index, tally) in tallies.enumerated() {
            let month = index + 1
            let users = users(active: active, growth: settings.userGrowthMonthly, month: month)
            let scale = tally.users > 0 ? Double(users) / Double(tally.users) : 0
            let factor = priceFactor(annualDecline: settings.annualPriceDecline, month: month)
            let cost = Money(approximating: tally.cost(perInteraction: costPerInteraction).doubleValue * factor * scale)
            let revenue = plan.map { Money(approximating: tally.revenue($0).doubleValue * scale) } ?? .zero
            result.append(ProjectionMonth(
                month: month, users: users, cost: cost, revenue: revenue,
                grossMargin: PlanEvaluation.margin(revenue: revenue, cost: cost), priceFactor: factor
            ))
        }
        return result
    }
}
