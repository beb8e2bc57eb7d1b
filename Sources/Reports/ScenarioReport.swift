public import Modeling
import Pricing
import CostModel
import Foundation
public import TokenomicsCore

/// The modeller's report (`tokenomics model`) in text, Markdown, JSON and HTML.
///
/// ```swift
/// let result = try await ScenarioModel(catalog: catalog).run(scenario)
/// print(ScenarioReport.text(result))
/// let json = ScenarioReport.json(result).serialized()
/// ```
public enum ScenarioReport: Sendable {
    // MARK: Tables shared by text and Markdown

    static func interactionTable(_ result: ScenarioResult) -> TextTable {
        var table = TextTable(columns: [
            TextTable.Column("Interaction"), TextTable.Column("Share", alignment: .right), TextTable.Column("Call"),
            TextTable.Column("Model"), TextTable.Column("Turns", alignment: .right), TextTable.Column("Input", alignment: .right),
            TextTable.Column("Output", alignment: .right), TextTable.Column("Cached", alignment: .right), TextTable.Column("Cost", alignment: .right),
        ])
        for kind in result.pricing.kinds {
            for (index, call) in kind.calls.enumerated() {
                var notes: [String] = []
                if call.tier != .standard { notes.append(call.tier.rawValue) }
                if call.contextThreshold > 0 { notes.append(">\(formatTokens(call.contextThreshold)) tier") }
                table.append([
                    index == 0 ? kind.name : "", index == 0 ? percent(kind.share.doubleValue) : "", "\(index + 1)",
                    call.model + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"), "\(call.turns)",
                    formatTokens(call.usage.input), formatTokens(call.usage.output), formatTokens(call.usage.cachedInput), call.cost.formatted(),
                ])
            }
            if kind.calls.count > 1 { table.append(["", "", "", "", "", "", "", "total", kind.cost.formatted()]) }
        }
        return table
    }

    static func userTable(_ result: ScenarioResult) -> TextTable {
        let users = result.users
        let closed = result.closedForm
        var table = TextTable(columns: [
            TextTable.Column("Users"), TextTable.Column("Interactions", alignment: .right), TextTable.Column("Closed form", alignment: .right),
            TextTable.Column("Monthly cost", alignment: .right),
        ])
        table.append(["mean", number(users.meanInteractions), number(closed.meanInteractions), users.mean.formatted()])
        table.append(["p50", "\(users.p50Interactions)", number(closed.p50Interactions), users.p50.formatted()])
        table.append(["p90", "\(users.p90Interactions)", number(closed.p90Interactions), users.p90.formatted()])
        table.append(["p99", "\(users.p99Interactions)", number(closed.p99Interactions), users.p99.formatted()])
        table.append(["max", "\(users.maxInteractions)", "", users.max.formatted()])
        table.addRule()
        table.append(["top 1% share of cost", percent(users.top1), percent(closed.top1), ""])
        table.append(["top 5% share of cost", percent(users.top5), percent(closed.top5), ""])
        table.append(["top 10% share of cost", percent(users.top10), percent(closed.top10), ""])
        table.append(["Gini", String(format: "%.3f", users.gini), String(format: "%.3f", closed.gini), ""])
        return table
    }

    static func planTable(_ result: ScenarioResult) -> TextTable {
        var table = TextTable(columns: [
            TextTable.Column("Plan"), TextTable.Column("Revenue/mo", alignment: .right), TextTable.Column("Cost/mo", alignment: .right),
            TextTable.Column("Margin", alignment: .right), TextTable.Column("p50", alignment: .right), TextTable.Column("p90", alignment: .right),
            TextTable.Column("p99", alignment: .right), TextTable.Column("Underwater", alignment: .right), TextTable.Column("Break-even", alignment: .right),
        ])
        for plan in result.plans {
            table.append([
                plan.plan.name, scaled(plan.revenue, result).formatted(), scaled(plan.cost, result).formatted(), optionalPercent(plan.grossMargin),
                optionalPercent(plan.marginP50), optionalPercent(plan.marginP90), optionalPercent(plan.marginP99), percent(plan.underwaterShare),
                plan.breakEvenInteractions.map(formatTokens) ?? "never",
            ])
        }
        return table
    }

    static func leverTable(_ result: ScenarioResult) -> TextTable {
        let withQuality = result.levers.contains { $0.quality != nil }
        var columns = [
            TextTable.Column("#", alignment: .right), TextTable.Column("Lever"), TextTable.Column("Saving/mo", alignment: .right),
            TextTable.Column("New margin", alignment: .right), TextTable.Column("Change"),
        ]
        if withQuality { columns.append(TextTable.Column("Quality (rating)")) }
        var table = TextTable(columns: columns)
        for (index, lever) in result.levers.enumerated() {
            var row = ["\(index + 1)", lever.kind.rawValue, lever.monthlySaving.formatted(), optionalPercent(lever.newGrossMargin), lever.change]
            if withQuality { row.append(lever.quality?.summary ?? "") }
            table.append(row)
        }
        return table
    }

