public import Modeling
import Pricing
import CostModel
import Foundation
import TokenomicsCore

extension ScenarioReport {
    /// The report as one self-contained HTML page with inline SVG charts: the cost-per-user
    /// histogram, the Lorenz curve, lever savings and the projection.
    public static func html(_ result: ScenarioResult) -> String {
        var page = HTMLPage(title: result.scenario.name, subtitle: "Unit economics modelled by Tokenomics · seed \(result.seed) · \(result.users.users) simulated users")
        let verdict = result.verdict
        page.add(html: "<div class=\"verdict \(verdict.kind.rawValue)\"><strong>Verdict: \(HTMLPage.escape(verdict.kind.headline))</strong> — \(HTMLPage.escape(verdict.kind.advice)).\n\(HTMLPage.list(verdict.reasons))</div>")
        page.add(heading: "Summary", html: HTMLPage.list(summaryLines(result)))

        var charts: [String] = []
        var bins = result.users.histogram.map { Histogram.Bin(lower: $0.lower.doubleValue, upper: $0.upper.doubleValue, count: $0.users) }
        // Draw the bin of everyone above p99 as wide as the others, at the right end.
        if bins.count > 1, let first = bins.first, var last = bins.last, last.upper - last.lower > first.upper - first.lower {
            last.upper = last.lower + (first.upper - first.lower)
            bins[bins.count - 1] = last
        }
        let histogram = Histogram(title: "Monthly cost per user", xLabel: "monthly inference cost per user (USD)", bins: bins)
        charts.append(figure(histogram.svg(), caption: "Simulated users by monthly cost; the last bar gathers everyone above p99."))
        let lorenz = LorenzCurve(title: "Who bears the cost (Lorenz curve)", points: result.users.lorenz.map { ($0.users, $0.cost) }, gini: result.users.gini)
        charts.append(figure(lorenz.svg(), caption: "Top 1% of users: \(percent(result.users.top1)) of cost; top 10%: \(percent(result.users.top10))."))
        if !result.levers.isEmpty {
            let bars = BarChart(
                title: "Monthly saving by lever", bars: result.levers.map { BarChart.Bar(label: $0.kind.rawValue + ": " + shortChange($0.change), value: $0.monthlySaving.doubleValue, valueLabel: $0.monthlySaving.formatted()) }
            )
            charts.append(figure(bars.svg(), caption: "Each lever on its own, against today's cost."))
        }
        if !result.projection.isEmpty {
            var series = [LineChart.Series(name: "inference cost", color: "#d64545", values: result.projection.map { (Double($0.month), $0.cost.doubleValue) })]
            if result.primaryPlan != nil {
                series.append(LineChart.Series(name: "revenue", color: "#2f6fde", values: result.projection.map { (Double($0.month), $0.revenue.doubleValue) }))
            }
            let chart = LineChart(title: "Projection" + (result.primaryPlan.map { " (plan \($0))" } ?? ""), xLabel: "month", yLabel: "USD a month", series: series)
            charts.append(figure(chart.svg(), caption: "Users growing \(percent(result.scenario.projection.userGrowthMonthly)) a month; model prices falling \(percent(result.scenario.projection.annualPriceDecline)) a year."))
        }
        page.add(heading: "Charts", html: "<div class=\"charts\">\n" + charts.joined(separator: "\n") + "\n</div>")
        page.add(heading: "What one interaction costs", html: HTMLPage.table(interactionTable(result)))
        page.add(heading: "Monthly cost per user", html: HTMLPage.table(userTable(result)))
        if !result.plans.isEmpty {
            page.add(heading: "Plans", html: HTMLPage.table(planTable(result)) + HTMLPage.list(result.plans.map { "\($0.plan.name): \($0.recommendation.text)" }))
        }
        if !result.levers.isEmpty { page.add(heading: "Levers", html: HTMLPage.table(leverTable(result))) }
        if !result.projection.isEmpty { page.add(heading: "Projection", html: HTMLPage.table(projectionTable(result))) }
        return page.rendered()
    }

    static func figure(_ svg: String, caption: String) -> String {
        "<figure>\n\(svg)\n<figcaption>\(HTMLPage.escape(caption))</figcaption>\n</figure>"
    }

    static func shortChange(_ change: String) -> String {
        let first = change.split(separator: ";").first.map(String.init) ?? change
        if let colon = first.lastIndex(of: ":") { return String(first[first.index(after: colon)...]).trimmingCharacters(in: .whitespaces) }
        return first
    }
}
