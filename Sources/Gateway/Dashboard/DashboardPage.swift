import Foundation
import TokenomicsCore
import UsageAnalysis
import Ledger
import Pricing
import Reports

/// Server-rendered dashboard HTML: inline CSS and SVG charts from `Reports`, no script.
///
/// The page reloads itself only when asked (`?refresh=60` adds a `<meta http-equiv="refresh">`).
enum DashboardPage {
    static func render(_ view: DashboardView, snapshot s: DashboardSnapshot, catalog: Catalog, backend: String) -> String {
        let tables = s.tables(view, catalog: catalog)
        func table(_ id: String) -> String {
            guard let table = tables.first(where: { $0.id == id }) else { return "" }
            return table.html(csvLink: "\(view.path)?\(view.query([("format", "csv"), ("table", id)]))")
        }
        let title: String
        switch view.page {
        case .overview: title = "Spend dashboard"
        case .user(let name): title = "User \(name)"
        case .feature(let name): title = "Feature \(name)"
        }
        let range = view.range
        var body = filters(view)

        // Tiles: periods against the one before, the forecast, the selected period.
        var tiles = ""
        let pairs = [("today", "Today", "yesterday"), ("week", "This week", "last week"), ("month", "This month", "last month")]
        for (index, (id, label, previousLabel)) in pairs.enumerated() where s.periods.count > 2 * index + 1 {
            let now = s.periods[2 * index], before = s.periods[2 * index + 1]
            tiles += tile(id: id, label: label, value: now.cost, note: "\(DashboardFormat.change(now.cost, before.cost)) vs \(previousLabel) (\(before.cost.formatted()))")
        }
        tiles += tile(id: "forecast", label: "Month forecast", value: s.forecast, note: "this month's pace, extended to its end")
        tiles += tile(id: "period", label: view.period.label, value: s.totals.cost, note: "\(groupedDigits(s.totals.requests)) requests · \(s.totals.averageCost.formatted()) each")
        tiles += tile(
            id: "saved", label: "Saved by the result cache", value: s.totals.saving,
            note: "\(pct(s.totals.cacheHitRate)) hit rate · \(groupedDigits(s.totals.cacheHits)) requests")
        body += "<section class=\"tiles\" id=\"tiles\">\n\(tiles)</section>\n"
        body += "<section id=\"periods\"><h2>Spend by period</h2>\n\(table("periods"))</section>\n"

        // Spend over time, stacked.
        body += "<section id=\"over-time\"><h2>Spend over time</h2>\n<figure class=\"wide\">\(stackedChart(view, s))</figure>\n"
        body += "<details><summary>Table</summary>\(table("spend-over-time"))</details></section>\n"

        // The per-user distribution.
        if tables.contains(where: { $0.id == "distribution" }) {
            let c = s.concentration
            let histogram = Histogram(
                title: "Spend per user, \(view.period.label.lowercased())", xLabel: "USD per user",
                bins: s.histogram().map { Histogram.Bin(lower: $0.lower, upper: $0.upper, count: $0.users) })
            let lorenz = LorenzCurve(title: "Who bears the cost (Lorenz curve)", points: c.lorenz.map { ($0.users, $0.cost) }, gini: c.gini)
            body += "<section id=\"distribution\"><h2>Per-user cost distribution</h2>\n"
            body += "<p class=\"shares\">Top 1% of users: <strong id=\"top1\">\(pct(c.top1))</strong> of spend · top 5%: <strong id=\"top5\">\(pct(c.top5))</strong> · top 10%: <strong id=\"top10\">\(pct(c.top10))</strong> · Gini \(String(format: "%.2f", c.gini))</p>\n"
            body += "<div class=\"charts\"><figure>\(histogram.svg())</figure><figure>\(lorenz.svg())</figure></div>\n"
            body += "<div class=\"pair\">\(table("distribution"))\(table("top-users"))</div></section>\n"
        }

        // Features and models.
        body += "<section id=\"usage\"><h2>Features and models</h2>\n"
        var bars: [BarChart.Bar] = []
        for group in (view.page == .feature(view.feature ?? "") ? s.models : s.features).prefix(10) {
            bars.append(BarChart.Bar(label: DashboardFormat.name(group.key), value: group.totals.cost.doubleValue, valueLabel: group.totals.cost.formatted()))
        }
        if !bars.isEmpty {
            let chartTitle = view.page == .feature(view.feature ?? "") ? "Spend by model" : "Spend by feature"
            body += "<figure class=\"bars\">\(BarChart(title: chartTitle, bars: bars, xLabel: "USD in the period").svg())</figure>\n"
        }
        body += table("features") + table("models") + "</section>\n"

        body += "<section id=\"cache\"><h2>Caching</h2>\n\(table("cache"))</section>\n"
        body += "<section id=\"limits\"><h2>Budgets and refusals</h2>\n\(table("budgets"))\(table("refusals"))\(table("recent-refusals"))</section>\n"
        if view.page != .overview { body += "<section id=\"recent\"><h2>Recent requests</h2>\n\(table("recent"))</section>\n" }

        let subtitle = "\(view.period.label): \(DashboardFormat.time(range.from)) – \(DashboardFormat.time(range.to)) UTC · ledger: \(backend) · updated \(DashboardFormat.time(view.now))"
        return shell(title: title, subtitle: subtitle, refresh: view.refresh, body: body, signedIn: true)
    }

