import Foundation
import Pricing

/// A fit of the interactions-per-user-month distribution, and a scenario YAML built from it.
public struct ScenarioFit: Sendable {
    /// The chosen distribution.
    public enum Choice: String, Sendable { case lognormal, pareto, empirical }

    public var samples: Int
    public var mean: Double
    /// Lognormal parameters of ln(x) and its Kolmogorov–Smirnov distance to the data.
    public var lognormalMu: Double
    public var lognormalSigma: Double
    public var lognormalKS: Double
    /// Pareto scale, shape and KS distance.
    public var paretoScale: Double
    public var paretoAlpha: Double
    public var paretoKS: Double
    public var choice: Choice
    /// Equal-count bins: (low, high, share of user-months).
    public var histogram: [(low: Int, high: Int, share: Double)]
    /// The empirical share of interactions made by the top 5% of user-months.
    public var top5Share: Double

    /// A fit is accepted when its KS distance is at most this.
    public static let acceptableKS = 0.08

    public init(interactions values: [Int]) {
        let xs = values.filter { $0 > 0 }.map(Double.init).sorted()
        samples = xs.count
        let n = Double(max(1, xs.count))
        mean = xs.reduce(0, +) / n
        let logs = xs.map { Foundation.log($0) }
        let mu0 = logs.reduce(0, +) / n
        lognormalMu = mu0
        lognormalSigma = (logs.reduce(0) { $0 + ($1 - mu0) * ($1 - mu0) } / n).squareRoot()
        paretoScale = xs.first ?? 1
        let sumLog = xs.reduce(0) { $0 + Foundation.log($1 / (xs.first ?? 1)) }
        paretoAlpha = sumLog > 0 ? n / sumLog : .infinity
        func ks(_ cdf: (Double) -> Double) -> Double {
            var d = 0.0
            var index = 0
            while index < xs.count {
                var next = index
                while next < xs.count && xs[next] == xs[index] { next += 1 }
                let f = cdf(xs[index])
                d = max(d, abs(Double(next) / n - f), abs(Double(index) / n - f))
                index = next
            }
            return d
        }
        let mu = lognormalMu, sigma = max(lognormalSigma, 1e-9), scale = paretoScale, alpha = paretoAlpha
        lognormalKS = xs.isEmpty ? 1 : ks { 0.5 * erfc(-(Foundation.log($0) - mu) / (sigma * 2.0.squareRoot())) }
        paretoKS = xs.isEmpty || !alpha.isFinite ? 1 : ks { $0 < scale ? 0 : 1 - Foundation.pow(scale / $0, alpha) }
        if min(lognormalKS, paretoKS) <= Self.acceptableKS {
            choice = lognormalKS <= paretoKS || paretoAlpha <= 1 ? .lognormal : .pareto
        } else {
            choice = .empirical
        }
        if choice == .pareto && paretoAlpha <= 1 { choice = lognormalKS <= Self.acceptableKS ? .lognormal : .empirical }
        var bins: [(Int, Int, Double)] = []
        let binCount = min(20, max(1, xs.count))
        var start = 0
        for b in 1...binCount {
            let end = b * xs.count / binCount
            if end > start { bins.append((Int(xs[start]), Int(xs[end - 1]), Double(end - start) / n)) }
            start = end
        }
        histogram = bins
        let topCount = max(1, (xs.count * 5 + 99) / 100)
        let total = xs.reduce(0, +)
        top5Share = total > 0 ? xs.suffix(topCount).reduce(0, +) / total : 0
    }

