import Pricing
public import TokenomicsCore
public import UsageAnalysis

/// Renders the results of `tokenomics analyze` as text, Markdown, JSON or CSV.
public enum AnalysisReport: Sendable {
    // MARK: JSON

    /// The stable JSON document (documented in docs/analyze.md).
    public static func json(_ r: AnalysisResult, extras: AnalysisExtras = AnalysisExtras()) -> JSONValue {
        func group(_ g: GroupBreakdown, key: String) -> [(String, JSONValue)] {
            [
                (key, .string(g.name)), ("events", .int(g.events)), ("priced_events", .int(g.pricedEvents)),
                ("cost_usd", .money(g.cost)), ("cost_usd_exact", .moneyString(g.cost)),
                ("share_of_cost", .double(g.share(of: r.totals.cost))),
                ("input_tokens", .int(g.tokens.input)), ("output_tokens", .int(g.tokens.output)),
                ("cached_input_tokens", .int(g.tokens.cachedInput)), ("cache_write_tokens", .int(g.tokens.cacheWrite)),
                ("reasoning_tokens", .int(g.tokens.reasoning)), ("cache_hit_rate", .double(g.tokens.cacheHitRate)),
                ("cache_saving_usd", .money(g.cacheSaving)),
            ]
        }
        let d = r.perUserMonthly
        let c = r.concentration
        var members: [(String, JSONValue)] = [
            ("events", .int(r.events)),
            ("bad_lines", .int(r.badLineCount)),
            ("first_bad_lines", .array(r.badLines.map { .object([("file", .string($0.file)), ("line", .int($0.line)), ("reason", .string($0.reason))]) })),
            ("total_cost_usd", .money(r.totals.cost)),
            ("total_cost_usd_exact", .moneyString(r.totals.cost)),
            ("priced_events", .int(r.totals.pricedEvents)),
            ("billed_events", .int(r.billedEvents)),
            ("unpriced_events", .int(r.unpricedEvents)),
            ("first_event", .optional(r.firstTimestamp) { .string(UTC.timestampString($0)) }),
            ("last_event", .optional(r.lastTimestamp) { .string(UTC.timestampString($0)) }),
            ("users", .int(r.users)),
            ("user_months", .int(d.samples)),
            ("tokens", .object([
                ("input", .int(r.totals.tokens.input)), ("output", .int(r.totals.tokens.output)),
                ("cached_input", .int(r.totals.tokens.cachedInput)), ("cache_write", .int(r.totals.tokens.cacheWrite)),
                ("reasoning", .int(r.totals.tokens.reasoning)),
            ])),
            ("per_user_monthly_cost_usd", .object([
                ("mean", .money(d.mean)), ("p50", .money(d.p50)), ("p90", .money(d.p90)), ("p99", .money(d.p99)), ("max", .money(d.max)),
            ])),
            ("top_share", .object([("top1", .double(c.top1)), ("top5", .double(c.top5)), ("top10", .double(c.top10))])),
            ("gini", .double(c.gini)),
            ("lorenz", .array(c.lorenz.map { .array([.double($0.users), .double($0.cost)]) })),
            ("prompt_cache", .object([
                ("hit_rate", .double(r.totals.tokens.cacheHitRate)), ("saving_usd", .money(r.totals.cacheSaving)),
            ])),
            ("duplicate_request_share", .double(r.duplicates.share)),
            ("duplicates", .object([
                ("events_with_request_hash", .int(r.duplicates.eventsWithHash)), ("duplicate_events", .int(r.duplicates.duplicates)),
                ("result_cache_saving_usd", .money(r.duplicates.saving)), ("lower_bound", .bool(r.duplicates.saturated)),
            ])),
            ("by_model", .array(r.byModel.map { m in
                .object(group(m.group, key: "model") + [
                    ("catalog_model", .optional(m.catalogName) { .string($0) }), ("unpriced_events", .int(m.unpricedEvents)),
                    ("billed_events", .int(m.billedEvents)), ("billed_usd", .money(m.billed)), ("catalog_usd_for_billed", .money(m.catalogForBilled)),
                ])
            })),
            ("by_feature", .array(r.byFeature.map { .object(group($0, key: "feature")) })),
            ("by_day", .array(r.byDay.map { .object(group($0, key: "day")) })),
            ("top_users", .array(r.topUsers.map { .object([("user", .string($0.user)), ("events", .int($0.events)), ("cost_usd", .money($0.cost))]) })),
            ("unpriced_models", .array(r.unpricedModels.map { .object([("model", .string($0.model)), ("events", .int($0.events))]) })),
            ("billing_discrepancies", .array(discrepancies(r).map { m in
                .object([
                    ("model", .string(m.group.name)), ("billed_events", .int(m.billedEvents)), ("billed_usd", .money(m.billed)),
                    ("catalog_usd", .money(m.catalogForBilled)), ("difference_usd", .money(m.billed - m.catalogForBilled)),
                    ("billed_without_catalog_price", .int(m.billedWithoutCatalog)),
                ])
            })),
            ("calls_per_interaction", .array(r.interactionsByFeature.map {
                .object([
                    ("feature", .string($0.feature)), ("events", .int($0.eventsWithInteraction)), ("interactions_estimate", .int($0.interactions)),
                    ("calls_per_interaction", .double(Double($0.eventsWithInteraction) / Double(max(1, $0.interactions)))),
                ])
            })),
        ]
        members += extras.json
        return .object(members)
    }