    static func projectionTable(_ result: ScenarioResult) -> TextTable {
        var table = TextTable(columns: [
            TextTable.Column("Month", alignment: .right), TextTable.Column("Users", alignment: .right), TextTable.Column("Price factor", alignment: .right),
            TextTable.Column("Cost", alignment: .right), TextTable.Column("Revenue", alignment: .right), TextTable.Column("Margin", alignment: .right),
        ])
        for month in result.projection {
            table.append([
                "\(month.month)", "\(month.users)", String(format: "%.3f", month.priceFactor), month.cost.formatted(), month.revenue.formatted(),
                optionalPercent(month.grossMargin),
            ])
        }
        return table
    }

    static func scaled(_ money: Money, _ result: ScenarioResult) -> Money {
        result.scale == 1 ? money : Money(approximating: money.doubleValue * result.scale)
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        return value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }

    static func optionalPercent(_ value: Double?) -> String { value.map(percent) ?? "n/a" }

    static func summaryLines(_ result: ScenarioResult) -> [String] {
        let scenario = result.scenario
        var lines = [
            "Users: \(scenario.users.active) active; interactions per month: \(scenario.users.population.summary)",
            "Cost per interaction: \(result.costPerInteraction.formatted())"
                + (scenario.resultCacheHitRate > .zero ? " (\(result.pricing.costBeforeResultCache.formatted()) before a \(percent(scenario.resultCacheHitRate.doubleValue)) result-cache hit rate)" : ""),
            "Monthly inference cost: \(result.monthlyCost.formatted())" + (result.monthlyRevenue.map { " against \($0.formatted()) revenue on plan \(result.primaryPlan ?? "")" } ?? ""),
            "Simulated users: \(result.users.users) (seed \(result.seed))",
        ]
        if result.scale != 1 { lines.append("Totals are scaled from the simulated users to the \(scenario.users.active) active users.") }
        return lines + result.notes
    }

    // MARK: Text

    /// The report as terminal text.
    public static func text(_ result: ScenarioResult) -> String {
        var out = "\(result.scenario.name)\n\(String(repeating: "=", count: result.scenario.name.count))\n\n"
        out += "Verdict: \(result.verdict.kind.headline.uppercased()) — \(result.verdict.kind.advice).\n"
        for reason in result.verdict.reasons { out += "  - \(reason)\n" }
        out += "\n" + summaryLines(result).joined(separator: "\n") + "\n"
        out += "\nWhat one interaction costs\n" + interactionTable(result).rendered() + "\n"
        out += "\nMonthly cost per user\n" + userTable(result).rendered() + "\n"
        if !result.plans.isEmpty {
            out += "\nPlans (margins at user percentiles; target \(percent(result.scenario.targetMargin.doubleValue)) at p99)\n" + planTable(result).rendered() + "\n"
            for plan in result.plans { out += "  \(plan.plan.name): \(plan.recommendation.text)\n" }
        }
        if !result.levers.isEmpty { out += "\nLevers, largest saving first\n" + leverTable(result).rendered() + "\n" }
        if !result.projection.isEmpty {
            let settings = result.scenario.projection
            out += "\nProjection (\(settings.months) months, prices falling \(percent(settings.annualPriceDecline)) a year, users growing \(percent(settings.userGrowthMonthly)) a month"
                + (result.primaryPlan.map { ", plan \($0)" } ?? "") + ")\n" + projectionTable(result).rendered() + "\n"
        }
        return out
    }

    // MARK: Markdown

    /// The report as GitHub-flavoured Markdown.
    public static func markdown(_ result: ScenarioResult) -> String {
        var out = "# \(result.scenario.name)\n\n"
        out += "**Verdict: \(result.verdict.kind.headline)** — \(result.verdict.kind.advice).\n\n"
        out += result.verdict.reasons.map { "- \($0)\n" }.joined() + "\n"
        out += summaryLines(result).map { "- \($0)\n" }.joined() + "\n"
        out += "## What one interaction costs\n\n" + interactionTable(result).markdown() + "\n"
        out += "## Monthly cost per user\n\n" + userTable(result).markdown() + "\n"
        if !result.plans.isEmpty {
            out += "## Plans\n\n" + planTable(result).markdown() + "\n"
            out += result.plans.map { "- **\($0.plan.name)**: \($0.recommendation.text)\n" }.joined() + "\n"
        }
        if !result.levers.isEmpty { out += "## Levers\n\n" + leverTable(result).markdown() + "\n" }
        if !result.projection.isEmpty { out += "## Projection\n\n" + projectionTable(result).markdown() }
        return out
    }

    // MARK: JSON

