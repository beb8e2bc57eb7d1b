public import Modeling
import Pricing
import CostModel
import Foundation
public import TokenomicsCore

extension ScenarioReport {
    /// `tokenomics estimate` as text.
    public static func estimateText(_ estimate: QuickEstimate) -> String {
        var table = TextTable(columns: [TextTable.Column(""), TextTable.Column("", alignment: .right)])
        table.append(["Model", estimate.call.model])
        table.append(["Tokens per interaction", "\(formatTokens(estimate.call.usage.input)) in, \(formatTokens(estimate.call.usage.output)) out"])
        table.append(["Cost per interaction", estimate.costPerInteraction.formatted()])
        table.append(["Interactions per user per month", formatTokens(estimate.interactions)])
        table.append(["Monthly cost per user", estimate.monthlyCostPerUser.formatted()])
        if let price = estimate.price {
            table.append(["Monthly price", price.formatted()])
            table.append(["Gross margin", estimate.grossMargin.map(percent) ?? "n/a"])
            if let breakEven = estimate.breakEvenInteractions { table.append(["Break-even interactions per month", formatTokens(breakEven)]) }
        }
        let verdict = estimate.verdict
        var out = table.rendered().split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
        out += "\n\nVerdict: \(verdict.kind.headline) — \(verdict.kind.advice).\n"
        for reason in verdict.reasons { out += "  - \(reason)\n" }
        return out
    }

    /// `tokenomics estimate` as Markdown.
    public static func estimateMarkdown(_ estimate: QuickEstimate) -> String {
        var table = TextTable(columns: [TextTable.Column("Measure"), TextTable.Column("Value", alignment: .right)])
        table.append(["Cost per interaction", estimate.costPerInteraction.formatted()])
        table.append(["Monthly cost per user", estimate.monthlyCostPerUser.formatted()])
        if let price = estimate.price {
            table.append(["Monthly price", price.formatted()])
            table.append(["Gross margin", estimate.grossMargin.map(percent) ?? "n/a"])
        }
        let verdict = estimate.verdict
        return "## Estimate: \(estimate.call.model)\n\n" + table.markdown() + "\n\n**Verdict: \(verdict.kind.headline)** — \(verdict.kind.advice).\n\n"
            + verdict.reasons.map { "- \($0)\n" }.joined()
    }

    /// `tokenomics estimate --json`.
    public static func estimateJSON(_ estimate: QuickEstimate) -> JSONValue {
        let verdict = estimate.verdict
        return .object([
            ("model", .string(estimate.call.model)),
            ("tier", .string(estimate.call.tier.rawValue)),
            ("input_tokens", .int(estimate.call.usage.input)),
            ("output_tokens", .int(estimate.call.usage.output)),
            ("interactions_per_month", .int(estimate.interactions)),
            ("cost_per_interaction_usd", .money(estimate.costPerInteraction)),
            ("cost_per_interaction", .moneyString(estimate.costPerInteraction)),
            ("monthly_cost_per_user_usd", .money(estimate.monthlyCostPerUser)),
            ("monthly_cost_per_user", .moneyString(estimate.monthlyCostPerUser)),
            ("price_usd", .optional(estimate.price) { .money($0) }),
            ("gross_margin", .optional(estimate.grossMargin) { .double($0) }),
            ("underwater", .optional(estimate.underwater) { .bool($0) }),
            ("break_even_interactions", .optional(estimate.breakEvenInteractions) { .int($0) }),
            ("verdict", .string(verdict.kind.rawValue)),
            ("verdict_text", .string(verdict.kind.headline)),
            ("reasons", .array(verdict.reasons.map { .string($0) })),
        ])
    }

    /// A fraction as a percentage with one decimal: `93.3%`.
    public static func percent(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let tenths = (value * 1000).rounded() / 10
        return "\(tenths)%"
    }
}
