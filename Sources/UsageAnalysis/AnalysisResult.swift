import Pricing
public import TokenomicsCore

/// Cost and tokens of one group (a model, a feature, a day, a user).
public struct GroupBreakdown: Sendable, Hashable {
    /// The group's name (model, feature, `YYYY-MM-DD`, user).
    public var name: String
    /// Events in the group.
    public var events: Int
    /// Events that could be priced (billed by the provider or priced from the catalog).
    public var pricedEvents: Int
    /// Their cost, exact.
    public var cost: Money
    /// Summed token counts (all events).
    public var tokens: TokenTotals
    /// What the provider's prompt cache saved against plain input rates, exact.
    public var cacheSaving: Money

    /// The group's share of a total cost.
    public func share(of total: Money) -> Double { total.units == 0 ? 0 : cost.ratio(to: total) }
}

/// One model's line: its breakdown plus pricing status and provider-billed comparison.
public struct ModelBreakdown: Sendable, Hashable {
    public var group: GroupBreakdown
    /// The catalog entry that priced it, nil when the catalog does not know it.
    public var catalogName: String?
    /// Events neither billed by the provider nor priced by the catalog (excluded from costs).
    public var unpricedEvents: Int
    /// Events that carried a provider-billed cost.
    public var billedEvents: Int
    /// The provider-billed cost of those events, exact.
    public var billed: Money
    /// What the catalog says those same events cost (only those the catalog could price).
    public var catalogForBilled: Money
    /// Billed events the catalog could not price.
    public var billedWithoutCatalog: Int
}

/// The per-user monthly cost distribution.
///
/// Each sample is one user's cost in one calendar month (UTC): a user active in three months
/// gives three samples. Quantiles use the nearest-rank rule (the smallest sample with at least
/// q of the samples at or below it), so they are exact sample values.
public struct CostDistribution: Sendable, Hashable {
    public var samples: Int
    public var mean: Money
    public var p50: Money
    public var p90: Money
    public var p99: Money
    public var max: Money
}

/// How concentrated cost is across users (each user's whole cost over the log).
public struct Concentration: Sendable, Hashable {
    /// The Gini coefficient: 0 when every user costs the same, near 1 when one user costs all.
    public var gini: Double
    /// The share of cost from the costliest 1%, 5% and 10% of users (at least one user each).
    public var top1: Double
    public var top5: Double
    public var top10: Double
    /// Lorenz curve: (share of users, share of cost), users from cheapest to dearest, 101 points.
    public var lorenz: [(users: Double, cost: Double)]

    public static func == (lhs: Concentration, rhs: Concentration) -> Bool {
        lhs.gini == rhs.gini && lhs.top1 == rhs.top1 && lhs.top5 == rhs.top5 && lhs.top10 == rhs.top10
            && lhs.lorenz.elementsEqual(rhs.lorenz) { $0.users == $1.users && $0.cost == $1.cost }
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(gini) }
}

/// Exact-duplicate requests (same `request_hash`) and what a result cache would have saved.
public struct DuplicateStats: Sendable, Hashable {
    /// Events that carried a request hash.
    public var eventsWithHash: Int
    /// Events whose hash had been seen before in the log.
    public var duplicates: Int
    /// `duplicates / events` (all events).
    public var share: Double
    /// The cost of the duplicates: what an exact-match result cache would have saved.
    public var saving: Money
    /// True when more distinct hashes arrived than the duplicate table holds (then a lower bound).
    public var saturated: Bool
}

/// One user's line.
public struct UserCost: Sendable, Hashable {
    public var user: String
    public var events: Int
    public var cost: Money
}

/// One user-month: the unit of the monthly distribution and of plan revenue.
public struct UserMonthCost: Sendable, Hashable {
    public var user: String
    /// `year * 12 + month - 1`.
    public var month: Int
    public var events: Int
    /// Interactions: distinct consecutive interaction ids when events carry them, else events.
    public var interactions: Int
    public var cost: Money
}

