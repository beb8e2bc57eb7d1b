import Modeling
import Pricing
public import TokenomicsCore
public import UsageAnalysis

/// Renders plan evaluations and lever opportunities as extra report sections.
public enum AnalysisInsightsReport: Sendable {
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }

    /// The interactions-per-user-month fit as JSON: both candidates with their KS distance, and,
    /// with the fitted scenario, what its interactions are counted in.
    public static func fitJSON(_ fit: ScenarioFit, fitted: FittedScenario? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("samples", .int(fit.samples)), ("mean", .double(fit.mean)), ("chosen", .string(fit.choice.rawValue)),
            ("lognormal", .object([("mu", .double(fit.lognormalMu)), ("sigma", .double(fit.lognormalSigma)), ("ks_distance", .double(fit.lognormalKS))])),
            ("pareto", .object([("scale", .double(fit.paretoScale)), ("alpha", .double(fit.paretoAlpha)), ("ks_distance", .double(fit.paretoKS))])),
            ("tail_shape", .optional(fit.choice == .empirical ? fit.histogram.last?.shape : nil) { .double($0) }),
            ("scenario_yaml", .string(fit.distributionYAML)),
        ]
        if let fitted {
            members += [
                ("basis", .string("cost_in_interactions")),
                ("cost_per_interaction_usd", .money(fitted.costPerInteraction)),
                ("log_cost_per_interaction_usd", .optional(fitted.logCostPerInteraction) { .money($0) }),
                ("log_interactions_mean", .double(fitted.logInteractionsMean)),
                ("notes", .array(fitted.notes.map { .string($0) })),
            ]
        }
        return .object(members)
    }

    /// JSON members `plans`, `levers` and `interactions_fit`, and matching text sections.
    public static func extras(_ insights: Insights, fit: ScenarioFit? = nil, fitted: FittedScenario? = nil) -> AnalysisExtras {
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
                ("quality", .optional(l.quality) { ScenarioReport.qualityJSON($0) }),
            ])
        })))
        if let fit { json.append(("interactions_fit", fitJSON(fit, fitted: fitted))) }
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
            if let fit, fit.samples > 0 {
                heading("Interactions per user-month")
                if let fitted {
                    out.append("Each user-month's cost in interactions of the fitted mix (\(fitted.costPerInteraction.formatted()) each): mean \(format(fit.mean)) over \(fit.samples) user-months (the log counts \(format(fitted.logInteractionsMean)) interactions per user-month). Lognormal fit: KS distance \(format(fit.lognormalKS)); Pareto fit: KS distance \(format(fit.paretoKS)); chosen for --fit-scenario: \(fit.choice.rawValue)" + (fit.choice == .empirical ? " (20 equal-count bins, the top one a Pareto tail)." : "."))
                    for note in fitted.notes { out.append("- " + note) }
                } else {
                    out.append("Mean \(format(fit.mean)) over \(fit.samples) user-months. Lognormal fit: KS distance \(format(fit.lognormalKS)); Pareto fit: KS distance \(format(fit.paretoKS)); chosen for --fit-scenario: \(fit.choice.rawValue).")
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
