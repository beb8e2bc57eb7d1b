import CostModel
import Foundation
import Ledger
import Pricing
import Reports
import TokenomicsCore
import UsageAnalysis

/// A table the dashboard shows as HTML and serves as CSV (`?format=csv&table=ID`).
///
/// Each cell keeps two texts: what people read (`$1,234.56`, `12.5k`) and what a spreadsheet
/// gets (the exact decimal `1234.560000000000001`, `12500`).
struct DashboardTable: Sendable {
    struct Cell: Sendable {
        var text: String
        var csv: String
        var link: String?

        init(_ text: String, csv: String? = nil, link: String? = nil) {
            self.text = text
            self.csv = csv ?? text
            self.link = link
        }

        static func money(_ money: Money) -> Cell { Cell(money.formatted(), csv: money.exactString) }
        static func int(_ value: Int) -> Cell { Cell(groupedDigits(value), csv: String(value)) }
        static func percent(_ value: Double) -> Cell { Cell(String(format: "%.1f%%", value * 100), csv: String(format: "%.6f", value)) }
        static func time(_ date: Date?) -> Cell {
            guard let date else { return Cell("—", csv: "") }
            return Cell(DashboardFormat.time(date), csv: DashboardFormat.iso(date))
        }
    }

    /// The id used in `?table=`.
    var id: String
    var title: String
    var columns: [String]
    /// Indexes of right-aligned (numeric) columns.
    var numeric: Set<Int>
    var rows: [[Cell]] = []

    init(id: String, title: String, columns: [String], numeric: Set<Int>) {
        self.id = id
        self.title = title
        self.columns = columns
        self.numeric = numeric
    }

    mutating func append(_ cells: [Cell]) { rows.append(cells) }