    static func pct(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func tile(id: String, label: String, value: Money, note: String) -> String {
        "<div class=\"tile\" id=\"tile-\(id)\" data-usd=\"\(value.exactString)\"><span class=\"label\">\(HTMLPage.escape(label))</span><span class=\"value\">\(HTMLPage.escape(value.formatted()))</span><span class=\"note\">\(HTMLPage.escape(note))</span></div>\n"
    }

    static func stackedChart(_ view: DashboardView, _ s: DashboardSnapshot) -> String {
        // Buckets over the whole period (empty ones included), stacks limited to the 7 costliest plus "other".
        let range = view.range
        let width = view.bucket.milliseconds
        let first = range.from.dashboardMilliseconds / width, last = max(first, (range.to.dashboardMilliseconds - 1) / width)
        let count = Int(min(last - first + 1, 2000))
        var totals: [String: Money] = [:]
        for point in s.series { totals[DashboardFormat.name(point.stack), default: .zero] += point.cost }
        let ranked = totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        let kept = Array(ranked.prefix(ranked.count > 8 ? 7 : 8))
        let names = kept + (ranked.count > kept.count ? ["other"] : [])
        var values = Dictionary(uniqueKeysWithValues: names.map { ($0, Array(repeating: 0.0, count: count)) })
        for point in s.series {
            let index = Int(point.bucket.dashboardMilliseconds / width - first)
            guard index >= 0, index < count else { continue }
            let name = DashboardFormat.name(point.stack)
            values[kept.contains(name) ? name : "other"]?[index] += point.cost.doubleValue
        }
        let labels = (0..<count).map { DashboardFormat.bucket(Date(dashboardMilliseconds: (first + Int64($0)) * width), view.bucket) }
        let chart = StackedBarChart(
            title: "Spend per \(view.bucket.rawValue) by \(view.stack.rawValue)", yLabel: "USD",
            buckets: labels, series: names.map { StackedBarChart.Series(name: $0, values: values[$0] ?? []) })
        return chart.svg()
    }

    static func filters(_ view: DashboardView) -> String {
        var out = "<form class=\"filters\" method=\"get\" action=\"\(HTMLPage.escape(view.path))\">\n<label>Period <select name=\"period\">"
        for period in DashboardView.Period.allCases {
            out += "<option value=\"\(period.rawValue)\"\(period == view.period ? " selected" : "")>\(period.label)</option>"
        }
        out += "</select></label>\n"
        func field(_ name: String, _ label: String, _ value: String?, hidden: Bool) -> String {
            hidden ? "" : "<label>\(label) <input name=\"\(name)\" value=\"\(HTMLPage.escape(value ?? ""))\" placeholder=\"all\" size=\"12\"></label>\n"
        }
        if case .user = view.page {} else { out += field("user", "User", view.user, hidden: false) }
        if case .feature = view.page {} else { out += field("feature", "Feature", view.feature, hidden: false) }
        out += field("model", "Model", view.model, hidden: false)
        out += "<label>Stack by <select name=\"stack\"><option value=\"model\"\(view.stack == .model ? " selected" : "")>model</option><option value=\"feature\"\(view.stack == .feature ? " selected" : "")>feature</option></select></label>\n"
        if let refresh = view.refresh { out += "<input type=\"hidden\" name=\"refresh\" value=\"\(refresh)\">\n" }
        out += "<button type=\"submit\">Apply</button></form>\n"
        return out
    }

    /// The login form (answered with 401).
    static func login(message: String?, next: String) -> String {
        var body = "<form class=\"login\" method=\"post\" action=\"/dashboard/login\">\n"
        if let message { body += "<p class=\"error\">\(HTMLPage.escape(message))</p>\n" }
        body += "<label>Admin key <input type=\"password\" name=\"key\" autocomplete=\"current-password\" required autofocus></label>\n"
        body += "<input type=\"hidden\" name=\"next\" value=\"\(HTMLPage.escape(next))\">\n<button type=\"submit\">Sign in</button>\n"
        body += "<p class=\"note\">The key is the value of the environment variable named by <code>admin_key_env</code> in the gateway's configuration. Scripts may instead send it as <code>Authorization: Bearer …</code>.</p></form>\n"
        return shell(title: "Sign in to the dashboard", subtitle: nil, refresh: nil, body: body, signedIn: false)
    }

    /// A short page with a message (dashboard off, not found).
    static func message(title: String, text: String) -> String {
        shell(title: title, subtitle: nil, refresh: nil, body: "<p>\(HTMLPage.escape(text))</p>\n", signedIn: false)
    }

    static func shell(title: String, subtitle: String?, refresh: Int?, body: String, signedIn: Bool) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        \(refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")
        <title>\(HTMLPage.escape(title)) · Tokenomics</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header class="bar"><a class="brand" href="/dashboard">Tokenomics</a>\
        \(signedIn ? "<form method=\"post\" action=\"/dashboard/logout\"><button type=\"submit\" class=\"link\">Sign out</button></form>" : "")</header>
        <main>
        <h1>\(HTMLPage.escape(title))</h1>
        \(subtitle.map { "<p class=\"subtitle\">\(HTMLPage.escape($0))</p>" } ?? "")
        \(body)
        <footer>Tokenomics gateway dashboard. Amounts are exact sums of the ledger; CSV links give the exact decimals.</footer>
        </main>
        </body>
        </html>
        """
    }

    static let css = """
        :root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #2f6fde; --bad: #d64545; --good: #2f9e6e; --panel: #fff; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f2f5f8; }
        header.bar { display: flex; justify-content: space-between; align-items: center; padding: 8px 20px; background: #1f2933; }
        header.bar a.brand { color: #fff; font-weight: 700; text-decoration: none; }
        header.bar form { margin: 0; } button.link { background: none; border: 0; color: #d9e2ec; cursor: pointer; font: inherit; }
        main { max-width: 1280px; margin: 0 auto; padding: 16px 20px 40px; }
        h1 { font-size: 24px; margin: 6px 0 2px; } h2 { font-size: 18px; margin: 0 0 10px; } h3 { font-size: 14px; margin: 0; }
        .subtitle { color: var(--muted); margin: 0 0 12px; font-size: 13px; }
        section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
        form.filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: end; font-size: 13px; }
        form.filters label { display: flex; flex-direction: column; color: var(--muted); }
        input, select, button { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; background: #fff; color: var(--ink); }
        button[type=submit]:not(.link) { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
        section.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; }
        .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; display: flex; flex-direction: column; }
        .tile .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .tile .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
        .tile .note { color: var(--muted); font-size: 12px; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 16px; }
        .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 16px; align-items: start; }
        figure { margin: 0; } figure.bars { max-width: 640px; }
        svg { width: 100%; height: auto; font-family: inherit; display: block; }
        .shares { margin: 0 0 8px; }
        .table { margin: 12px 0; } .table-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
        a.csv { font-size: 12px; color: var(--accent); }
        .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; }
        th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; white-space: nowrap; }
        th { background: #f0f4f8; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.empty { color: var(--muted); font-style: italic; }
        form.login { max-width: 420px; display: flex; flex-direction: column; gap: 12px; background: var(--panel); padding: 18px; border: 1px solid var(--line); border-radius: 8px; }
        form.login label { display: flex; flex-direction: column; gap: 4px; }
        details summary { cursor: pointer; color: var(--accent); font-size: 13px; margin-top: 8px; }
        .error { color: var(--bad); font-weight: 600; } .note { color: var(--muted); font-size: 12px; }
        footer { color: var(--muted); font-size: 12px; margin-top: 24px; }
        @media (max-width: 600px) { main { padding: 10px; } section { padding: 10px; } .tile .value { font-size: 21px; } h1 { font-size: 20px; } }
        """
}