/// Everything an analysis found.
public struct AnalysisResult: Sendable {
    /// Events read (good lines).
    public var events: Int
    /// Malformed lines.
    public var badLineCount: Int
    /// The first ten malformed lines.
    public var badLines: [BadLine]
    /// Totals over all events; `cost` is over priced events only.
    public var totals: GroupBreakdown
    /// Events that carried a provider-billed cost.
    public var billedEvents: Int
    /// Events neither billed nor priceable (unknown model), excluded from costs.
    public var unpricedEvents: Int
    /// First and last event time (seconds since the epoch), nil when no events.
    public var firstTimestamp: Int64?
    public var lastTimestamp: Int64?
    /// Distinct users.
    public var users: Int
    /// The per-user monthly cost distribution.
    public var perUserMonthly: CostDistribution
    /// Concentration of cost across users.
    public var concentration: Concentration
    /// Per model, costliest first.
    public var byModel: [ModelBreakdown]
    /// Per feature, costliest first.
    public var byFeature: [GroupBreakdown]
    /// Per day, in date order.
    public var byDay: [GroupBreakdown]
    /// Per feature and model, costliest first (`name` is `feature / model`).
    public var byFeatureModel: [FeatureModelBreakdown]
    /// The costliest users (up to 20).
    public var topUsers: [UserCost]
    /// Models the catalog does not know, with event counts, most events first.
    public var unpricedModels: [(model: String, events: Int)]
    /// Exact duplicates.
    public var duplicates: DuplicateStats
    /// Calls per interaction by feature, for features whose events carry an interaction id.
    public var interactionsByFeature: [(feature: String, eventsWithInteraction: Int, interactions: Int)]
    /// Every user-month (for plans and fits).
    public var userMonths: [UserMonthCost]
}

/// One feature on one model, with what a lever needs.
public struct FeatureModelBreakdown: Sendable, Hashable {
    public var feature: String
    public var model: String
    public var group: GroupBreakdown
    /// The longest prompt and completion seen.
    public var maxInput: Int
    public var maxOutput: Int
    /// Model requests (the events, unless an export's rows each sum several requests).
    public var requests: Int
    /// The events billed at the batch tier, and their requests.
    public var batch: GroupBreakdown
    public var batchRequests: Int
}

extension Accumulator {
    /// Turns the streaming state into results.
    func finish() -> AnalysisResult {
        var folded = self
        folded.fold()
        return folded.finishFolded()
    }

    private func finishFolded() -> AnalysisResult {
        func breakdown(_ name: String, _ sums: GroupSums) -> GroupBreakdown {
            GroupBreakdown(
                name: name, events: sums.events, pricedEvents: sums.pricedEvents, cost: Money(units: sums.cost), tokens: sums.tokens,
                cacheSaving: Money(units: sums.cacheSaving)
            )
        }
        let modelNames = models.names
        let featureNames = features.names
        var byModel: [ModelBreakdown] = []
        for (id, sums) in modelSums.enumerated() {
            byModel.append(
                ModelBreakdown(
                    group: breakdown(modelNames[id], sums.sums), catalogName: pricers[id]?.model.name ?? catalog.find(modelNames[id])?.name,
                    unpricedEvents: sums.unpricedEvents, billedEvents: sums.billedEvents, billed: Money(units: sums.billed),
                    catalogForBilled: Money(units: sums.catalogForBilled), billedWithoutCatalog: sums.billedWithoutCatalog
                ))
        }
        byModel.sort { ($0.group.cost, $0.group.events, $1.group.name) > ($1.group.cost, $1.group.events, $0.group.name) }
        var byFeature = featureSums.enumerated().map { breakdown(featureNames[$0.offset], $0.element.sums) }
        byFeature.sort { ($0.cost, $0.events, $1.name) > ($1.cost, $1.events, $0.name) }
        let byDay = days.keys.sorted().map { breakdown(UTC.dayString($0), days[$0]!) }
        var byFeatureModel = featureModel.map { key, value in
            FeatureModelBreakdown(
                feature: featureNames[key >> 24], model: modelNames[key & 0xFF_FFFF],
                group: breakdown(featureNames[key >> 24] + " / " + modelNames[key & 0xFF_FFFF], value.sums), maxInput: value.maxInput,
                maxOutput: value.maxOutput, requests: value.requests, batch: breakdown("batch", value.batch), batchRequests: value.batchRequests)
        }
        byFeatureModel.sort { ($0.group.cost, $1.group.name) > ($1.group.cost, $0.group.name) }

        let userNames = users.names
        var userCosts = (0..<users.count).map { UserCost(user: userNames[$0], events: userEvents[$0], cost: Money(units: userCost[$0])) }
        userCosts.sort { ($0.cost, $1.user) > ($1.cost, $0.user) }

        let monthly = userMonthKeys.enumerated().map { index, key in
            UserMonthCost(
                user: userNames[Int(key >> 24)], month: Int(key & 0xFF_FFFF), events: userMonths[index].events,
                interactions: userMonths[index].interactions, cost: Money(units: userMonths[index].cost))
        }
        let distribution = Statistics.distribution(monthly.map(\.cost))
        let concentration = Statistics.concentration(userCosts.map(\.cost))

        let unpriced = byModel.filter { $0.unpricedEvents > 0 }.map { ($0.group.name, $0.unpricedEvents) }
            .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        let events = totals.events
        let interactions = featureSums.enumerated().filter { $0.element.eventsWithInteraction > 0 }.map {
            (feature: featureNames[$0.offset], eventsWithInteraction: $0.element.eventsWithInteraction,
             interactions: max(1, Int($0.element.interactions.estimate.rounded())))
        }
        return AnalysisResult(
            events: events, badLineCount: badLineCount, badLines: badLines, totals: breakdown("total", totals), billedEvents: billedEvents,
            unpricedEvents: unpricedEvents, firstTimestamp: events > 0 ? firstTimestamp : nil, lastTimestamp: events > 0 ? lastTimestamp : nil,
            users: users.count, perUserMonthly: distribution, concentration: concentration, byModel: byModel, byFeature: byFeature, byDay: byDay,
            byFeatureModel: byFeatureModel, topUsers: Array(userCosts.prefix(20)), unpricedModels: unpriced,
            duplicates: DuplicateStats(
                eventsWithHash: eventsWithHash, duplicates: duplicateEvents, share: events == 0 ? 0 : Double(duplicateEvents) / Double(events),
                saving: Money(units: duplicateCost), saturated: duplicates.saturated),
            interactionsByFeature: interactions, userMonths: monthly
        )
    }
}

