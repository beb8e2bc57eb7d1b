import Foundation
import Ledger
import Pricing

/// What one dashboard request asks to see: the page, the period, filters and the stacking.
struct DashboardView: Sendable {
    /// The page.
    enum Page: Sendable, Equatable {
        case overview
        case user(String)
        case feature(String)
    }

    /// The periods the filter offers, in the order the form lists them.
    enum Period: String, Sendable, CaseIterable {
        case today, last24h = "24h", last7d = "7d", last30d = "30d", month, lastMonth = "lastmonth", last90d = "90d"

        var label: String {
            switch self {
            case .today: "Today"
            case .last24h: "Last 24 hours"
            case .last7d: "Last 7 days"
            case .last30d: "Last 30 days"
            case .month: "This month"
            case .lastMonth: "Last month"
            case .last90d: "Last 90 days"
            }
        }
    }

    var page: Page
    var period: Period
    var now: Date
    /// User, feature and model filters from the query string (the page's own subject is added on top).
    var user: String?
    var feature: String?
    var model: String?
    /// Stack spend over time by model or by feature.
    var stack: DashboardDimension
    /// Seconds between automatic reloads, if asked for.
    var refresh: Int?

    init(page: Page, query: [String: String], now: Date) {
        self.page = page
        self.now = now
        func value(_ name: String) -> String? { query[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        period = value("period").flatMap(Period.init(rawValue:)) ?? .last30d
        user = value("user")
        feature = value("feature")
        model = value("model")
        stack = value("stack") == "feature" ? .feature : .model
        refresh = value("refresh").flatMap(Int.init).map { max(5, $0) }
        if case .user(let name) = page { user = name }
        if case .feature(let name) = page { feature = name }
    }

    /// The selected period's half-open range.
    var range: (from: Date, to: Date) {
        let day = Date(dashboardMilliseconds: BudgetPeriod.day.start(containing: now))
        let dayLength: TimeInterval = 86_400
        switch period {
        case .today: return (day, now)
        case .last24h: return (now.addingTimeInterval(-dayLength), now)
        case .last7d: return (day.addingTimeInterval(-6 * dayLength), now)
        case .last30d: return (day.addingTimeInterval(-29 * dayLength), now)
        case .last90d: return (day.addingTimeInterval(-89 * dayLength), now)
        case .month: return (Date(dashboardMilliseconds: BudgetPeriod.month.start(containing: now)), now)
        case .lastMonth:
            let start = BudgetPeriod.month.start(containing: now)
            return (Date(dashboardMilliseconds: BudgetPeriod.month.start(containing: Date(dashboardMilliseconds: start - 1))), Date(dashboardMilliseconds: start))
        }
    }

    /// Hours for a day or less, days otherwise.
    var bucket: DashboardBucket { period == .today || period == .last24h ? .hour : .day }

    var filter: DashboardFilter {
        let range = range
        return DashboardFilter(from: range.from, to: range.to, user: user, feature: feature, model: model)
    }

    /// Today, yesterday, this week, last week, this month, last month (UTC; weeks start on Monday).
    var comparisonRanges: [(from: Date, to: Date)] {
        let day = BudgetPeriod.day.start(containing: now)
        let week = BudgetPeriod.week.start(containing: now)
        let month = BudgetPeriod.month.start(containing: now)
        let previousMonth = BudgetPeriod.month.start(containing: Date(dashboardMilliseconds: month - 1))
        func d(_ ms: Int64) -> Date { Date(dashboardMilliseconds: ms) }
        return [
            (d(day), now), (d(day - 86_400_000), d(day)),
            (d(week), now), (d(week - 7 * 86_400_000), d(week)),
            (d(month), now), (d(previousMonth), d(month)),
        ]
    }

    /// The length of the current month, for the forecast.
    var monthBounds: (start: Int64, end: Int64) {
        let start = BudgetPeriod.month.start(containing: now)
        let end = BudgetPeriod.month.start(containing: Date(dashboardMilliseconds: start + 32 * 86_400_000))
        return (start, end)
    }

    /// The query string that reproduces this view (without the page's own subject), plus extras.
    func query(_ extra: [(String, String)] = [], dropping: Set<String> = []) -> String {
        var items: [(String, String)] = [("period", period.rawValue)]
        if let user, page != .user(user) { items.append(("user", user)) }
        if let feature, page != .feature(feature) { items.append(("feature", feature)) }
        if let model { items.append(("model", model)) }
        if stack == .feature { items.append(("stack", "feature")) }
        if let refresh { items.append(("refresh", String(refresh))) }
        items = items.filter { !dropping.contains($0.0) } + extra
        return items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
    }

    /// The page's path.
    var path: String {
        switch page {
        case .overview: "/dashboard"
        case .user(let name): "/dashboard/user/\(Self.encodePath(name))"
        case .feature(let name): "/dashboard/feature/\(Self.encodePath(name))"
        }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func encodePath(_ text: String) -> String { encode(text) }
}

extension Date {
    /// Unix milliseconds, as the ledger stores times.
    var dashboardMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded(.down)) }

    init(dashboardMilliseconds: Int64) { self.init(timeIntervalSince1970: Double(dashboardMilliseconds) / 1000) }
}
