import Foundation
import Ledger
import Pricing
import TokenomicsCore
import UsageAnalysis

/// Everything one dashboard page shows, read from the ledger with SQL aggregates (run concurrently).
struct DashboardSnapshot: Sendable {
    /// Today, yesterday, this week, last week, this month, last month.
    var periods: [DashboardPeriodSpend]
    /// This month's spend so far, extended linearly to the whole month.
    var forecast: Money
    /// Sums over the selected period and filters.
    var totals: DashboardTotals
    var series: [DashboardSeriesPoint]
    /// Every user active in the period, costliest first (the distribution is computed from these sums).
    var users: [DashboardGroup]
    var features: [DashboardGroup]
    var models: [DashboardGroup]
    /// Requests answered with an error, by code.
    var refusals: [DashboardGroup]
    var recentRefusals: [RequestRecord]
    /// Newest requests (user and feature pages).
    var recent: [RequestRecord]
    var budgets: [BudgetStatus]
    var keys: [KeyInfo]

    /// Reads the page's figures.
    static func load(_ view: DashboardView, ledger: any DashboardLedger) async throws -> DashboardSnapshot {
        let filter = view.filter
        try await ledger.refreshDashboardRollups()
        async let periods = ledger.spend(in: view.comparisonRanges, filter: filter)
        async let totals = ledger.totals(filter)
        async let series = ledger.series(filter, bucket: view.bucket, stackBy: view.stack)
        async let users = ledger.breakdown(filter, by: .user)
        async let features = ledger.breakdown(filter, by: .feature)
        async let models = ledger.breakdown(filter, by: .model)
        async let refusals = ledger.breakdown(filter, by: .errorCode, onlyErrors: true)
        async let recentRefusals = ledger.recentRequests(filter, onlyErrors: true, limit: 20)
        async let recent = recentRequests(view, ledger: ledger)
        async let budgets = ledger.budgets(scope: nil, subject: nil, now: view.now)
        async let keys = ledger.keys(user: nil)
        let spent = try await periods
        let (start, end) = view.monthBounds
        // In whole seconds, so the exact product stays far inside Int128 (a month is 2.7 × 10⁶ s).
        let elapsed = max(1, (view.now.dashboardMilliseconds - start) / 1000)
        let monthSoFar = spent.count > 4 ? spent[4].cost : .zero
        let forecast = view.now.dashboardMilliseconds >= end ? monthSoFar : (monthSoFar * Int((end - start) / 1000)).divided(by: Int(elapsed))
        return DashboardSnapshot(
            periods: spent, forecast: forecast, totals: try await totals, series: try await series, users: try await users,
            features: try await features, models: try await models, refusals: try await refusals, recentRefusals: try await recentRefusals,
            recent: try await recent, budgets: try await budgets, keys: try await keys)
    }

    static func recentRequests(_ view: DashboardView, ledger: any DashboardLedger) async throws -> [RequestRecord] {
        view.page == .overview ? [] : try await ledger.recentRequests(view.filter, limit: 50)
    }

    /// Per-user spend of users with a name (requests without a user are left out of the distribution).
    var userAmounts: [Money] { users.compactMap { $0.key == nil ? nil : $0.totals.cost } }

    var concentration: Concentration { Statistics.concentration(userAmounts) }
    var distribution: CostDistribution { Statistics.distribution(userAmounts) }

    /// Equal-width bins from $0 to the costliest user.
    func histogram(bins count: Int = 24) -> [(lower: Double, upper: Double, users: Int)] {
        let amounts = userAmounts.map(\.doubleValue)
        guard let high = amounts.max(), !amounts.isEmpty else { return [] }
        let top = high > 0 ? high : 1
        let width = top / Double(count)
        var counts = Array(repeating: 0, count: count)
        for amount in amounts { counts[min(count - 1, max(0, Int(amount / width)))] += 1 }
        return counts.enumerated().map { (Double($0.offset) * width, Double($0.offset + 1) * width, $0.element) }
    }

    /// The user-scope budget of each user.
    var userBudgets: [String: BudgetStatus] {
        var result: [String: BudgetStatus] = [:]
        for budget in budgets where budget.scope == .user { result[budget.subject] = budget }
        return result
    }

    /// Budgets at or past their soft threshold, fullest first.
    var budgetsNearLimit: [BudgetStatus] {
        budgets.filter(\.isPastSoftThreshold).sorted { ($0.spent + $0.reserved).ratio(to: $0.limit) > ($1.spent + $1.reserved).ratio(to: $1.limit) }
    }

    /// What provider prompt caches saved, per model: cached and cache-write tokens priced as plain input, minus their price.
    /// Estimated at each model's base rates (context-length tiers ignored); models missing from the catalog count zero.
    func promptCacheSavings(catalog: Catalog) -> Money {
        var total = Money.zero
        for group in models {
            // `find`, not `model(named:)`: a miss must not rank the whole catalog for suggestions.
            guard let name = group.key, let price = catalog.find(name), let input = price.baseRate(.input) else { continue }
            for tokenClass in [TokenClass.cachedInput, .cacheWrite, .cacheWrite1h] {
                let tokens = group.totals[tokenClass]
                guard tokens > 0, let rate = price.baseRate(tokenClass) else { continue }
                total += (input - rate) * tokens
            }
        }
        return total
    }
}