    /// Models whose provider-billed cost differs from the catalog's price of the same events.
    public static func discrepancies(_ r: AnalysisResult) -> [ModelBreakdown] {
        r.byModel.filter { $0.billedEvents > 0 && ($0.billed != $0.catalogForBilled || $0.billedWithoutCatalog > 0) }
    }

    // MARK: Text and Markdown

    /// A report for a terminal (`markdown: false`) or Markdown.
    public static func text(_ r: AnalysisResult, markdown: Bool = false, extras: AnalysisExtras = AnalysisExtras()) -> String {
        var out: [String] = []
        func heading(_ title: String) { out.append(markdown ? "\n## \(title)\n" : "\n\(title)\n" + String(repeating: "=", count: title.count)) }
        func table(_ t: TextTable) { out.append(markdown ? t.markdown() : t.rendered()) }
        func pct(_ v: Double) -> String { v.isFinite ? String(format2(v * 100)) + "%" : "-" }

        out.append(markdown ? "# Usage analysis" : "Usage analysis")
        var summary = TextTable(columns: [.init(""), .init("", alignment: .right)])
        summary.append(["Events", formatCount(r.events)])
        if let first = r.firstTimestamp, let last = r.lastTimestamp {
            summary.append(["Period", UTC.dayString(UTC.day(of: first)) + " to " + UTC.dayString(UTC.day(of: last))])
        }
        summary.append(["Total cost", r.totals.cost.formatted()])
        summary.append(["Users", formatCount(r.users)])
        summary.append(["Tokens in / out", formatTokens(r.totals.tokens.input) + " / " + formatTokens(r.totals.tokens.output)])
        summary.append(["Prompt-cache hit rate", pct(r.totals.tokens.cacheHitRate)])
        summary.append(["Prompt-cache saving", r.totals.cacheSaving.formatted()])
        summary.append(["Duplicate requests", pct(r.duplicates.share) + " (\(formatCount(r.duplicates.duplicates)))"])
        summary.append(["Result cache would save", r.duplicates.saving.formatted() + (r.duplicates.saturated ? " (at least)" : "")])
        if r.billedEvents > 0 { summary.append(["Provider-billed events", formatCount(r.billedEvents)]) }
        if r.unpricedEvents > 0 { summary.append(["Unpriced events (excluded)", formatCount(r.unpricedEvents)]) }
        summary.append(["Bad lines", formatCount(r.badLineCount)])
        table(summary)

        heading("Monthly cost per user")
        let d = r.perUserMonthly
        var dist = TextTable(columns: [.init("samples", alignment: .right), .init("mean", alignment: .right), .init("p50", alignment: .right),
                                       .init("p90", alignment: .right), .init("p99", alignment: .right), .init("max", alignment: .right)])
        dist.append([formatCount(d.samples), d.mean.formatted(), d.p50.formatted(), d.p90.formatted(), d.p99.formatted(), d.max.formatted()])
        table(dist)
        let c = r.concentration
        out.append("Top 1% of users: \(pct(c.top1)) of cost; top 5%: \(pct(c.top5)); top 10%: \(pct(c.top10)). Gini \(format2(c.gini)).")
        out.append("(One sample per user and calendar month, UTC; quantiles are nearest-rank.)")

        func groups(_ title: String, _ key: String, _ rows: [GroupBreakdown], limit: Int = 20) {
            heading(title)
            var t = TextTable(columns: [.init(key), .init("events", alignment: .right), .init("cost", alignment: .right), .init("share", alignment: .right),
                                        .init("in", alignment: .right), .init("out", alignment: .right), .init("cache hit", alignment: .right)])
            for g in rows.prefix(limit) {
                t.append([g.name.isEmpty ? "(none)" : g.name, formatCount(g.events), g.cost.formatted(), pct(g.share(of: r.totals.cost)),
                          formatTokens(g.tokens.input), formatTokens(g.tokens.output), pct(g.tokens.cacheHitRate)])
            }
            if rows.count > limit { t.append(["… \(rows.count - limit) more"]) }
            table(t)
        }
        groups("By model", "model", r.byModel.map(\.group))
        groups("By feature", "feature", r.byFeature)

        heading("Costliest users")
        var users = TextTable(columns: [.init("user"), .init("events", alignment: .right), .init("cost", alignment: .right), .init("share", alignment: .right)])
        for u in r.topUsers.prefix(10) { users.append([u.user, formatCount(u.events), u.cost.formatted(), pct(r.totals.cost.units == 0 ? 0 : u.cost.ratio(to: r.totals.cost))]) }
        table(users)

        if !r.unpricedModels.isEmpty {
            heading("Models the catalog does not know (not priced)")
            var t = TextTable(columns: [.init("model"), .init("events", alignment: .right)])
            for m in r.unpricedModels { t.append([m.model, formatCount(m.events)]) }
            table(t)
            out.append("Add them with a custom-models file (--catalog FILE) to price them.")
        }
        let gaps = discrepancies(r)
        if !gaps.isEmpty {
            heading("Provider-billed vs catalog")
            var t = TextTable(columns: [.init("model"), .init("billed events", alignment: .right), .init("provider billed", alignment: .right),
                                        .init("catalog says", alignment: .right), .init("difference", alignment: .right)])
            for m in gaps { t.append([m.group.name, formatCount(m.billedEvents), m.billed.formatted(), m.catalogForBilled.formatted(), (m.billed - m.catalogForBilled).formatted()]) }
            table(t)
        }
        out += extras.text(markdown)
        if r.badLineCount > 0 {
            heading("Bad lines")
            out.append("\(formatCount(r.badLineCount)) malformed lines were skipped. First \(r.badLines.count):")
            for bad in r.badLines { out.append((markdown ? "- " : "  ") + bad.description) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: CSV

    /// One row per model, feature and day (`kind,name,events,cost_usd,…`).
    public static func csv(_ r: AnalysisResult) -> String {
        var lines = ["kind,name,events,priced_events,cost_usd,input_tokens,output_tokens,cached_input_tokens,cache_write_tokens,reasoning_tokens,cache_saving_usd"]
        func row(_ kind: String, _ g: GroupBreakdown) {
            lines.append([kind, csvField(g.name), String(g.events), String(g.pricedEvents), g.cost.exactString, String(g.tokens.input),
                          String(g.tokens.output), String(g.tokens.cachedInput), String(g.tokens.cacheWrite), String(g.tokens.reasoning),
                          g.cacheSaving.exactString].joined(separator: ","))
        }
        row("total", r.totals)
        for m in r.byModel { row("model", m.group) }
        for f in r.byFeature { row("feature", f) }
        for d in r.byDay { row("day", d) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") || text.contains("\n") ? "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : text
    }

    static func formatCount(_ value: Int) -> String { formatTokens(value) }

    static func format2(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let scaled = (value * 100).rounded()
        let whole = Int(scaled / 100)
        let frac = Int(abs(scaled).truncatingRemainder(dividingBy: 100))
        return (scaled < 0 && whole == 0 ? "-" : "") + "\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}

/// Optional sections (plans, levers, fits) added to an analysis report.
public struct AnalysisExtras: Sendable {
    /// Extra JSON members.
    public var json: [(String, JSONValue)]
    /// Extra text sections, given whether Markdown is wanted.
    public var text: @Sendable (Bool) -> [String]

    public init(json: [(String, JSONValue)] = [], text: @escaping @Sendable (Bool) -> [String] = { _ in [] }) {
        self.json = json
        self.text = text
    }
}
