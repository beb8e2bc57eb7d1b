import Foundation
import Pricing
import TokenomicsCore
public import UsageAnalysis

extension AnalysisReport {
    /// The analysis as one self-contained HTML page with inline SVG charts, built from the same
    /// `Reports` charts as the modeller's report: the monthly-cost-per-user histogram, the Lorenz
    /// curve, spend per day, and cost by model and by feature; then the tables.
    public static func html(_ r: AnalysisResult, extras: AnalysisExtras = AnalysisExtras()) -> String {
        var subtitle = "\(formatCount(r.events)) events · \(formatCount(r.users)) users · analysed by Tokenomics"
        if let first = r.firstTimestamp, let last = r.lastTimestamp {
            subtitle = UTC.dayString(UTC.day(of: first)) + " to " + UTC.dayString(UTC.day(of: last)) + " · " + subtitle
        }
        var page = HTMLPage(title: "Usage analysis", subtitle: subtitle)
        let d = r.perUserMonthly
        let c = r.concentration
        var summary = [
            "Total cost \(r.totals.cost.formatted()) over \(formatCount(r.events)) events (\(formatCount(r.badLineCount)) bad lines).",
            "Monthly cost per user: mean \(d.mean.formatted()), p50 \(d.p50.formatted()), p90 \(d.p90.formatted()), p99 \(d.p99.formatted()), max \(d.max.formatted()).",
            "The top 1% of users bear \(percent(c.top1)) of the cost, the top 10% \(percent(c.top10)) (Gini \(format2(c.gini))).",
            "Prompt-cache hit rate \(percent(r.totals.tokens.cacheHitRate)), saving \(r.totals.cacheSaving.formatted()).",
            "Exact-duplicate requests: \(percent(r.duplicates.share)); a result cache would have saved \(r.duplicates.saving.formatted()).",
        ]
        if !r.unpricedModels.isEmpty {
            summary.append("Not priced (unknown to the catalog): " + r.unpricedModels.map { "\($0.model) (\(formatCount($0.events)) events)" }.joined(separator: ", ") + ".")
        }
        page.add(heading: "Summary", html: HTMLPage.list(summary))

        var charts: [String] = []
        if let histogram = userHistogram(r) { charts.append(ScenarioReport.figure(histogram.svg(), caption: "User-months by inference cost; the last bar gathers everyone above p99.")) }
        if c.lorenz.count > 1 {
            let lorenz = LorenzCurve(title: "Who bears the cost (Lorenz curve)", points: c.lorenz.map { ($0.users, $0.cost) }, gini: c.gini)
            charts.append(ScenarioReport.figure(lorenz.svg(), caption: "Top 1% of users: \(percent(c.top1)) of cost; top 10%: \(percent(c.top10))."))
        }
        if r.byDay.count > 1 {
            let days = r.byDay.enumerated().map { (Double($0.offset + 1), $0.element.cost.doubleValue) }
            let chart = LineChart(title: "Spend per day", xLabel: "day of the period", yLabel: "USD a day", series: [LineChart.Series(name: "cost", color: "#d64545", values: days)])
            charts.append(ScenarioReport.figure(chart.svg(), caption: "From \(r.byDay.first!.name) to \(r.byDay.last!.name)."))
        }
        for (title, groups) in [("Cost by model", r.byModel.map(\.group)), ("Cost by feature", r.byFeature)] where !groups.isEmpty {
            let bars = BarChart(title: title, bars: groups.prefix(12).map { BarChart.Bar(label: $0.name, value: $0.cost.doubleValue, valueLabel: $0.cost.formatted()) }, xLabel: "USD")
            charts.append(ScenarioReport.figure(bars.svg(), caption: "\(title.lowercased()), largest first."))
        }
        page.add(heading: "Charts", html: "<div class=\"charts\">\n" + charts.joined(separator: "\n") + "\n</div>")

        page.add(heading: "By model", html: HTMLPage.table(groupTable(r.byModel.map(\.group), total: r.totals.cost, label: "model")))
        page.add(heading: "By feature", html: HTMLPage.table(groupTable(r.byFeature, total: r.totals.cost, label: "feature")))
        var users = TextTable(columns: [.init("user"), .init("events", alignment: .right), .init("cost", alignment: .right), .init("share", alignment: .right)])
        for user in r.topUsers.prefix(25) {
            users.append([user.user, formatCount(user.events), user.cost.formatted(), percent(r.totals.cost.units == 0 ? 0 : user.cost.ratio(to: r.totals.cost))])
        }
        page.add(heading: "Top users", html: HTMLPage.table(users))
        let more = extras.text(true)
        if !more.isEmpty { page.add(heading: "Plans and opportunities", html: "<pre>" + HTMLPage.escape(more.joined(separator: "\n")) + "</pre>") }
        if !r.badLines.isEmpty {
            page.add(heading: "Bad lines", html: HTMLPage.list(r.badLines.map { "\($0.file):\($0.line): \($0.reason)" }))
        }
        return page.rendered()
    }

    static func groupTable(_ groups: [GroupBreakdown], total: Money, label: String) -> TextTable {
        var table = TextTable(columns: [
            .init(label), .init("events", alignment: .right), .init("input", alignment: .right), .init("output", alignment: .right),
            .init("cache hit", alignment: .right), .init("cost", alignment: .right), .init("share", alignment: .right),
        ])
        for group in groups {
            table.append([
                group.name, formatCount(group.events), formatTokens(group.tokens.input), formatTokens(group.tokens.output),
                percent(group.tokens.cacheHitRate), group.cost.formatted(), percent(group.share(of: total)),
            ])
        }
        return table
    }

    /// Equal-width bins from zero to the p99 user-month, and one bin for everyone above.
    static func userHistogram(_ r: AnalysisResult) -> Histogram? {
        let costs = r.userMonths.map(\.cost.doubleValue)
        guard costs.count > 1 else { return nil }
        let top = max(r.perUserMonthly.p99.doubleValue, 1e-9)
        let binCount = 20
        let width = top / Double(binCount)
        var counts = [Int](repeating: 0, count: binCount + 1)
        for cost in costs { counts[min(binCount, Int(cost / width))] += 1 }
        var bins = (0..<binCount).map { Histogram.Bin(lower: Double($0) * width, upper: Double($0 + 1) * width, count: counts[$0]) }
        if counts[binCount] > 0 { bins.append(Histogram.Bin(lower: top, upper: top + width, count: counts[binCount])) }
        return Histogram(title: "Monthly cost per user", xLabel: "monthly inference cost per user (USD)", yLabel: "user-months", bins: bins)
    }

    static func percent(_ value: Double) -> String { value.isFinite ? format2(value * 100) + "%" : "-" }
}