    /// The report as stable JSON (documented in `docs/scenario.md`).
    public static func json(_ result: ScenarioResult) -> JSONValue {
        let users = result.users
        let closed = result.closedForm
        return .object([
            ("name", .string(result.scenario.name)),
            ("seed", .number(String(result.seed))),
            ("simulated_users", .int(users.users)),
            ("active_users", .int(result.scenario.users.active)),
            ("cost_per_interaction_usd", .money(result.costPerInteraction)),
            ("cost_per_interaction", .moneyString(result.costPerInteraction)),
            ("cost_per_interaction_before_result_cache_usd", .money(result.pricing.costBeforeResultCache)),
            ("interactions", .array(result.pricing.kinds.map { kind in
                .object([
                    ("name", .string(kind.name)),
                    ("share", .number(kind.share.description)),
                    ("cost_usd", .money(kind.cost)),
                    ("calls", .array(kind.calls.map { call in
                        .object([
                            ("path", .string(call.path)), ("model", .string(call.model)), ("tier", .string(call.tier.rawValue)),
                            ("turns", .int(call.turns)), ("input_tokens", .int(call.usage.input)), ("output_tokens", .int(call.usage.output)),
                            ("cached_input_tokens", .int(call.usage.cachedInput)), ("cache_write_tokens", .int(call.usage.cacheWrite)),
                            ("turns_below_cache_minimum", .int(call.turnsBelowCacheMinimum)),
                            ("context_threshold", .int(call.contextThreshold)), ("cost_usd", .money(call.cost)),
                        ])
                    })),
                ])
            })),
            ("users", .object([
                ("mean", .money(users.mean)), ("p50", .money(users.p50)), ("p90", .money(users.p90)), ("p99", .money(users.p99)), ("max", .money(users.max)),
                ("interactions", .object([
                    ("mean", .double(users.meanInteractions)), ("p50", .int(users.p50Interactions)), ("p90", .int(users.p90Interactions)),
                    ("p99", .int(users.p99Interactions)), ("max", .int(users.maxInteractions)),
                ])),
            ])),
            ("top_share", .object([("top1", .double(users.top1)), ("top5", .double(users.top5)), ("top10", .double(users.top10))])),
            ("gini", .double(users.gini)),
            ("closed_form", .object([
                ("distribution", .string(result.scenario.users.population.summary)),
                ("mean_interactions", .double(closed.meanInteractions)), ("mean_cost_usd", .money(closed.meanCost)),
                ("p50_interactions", .double(closed.p50Interactions)), ("p90_interactions", .double(closed.p90Interactions)),
                ("p99_interactions", .double(closed.p99Interactions)),
                ("top_share", .object([("top1", .double(closed.top1)), ("top5", .double(closed.top5)), ("top10", .double(closed.top10))])),
                ("gini", .double(closed.gini)),
            ])),
            ("monthly_cost_usd", .money(result.monthlyCost)),
            ("monthly_revenue_usd", .optional(result.monthlyRevenue) { .money($0) }),
            ("plans", .array(result.plans.map { plan in
                .object([
                    ("name", .string(plan.plan.name)), ("kind", .string(plan.plan.kindName)),
                    ("revenue_usd", .money(scaled(plan.revenue, result))), ("cost_usd", .money(scaled(plan.cost, result))),
                    ("gross_margin", .optional(plan.grossMargin) { .double($0) }),
                    ("margin_at", .object([
                        ("p50", .optional(plan.marginP50) { .double($0) }), ("p90", .optional(plan.marginP90) { .double($0) }),
                        ("p99", .optional(plan.marginP99) { .double($0) }),
                    ])),
                    ("underwater_share", .double(plan.underwaterShare)),
                    ("break_even_interactions", .optional(plan.breakEvenInteractions) { .int($0) }),
                    ("recommendation", .object([
                        ("kind", .string(plan.recommendation.kind.rawValue)),
                        ("value", .optional(plan.recommendation.value) { .int($0) }),
                        ("amount_usd", .optional(plan.recommendation.amount) { .money($0) }),
                        ("text", .string(plan.recommendation.text)),
                    ])),
                ])
            })),
            ("levers", .array(result.levers.map { lever in
                .object([
                    ("lever", .string(lever.kind.rawValue)), ("change", .string(lever.change)),
                    ("monthly_saving_usd", .money(lever.monthlySaving)),
                    ("new_gross_margin", .optional(lever.newGrossMargin) { .double($0) }),
                    ("cost_per_interaction_usd", .money(lever.costPerInteraction)),
                    ("quality", .optional(lever.quality) { qualityJSON($0) }),
                ])
            })),
            ("quality", qualitySourceJSON(result.scenario)),
            ("projection", .array(result.projection.map { month in
                .object([
                    ("month", .int(month.month)), ("users", .int(month.users)), ("cost_usd", .money(month.cost)),
                    ("revenue_usd", .money(month.revenue)), ("gross_margin", .optional(month.grossMargin) { .double($0) }),
                    ("price_factor", .double(month.priceFactor)),
                ])
            })),
            ("notes", .array(result.notes.map { .string($0) })),
            ("verdict", .object([
                ("kind", .string(result.verdict.kind.rawValue)),
                ("headline", .string(result.verdict.kind.headline)),
                ("cost_share_of_revenue", .optional(result.verdict.costShare) { .double($0) }),
                ("reasons", .array(result.verdict.reasons.map { .string($0) })),
            ])),
        ])
    }
}