    /// The `interactions_per_month` mapping, in the scenario format (DESIGN.md section 3).
    public var distributionYAML: String {
        switch choice {
        case .lognormal:
            let median = Foundation.exp(lognormalMu)
            let p95 = Foundation.exp(lognormalMu + 1.6448536 * lognormalSigma)
            return "{distribution: lognormal, median: \(Self.number(median)), p95: \(Self.number(p95))}"
        case .pareto:
            let share = Foundation.pow(0.05, 1 - 1 / paretoAlpha)
            let mean = paretoAlpha * paretoScale / (paretoAlpha - 1)
            return "{distribution: pareto, top_share: {users: 0.05, calls: \(Self.number(share))}, mean: \(Self.number(mean))}"
        case .empirical:
            let bins = histogram.map { "{min: \($0.low), max: \($0.high), share: \(Self.number($0.share))}" }.joined(separator: ", ")
            return "{distribution: empirical, histogram: [\(bins)]}"
        }
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if abs(value) >= 100 { return String(Int(value.rounded())) }
        let text = String(format: "%.4g", value)
        return text
    }

    /// A scenario YAML whose users and interaction mix come from the log.
    public static func yaml(result: AnalysisResult, name: String) -> String {
        let fit = ScenarioFit(interactions: result.userMonths.map(\.interactions))
        let months = Set(result.userMonths.map(\.month)).count
        let active = months == 0 ? 0 : Int((Double(result.userMonths.count) / Double(months)).rounded())
        var lines: [String] = []
        lines.append("# Fitted by `tokenomics analyze --fit-scenario` from \(result.events) events, \(fit.samples) user-months.")
        lines.append("# Interactions per user-month: lognormal KS distance \(number(fit.lognormalKS)) (mu \(number(fit.lognormalMu)), sigma \(number(fit.lognormalSigma))),")
        lines.append("# Pareto KS distance \(number(fit.paretoKS)) (scale \(number(fit.paretoScale)), alpha \(number(fit.paretoAlpha))); chosen: \(fit.choice.rawValue)"
            + (fit.choice == .empirical ? " (neither fits within KS \(acceptableKS))" : "") + ".")
        lines.append("name: \(quoted(name))")
        lines.append("users:")
        lines.append("  active: \(active)")
        lines.append("  interactions_per_month: \(fit.distributionYAML)")
        lines.append("interactions:")
        // One interaction kind per feature and model: the models of a feature are alternatives,
        // and an interaction makes `calls per interaction` calls to its model.
        var callsPerInteraction: [String: Double] = [:]
        for item in result.interactionsByFeature {
            let feature = result.byFeature.first { $0.name == item.feature }
            if let feature, item.eventsWithInteraction == feature.events {
                callsPerInteraction[item.feature] = max(1, Double(item.eventsWithInteraction) / Double(max(1, item.interactions)))
            }
        }
        let kinds = result.byFeatureModel.filter { $0.group.events > 0 }
        let interactionsOf = kinds.map { Double($0.group.events) / (callsPerInteraction[$0.feature] ?? 1) }
        let totalInteractions = max(1, interactionsOf.reduce(0, +))
        for (index, kind) in kinds.enumerated().sorted(by: { interactionsOf[$0.offset] > interactionsOf[$1.offset] }) {
            let t = kind.group.tokens
            let n = Double(kind.group.events)
            let repeatCount = max(1, Int((callsPerInteraction[kind.feature] ?? 1).rounded()))
            lines.append("  - name: \(quoted((kind.feature.isEmpty ? "(none)" : kind.feature) + " / " + kind.model))")
            lines.append("    share: \(number(interactionsOf[index] / totalInteractions))")
            lines.append("    calls:")
            var entry = "      - {model: \(quoted(kind.model)), input: \(Int((Double(t.input) / n).rounded())), output: \(Int((Double(t.output) / n).rounded()))"
            entry += ", cached_input: \(number(t.cacheHitRate))"
            if repeatCount > 1 { entry += ", repeat: \(repeatCount)" }
            lines.append(entry + "}")
        }
        lines.append("result_cache_hit_rate: \(number(result.duplicates.share))")
        return lines.joined(separator: "\n") + "\n"
    }

    static func quoted(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"" + escaped + "\""
    }
}