/// Distribution statistics over exact amounts.
public enum Statistics: Sendable {
    /// Nearest-rank quantile of sorted values: the value at rank ⌈q·n⌉ (1-based), the minimum for q = 0.
    public static func quantile<T>(sorted values: [T], _ q: Double) -> T? {
        guard !values.isEmpty else { return nil }
        let rank = Int((q * Double(values.count)).rounded(.up))
        return values[min(max(rank, 1), values.count) - 1]
    }

    /// Mean, nearest-rank p50/p90/p99 and max of amounts.
    public static func distribution(_ amounts: [Money]) -> CostDistribution {
        let sorted = amounts.sorted()
        let total = Money.sum(sorted)
        return CostDistribution(
            samples: sorted.count, mean: sorted.isEmpty ? .zero : total.divided(by: sorted.count),
            p50: quantile(sorted: sorted, 0.5) ?? .zero, p90: quantile(sorted: sorted, 0.9) ?? .zero,
            p99: quantile(sorted: sorted, 0.99) ?? .zero, max: sorted.last ?? .zero
        )
    }

    /// Gini, top shares and Lorenz curve of per-user amounts.
    ///
    /// Top k% means the ⌈k/100 · n⌉ costliest users (at least one). Gini is
    /// `Σ (2i − n − 1)·xᵢ / (n · Σ x)` over ascending `xᵢ`, i from 1.
    public static func concentration(_ amounts: [Money]) -> Concentration {
        let ascending = amounts.sorted()
        let n = ascending.count
        let total = Money.sum(ascending)
        guard n > 0, total.units > 0 else {
            return Concentration(gini: 0, top1: 0, top5: 0, top10: 0, lorenz: [(0, 0), (1, 1)])
        }
        var weighted: Int128 = 0  // Σ (2i − n − 1)·xᵢ in Money units
        for (index, value) in ascending.enumerated() { weighted += Int128(2 * (index + 1) - n - 1) * value.units }
        let gini = Money(units: weighted).ratio(to: total) / Double(n)
        func top(_ percent: Int) -> Double {
            let count = Swift.max(1, (percent * n + 99) / 100)
            return Money.sum(ascending.suffix(count)).ratio(to: total)
        }
        var lorenz: [(users: Double, cost: Double)] = [(0, 0)]
        var prefix = Money.zero
        var index = 0
        for step in 1...100 {
            let upTo = (step * n) / 100
            while index < upTo {
                prefix += ascending[index]
                index += 1
            }
            lorenz.append((Double(step) / 100, prefix.ratio(to: total)))
        }
        return Concentration(gini: gini, top1: top(1), top5: top(5), top10: top(10), lorenz: lorenz)
    }
}
