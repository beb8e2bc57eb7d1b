import Pricing
public import UsageAnalysis

/// Renders plan evaluations and lever opportunities as extra report sections.
public enum AnalysisInsightsReport: Sendable {
    /// JSON members `plans` and `levers`, and matching text sections.
    public static func extras(_ insights: Insights) -> AnalysisExtras {
        var json: [(String, JSONValue)] = []
        if !insights.plans.isEmpty {
            json.append(("plans", .array(insights.plans.map { p in
                .object([
                    ("plan", .string(p.planName)), ("kind", .string(p.planKind)), ("users", .int(p.users)),
                    ("revenue_usd", .money(p.revenue)), ("cost_usd", .money(p.cost)), ("margin_usd", .money(p.margin)),
                    ("margin_share", .double(p.revenue.units == 0 ? 0 : p.margin.ratio(to: p.revenue))),
                    ("underwater_users", .int(p.underwaterUsers)),
                    ("worst_users", .array(p.worst.map {
                        .object([("user", .string($0.user)), ("cost_usd", .money($0.cost)), ("revenue_usd", .money($0.revenue)), ("margin_usd", .money($0.margin))])
                    })),
                ])
            })))
        }
        json.append(("levers", .array(insights.levers.map { l in
            .object([
                ("kind", .string(l.kind.rawValue)), ("feature", .string(l.feature)), ("model", .string(l.model)),
                ("alternative", .optional(l.alternative) { .string($0) }), ("current_cost_usd", .money(l.currentCost)),
                ("saving_usd", .optional(l.saving) { .money($0) }), ("detail", .string(l.detail)),
            ])
        })))
        let text: @Sendable (Bool) -> [String] = { markdown in
            var out: [String] = []
            func heading(_ title: String) { out.append(markdown ? "\n## \(title)\n" : "\n\(title)\n" + String(repeating: "=", count: title.count)) }
            for p in insights.plans {
                heading("Plan \(p.planName) (\(p.planKind)), every user on it")
                var t = TextTable(columns: [.init("revenue", alignment: .right), .init("cost", alignment: .right), .init("margin", alignment: .right),
                                            .init("underwater users", alignment: .right)])
                t.append([p.revenue.formatted(), p.cost.formatted(), p.margin.formatted(), "\(p.underwaterUsers) of \(p.users)"])
                out.append(markdown ? t.markdown() : t.rendered())
                if !p.worst.isEmpty {
                    var w = TextTable(columns: [.init("underwater user"), .init("cost", alignment: .right), .init("revenue", alignment: .right), .init("margin", alignment: .right)])
                    for u in p.worst.prefix(10) { w.append([u.user, u.cost.formatted(), u.revenue.formatted(), u.margin.formatted()]) }
                    out.append(markdown ? w.markdown() : w.rendered())
                }
            }
            if !insights.levers.isEmpty {
                heading("Lever opportunities")
                for l in insights.levers {
                    let target = l.model.isEmpty ? l.feature : "\(l.feature) on \(l.model)"
                    let saving = l.saving.map { " — saves about \($0.formatted())" } ?? ""
                    out.append((markdown ? "- **" : "- ") + target + (markdown ? "**" : "") + saving + ": " + l.detail)
                }
            }
            return out
        }
        return AnalysisExtras(json: json, text: text)
    }
}