    /// RFC 4180 CSV: a header line, then one line per row, exact values.
    var csv: String {
        func field(_ text: String) -> String {
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows { lines.append(row.map { field($0.csv) }.joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The table as HTML, with a CSV link.
    func html(csvLink: String) -> String {
        var out = "<div class=\"table\" id=\"table-\(id)\"><div class=\"table-head\"><h3>\(HTMLPage.escape(title))</h3>"
        out += "<a class=\"csv\" href=\"\(HTMLPage.escape(csvLink))\" download>CSV</a></div>\n<div class=\"scroll\"><table>\n<thead><tr>"
        for (index, column) in columns.enumerated() {
            out += "<th\(numeric.contains(index) ? " class=\"num\"" : "")>\(HTMLPage.escape(column))</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        if rows.isEmpty {
            out += "<tr><td colspan=\"\(columns.count)\" class=\"empty\">No rows in this period.</td></tr>\n"
        }
        for row in rows {
            out += "<tr>"
            for (index, cell) in row.enumerated() {
                let text = HTMLPage.escape(cell.text)
                let content = cell.link.map { "<a href=\"\(HTMLPage.escape($0))\">\(text)</a>" } ?? text
                out += "<td\(numeric.contains(index) ? " class=\"num\"" : "")>\(content)</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div></div>"
    }
}

enum DashboardFormat {
    /// UTC calendar fields of a time, by arithmetic (Foundation's `Calendar` is slow to create on Linux).
    static func fields(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        // Rounded, so that a ledger time (whole milliseconds divided by 1000) comes back exactly.
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = Int(DashboardFormat.floorDiv(ms, 86_400_000))
        let inDay = Int(ms - Int64(days) * 86_400_000)
        let (year, month, day) = BudgetPeriod.civil(days: Int64(days))
        return (Int(year), Int(month), Int(day), inDay / 3_600_000, inDay / 60_000 % 60, inDay / 1000 % 60, inDay % 1000)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// `2026-05-14 09:30` (UTC).
    static func time(_ date: Date) -> String {
        let f = fields(date)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2)) \(pad(f.hour, 2)):\(pad(f.minute, 2))"
    }

    /// `2026-05-14T09:30:12.345Z`.
    static func iso(_ date: Date) -> String {
        let f = fields(date)
        return "\(pad(f.year, 4))-\(pad(f.month, 2))-\(pad(f.day, 2))T\(pad(f.hour, 2)):\(pad(f.minute, 2)):\(pad(f.second, 2)).\(pad(f.millisecond, 3))Z"
    }

    /// `05-14` for a day bucket, `14:00` (or `05-14 14:00` across days) for an hour bucket.
    static func bucket(_ date: Date, _ bucket: DashboardBucket) -> String {
        let text = time(date)  // yyyy-MM-dd HH:mm
        return bucket == .day ? String(text.dropFirst(5).prefix(5)) : String(text.dropFirst(11))
    }

    static func name(_ key: String?) -> String { key ?? "(none)" }

    /// "+12%" / "−5%" / "new" change against a previous amount.
    static func change(_ now: Money, _ before: Money) -> String {
        guard before > .zero else { return now > .zero ? "new" : "—" }
        let ratio = now.ratio(to: before) - 1
        return (ratio >= 0 ? "+" : "−") + String(format: "%.0f%%", abs(ratio) * 100)
    }
}

/// The dashboard's tables, built from a snapshot.
extension DashboardSnapshot {
    static let periodNames = ["Today", "Yesterday", "This week", "Last week", "This month", "Last month"]

    func tables(_ view: DashboardView, catalog: Catalog) -> [DashboardTable] {
        var result: [DashboardTable] = []

        var periodTable = DashboardTable(id: "periods", title: "Spend by period", columns: ["Period", "From", "To", "Spend", "Requests", "Change vs previous"], numeric: [3, 4, 5])
        for (index, spend) in periods.enumerated() {
            let previous = index % 2 == 0 && index + 1 < periods.count ? periods[index + 1].cost : nil
            periodTable.append([
                .init(index < Self.periodNames.count ? Self.periodNames[index] : "Period"), .time(spend.from), .time(spend.to), .money(spend.cost), .int(spend.requests),
                .init(previous.map { DashboardFormat.change(spend.cost, $0) } ?? ""),
            ])
        }
        periodTable.append([.init("Month forecast"), .time(Date(dashboardMilliseconds: view.monthBounds.start)), .time(Date(dashboardMilliseconds: view.monthBounds.end)), .money(forecast), .init(""), .init("")])
        result.append(periodTable)

        var over = DashboardTable(id: "spend-over-time", title: "Spend per \(view.bucket.rawValue) by \(view.stack.rawValue)", columns: [view.bucket.rawValue.capitalized, view.stack.rawValue.capitalized, "Requests", "Spend"], numeric: [2, 3])
        for point in series {
            over.append([.time(point.bucket), .init(DashboardFormat.name(point.stack)), .int(point.requests), .money(point.cost)])
        }
        result.append(over)

        if view.page != .user(view.user ?? "") {
            let c = concentration, d = distribution
            var stats = DashboardTable(id: "distribution", title: "Per-user spend distribution", columns: ["Statistic", "Value"], numeric: [1])
            stats.append([.init("Users"), .int(d.samples)])
            stats.append([.init("Mean per user"), .money(d.mean)])
            stats.append([.init("Median (p50)"), .money(d.p50)])
            stats.append([.init("p90"), .money(d.p90)])
            stats.append([.init("p99"), .money(d.p99)])
            stats.append([.init("Costliest user"), .money(d.max)])
            stats.append([.init("Top 1% share"), .percent(c.top1)])
            stats.append([.init("Top 5% share"), .percent(c.top5)])
            stats.append([.init("Top 10% share"), .percent(c.top10)])
            stats.append([.init("Gini"), .init(String(format: "%.3f", c.gini))])
            result.append(stats)

            let budgets = userBudgets
            var top = DashboardTable(id: "top-users", title: "Top users", columns: ["User", "Spend", "Share", "Budget", "Remaining", "Requests", "Last seen"], numeric: [1, 2, 3, 4, 5])
            for group in users.prefix(50) {
                let budget = group.key.flatMap { budgets[$0] }
                let link = group.key.map { "/dashboard/user/\(DashboardView.encodePath($0))?\(view.query(dropping: ["user"]))" }
                top.append([
                    .init(DashboardFormat.name(group.key), link: link), .money(group.totals.cost),
                    .percent(totals.cost > .zero ? group.totals.cost.ratio(to: totals.cost) : 0),
                    budget.map { .init("\($0.limit.formatted()) / \($0.period.rawValue)", csv: $0.limit.exactString) } ?? .init("—", csv: ""),
                    budget.map { .money($0.remaining) } ?? .init("—", csv: ""), .int(group.totals.requests), .time(group.totals.lastSeen),
                ])
            }
            result.append(top)
        }

        func usageTable(_ id: String, _ title: String, _ name: String, _ groups: [DashboardGroup], link: ((String) -> String)?) -> DashboardTable {
            var table = DashboardTable(
                id: id, title: title,
                columns: [name, "Requests", "Input tokens", "Cached input", "Cache writes", "Output tokens", "Reasoning", "Spend", "Avg per request"],
                numeric: Set(1...8))
            for group in groups {
                let t = group.totals
                table.append([
                    .init(DashboardFormat.name(group.key), link: group.key.flatMap { key in link.map { $0(key) } }), .int(t.requests), .int(t[.input]),
                    .int(t[.cachedInput]), .int(t[.cacheWrite] + t[.cacheWrite1h]), .int(t[.output]), .int(t[.reasoning]), .money(t.cost), .money(t.averageCost),
                ])
            }
            return table
        }
        if view.page != .feature(view.feature ?? "") {
            result.append(usageTable("features", "By feature", "Feature", features) { "/dashboard/feature/\(DashboardView.encodePath($0))?\(view.query(dropping: ["feature"]))" })
        }
        result.append(usageTable("models", "By model", "Model", models, link: nil))

        var cache = DashboardTable(id: "cache", title: "Caching", columns: ["Measure", "Value"], numeric: [1])
        cache.append([.init("Result cache hit rate"), .percent(totals.cacheHitRate)])
        cache.append([.init("Requests served from the result cache"), .int(totals.cacheHits)])
        cache.append([.init("Dollars saved by the result cache"), .money(totals.saving)])
        cache.append([.init("Cached input tokens (provider prompt cache)"), .int(totals[.cachedInput])])
        cache.append([.init("Provider prompt-cache savings (at base rates)"), .money(promptCacheSavings(catalog: catalog))])
        result.append(cache)

        var budgetTable = DashboardTable(
            id: "budgets", title: "Budgets near or over their threshold",
            columns: ["Scope", "Subject", "User", "Period", "Budget", "Spent", "Reserved", "Remaining", "Used"], numeric: [4, 5, 6, 7, 8])
        for budget in budgetsNearLimit where Self.concerns(budget, view: view, keys: keys) {
            budgetTable.append([
                .init(budget.scope.rawValue), .init(budget.subject), .init(LedgerJSON.owner(of: budget, keys: keys) ?? ""), .init(budget.period.rawValue),
                .money(budget.limit), .money(budget.spent), .money(budget.reserved), .money(budget.remaining),
                .percent(budget.limit > .zero ? (budget.spent + budget.reserved).ratio(to: budget.limit) : 1),
            ])
        }
        result.append(budgetTable)

        var refusalTable = DashboardTable(id: "refusals", title: "Refusals and errors by reason", columns: ["Reason", "Requests", "Last seen"], numeric: [1])
        for group in refusals { refusalTable.append([.init(DashboardFormat.name(group.key)), .int(group.totals.requests), .time(group.totals.lastSeen)]) }
        result.append(refusalTable)

        var recentRefusalTable = DashboardTable(
            id: "recent-refusals", title: "Recent refusals", columns: ["Time", "User", "Feature", "Model", "Status", "Reason"], numeric: [4])
        for record in recentRefusals {
            recentRefusalTable.append([
                .time(record.time), .init(record.user ?? ""), .init(record.feature ?? ""), .init(record.modelRequested), .init(String(record.status)),
                .init(record.errorCode ?? ""),
            ])
        }
        result.append(recentRefusalTable)

        if view.page != .overview {
            var recentTable = DashboardTable(
                id: "recent", title: "Recent requests (metadata only)",
                columns: ["Time", "User", "Feature", "Endpoint", "Model", "Status", "Input", "Output", "Spend", "Latency", "Cache"], numeric: [5, 6, 7, 8, 9])
            for record in recent {
                recentTable.append([
                    .time(record.time), .init(record.user ?? ""), .init(record.feature ?? ""), .init(record.endpoint),
                    .init(record.modelServed ?? record.modelRequested), .init(String(record.status)), .int(record.usage.input), .int(record.usage.output),
                    .money(record.cost), .init(String(format: "%.0f ms", Double(record.latencyMicros) / 1000), csv: String(record.latencyMicros)),
                    .init(record.cacheHit ? "hit" : ""),
                ])
            }
            result.append(recentTable)
        }
        return result
    }

    /// Whether a budget belongs on a user's or feature's page (all budgets on the overview).
    static func concerns(_ budget: BudgetStatus, view: DashboardView, keys: [KeyInfo]) -> Bool {
        switch view.page {
        case .overview: true
        case .user(let name): LedgerJSON.owner(of: budget, keys: keys) == name
        case .feature(let name): budget.scope == .feature && budget.subject == name
        }
    }
}
