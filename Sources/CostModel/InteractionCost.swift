import Pricing
public import TokenomicsCore

/// The cost of one interaction: several calls, each on its own model.
public struct InteractionCost: Sendable, Hashable {
    /// The calls, in order.
    public var calls: [CallCost]

    public init(calls: [CallCost]) { self.calls = calls }

    /// The sum of the calls, exact.
    public var total: Money { calls.reduce(.zero) { $0 + $1.total } }

    /// The summed usage of all calls.
    public var usage: Usage { calls.reduce(Usage()) { $0 + $1.usage } }

    /// Cost per model, largest first.
    public var byModel: [(model: String, cost: Money)] {
        var totals: [String: Money] = [:]
        for call in calls { totals[call.model, default: .zero] += call.total }
        return totals.map { ($0.key, $0.value) }.sorted { $0.cost > $1.cost }
    }
}
