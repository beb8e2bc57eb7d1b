import Foundation
public import Modeling

/// A fit of a per-user-month distribution (interactions, or cost in interactions) for a scenario's
/// `users.interactions_per_month`.
///
/// Three candidates: a lognormal (maximum likelihood on the logs), a Pareto (scale = the minimum,
/// maximum-likelihood shape), and an empirical histogram of 20 equal-count bins whose top bin is a
/// Pareto tail (its shape chosen so that the histogram's mean is the sample's). A parametric fit is
/// chosen only when it is close in distribution (Kolmogorov–Smirnov distance at most
/// ``acceptableKS``) and gives back the sample's mean, p90 and top-10% share within
/// ``Tolerance/parametric``; otherwise the histogram, which gives them back by construction.
public struct ScenarioFit: Sendable {
    /// The chosen distribution.
    public enum Choice: String, Sendable { case lognormal, pareto, empirical }

    /// What a fitted distribution must give back to be chosen over the histogram.
    public struct Tolerance: Sendable {
        /// Relative error of the mean and of the p90.
        public var mean: Double
        public var p90: Double
        /// Absolute error of the top-10% share.
        public var top10: Double

        /// The tolerances a parametric fit must meet (half of the round trip's 3%, 10% and 0.03,
        /// leaving the rest to the Monte Carlo).
        public static let parametric = Tolerance(mean: 0.015, p90: 0.05, top10: 0.015)
    }

    /// The sample's figures the fit must give back.
    public struct Target: Sendable, Hashable {
        /// Mean, nearest-rank 90th percentile, and the share of the total held by the top 10% of samples.
        public var mean: Double
        public var p90: Double
        public var top10: Double
    }

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
    /// The empirical candidate: equal-count bins, the top one a Pareto tail when the data call for it.
    public var histogram: [Population.Bin]
    /// The chosen distribution.
    public var population: Population
    /// The sample's mean, p90 and top-10% share.
    public var target: Target
    /// The empirical share of the total made by the top 5% of samples.
    public var top5Share: Double

    /// A fit is accepted when its KS distance is at most this.
    public static let acceptableKS = 0.08
    /// Equal-count bins of the histogram.
    public static let binCount = 20

    /// Fits whole interaction counts (zeros are ignored).
    public init(interactions values: [Int]) {
        self.init(values: values.filter { $0 > 0 }.map(Double.init))
    }

    /// Fits non-negative values, one per user-month.
    public init(values: [Double]) {
        let xs = values.filter { $0 >= 0 && $0.isFinite }.sorted()
        samples = xs.count
        let n = Double(max(1, xs.count))
        let total = xs.reduce(0, +)
        mean = total / n
        let topCount = max(1, (xs.count * 5 + 99) / 100)
        top5Share = total > 0 ? xs.suffix(topCount).reduce(0, +) / total : 0
        target = Self.target(xs)

        let positive = xs.filter { $0 > 0 }
        let logs = positive.map { Foundation.log($0) }
        let m = Double(max(1, positive.count))
        let mu0 = logs.reduce(0, +) / m
        lognormalMu = mu0
        lognormalSigma = (logs.reduce(0) { $0 + ($1 - mu0) * ($1 - mu0) } / m).squareRoot()
        paretoScale = positive.first ?? 1
        let sumLog = positive.reduce(0) { $0 + Foundation.log($1 / (positive.first ?? 1)) }
        paretoAlpha = sumLog > 0 ? m / sumLog : .infinity
        let mu = lognormalMu, sigma = max(lognormalSigma, 1e-9), scale = paretoScale, alpha = paretoAlpha
        // Parametric fits need positive data; zeros (user-months that cost nothing) rule them out.
        let usable = !xs.isEmpty && positive.count == xs.count
        lognormalKS = usable ? Self.ks(xs) { 0.5 * erfc(-(Foundation.log($0) - mu) / (sigma * 2.0.squareRoot())) } : 1
        paretoKS = usable && alpha.isFinite ? Self.ks(xs) { $0 < scale ? 0 : 1 - Foundation.pow(scale / $0, alpha) } : 1

        histogram = Self.histogram(xs)
        let empirical = Population.empirical(histogram.isEmpty ? [Population.Bin(lower: 0, upper: 0, share: 1)] : histogram)
        let lognormal = Population.lognormal(mu: mu, sigma: sigma)
        let pareto = Population.pareto(scale: scale, shape: alpha)
        var chosen: (Choice, Population) = (.empirical, empirical)
        let target = self.target
        func reproduces(_ population: Population) -> Bool { Self.reproduces(population, target, .parametric) }
        let candidates: [(Choice, Double, Population, Bool)] = [
            (.lognormal, lognormalKS, lognormal, true), (.pareto, paretoKS, pareto, alpha > 1 && alpha.isFinite),
        ].sorted { $0.1 < $1.1 }
        for (choice, distance, population, valid) in candidates where valid && distance <= Self.acceptableKS && reproduces(population) {
            chosen = (choice, population)
            break
        }
        choice = chosen.0
        population = chosen.1
    }

    /// Whether a population's closed forms give back a sample's mean, p90 and top-10% share.
    public static func reproduces(_ population: Population, _ target: Target, _ tolerance: Tolerance) -> Bool {
        guard target.mean > 0 else { return false }
        let mean = population.mean, p90 = population.quantile(0.9), top10 = population.topShare(0.1)
        guard mean.isFinite, p90.isFinite, top10.isFinite else { return false }
        return abs(mean / target.mean - 1) <= tolerance.mean && abs(p90 - target.p90) <= tolerance.p90 * max(target.p90, 1e-12)
            && abs(top10 - target.top10) <= tolerance.top10
    }

    /// The mean, nearest-rank p90 and top-10% share of sorted values.
    static func target(_ xs: [Double]) -> Target {
        guard !xs.isEmpty else { return Target(mean: 0, p90: 0, top10: 0) }
        let total = xs.reduce(0, +)
        let rank = Int((0.9 * Double(xs.count)).rounded(.up))
        let top = max(1, (xs.count * 10 + 99) / 100)
        return Target(mean: total / Double(xs.count), p90: xs[min(max(rank, 1), xs.count) - 1], top10: total > 0 ? xs.suffix(top).reduce(0, +) / total : 0)
    }

    /// The Kolmogorov–Smirnov distance between sorted values and a CDF.
    static func ks(_ xs: [Double], _ cdf: (Double) -> Double) -> Double {
        let n = Double(xs.count)
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

    /// Equal-count bins of sorted values, edges rounded as they are written; the top bin's shape
    /// makes the histogram's mean equal the sample's (the body's uniform bins miss it slightly).
    static func histogram(_ xs: [Double]) -> [Population.Bin] {
        guard !xs.isEmpty else { return [] }
        let n = Double(xs.count)
        let count = min(binCount, xs.count)
        var bins: [Population.Bin] = []
        var start = 0
        for b in 1...count {
            let end = b * xs.count / count
            guard end > start else { continue }
            let share = Double(end - start) / n
            let lower = rounded(xs[start]), upper = rounded(xs[end - 1])
            if let last = bins.last, last.lower == lower, last.upper == upper {
                bins[bins.count - 1].share += share
            } else {
                bins.append(Population.Bin(lower: lower, upper: upper, share: share))
            }
            start = end
        }
        // The top bin: a Pareto truncated to [lower, max] whose mean carries what the body leaves.
        let top = bins.count - 1
        let tail = bins[top]
        let body = bins.dropLast().reduce(0) { $0 + $1.share * $1.mean }
        let wanted = (xs.reduce(0, +) / n - body) / tail.share
        if tail.upper > tail.lower, tail.lower > 0, let shape = Population.Bin.paretoShape(lower: tail.lower, upper: tail.upper, mean: wanted) {
            bins[top].shape = rounded(shape)
        }
        return bins
    }

    /// A value as the YAML writes it: four significant digits, whole numbers from 100.
    static func rounded(_ value: Double) -> Double { Double(number(value)) ?? value }

    /// The `interactions_per_month` mapping, in the scenario format, as YAML lines at `indent`.
    public func distributionLines(indent: String) -> [String] {
        switch choice {
        case .lognormal:
            let median = Foundation.exp(lognormalMu)
            let p95 = Foundation.exp(lognormalMu + 1.6448536 * lognormalSigma)
            return [indent + "{distribution: lognormal, median: \(Self.number(median)), p95: \(Self.number(p95))}"]
        case .pareto:
            let share = Foundation.pow(0.05, 1 - 1 / paretoAlpha)
            let mean = paretoAlpha * paretoScale / (paretoAlpha - 1)
            return [indent + "{distribution: pareto, top_share: {users: 0.05, calls: \(Self.number(share))}, mean: \(Self.number(mean))}"]
        case .empirical:
            var lines = [indent + "distribution: empirical", indent + "histogram:"]
            for bin in histogram {
                var item = "{min: \(Self.number(bin.lower)), max: \(Self.number(bin.upper)), share: \(Self.number(bin.share))"
                if let shape = bin.shape { item += ", shape: \(Self.number(shape))}   # Pareto tail" } else { item += "}" }
                lines.append(indent + "  - " + item)
            }
            return lines
        }
    }

    /// The `interactions_per_month` mapping on one line.
    public var distributionYAML: String {
        switch choice {
        case .lognormal, .pareto: return distributionLines(indent: "")[0]
        case .empirical:
            let bins = histogram.map { bin in
                "{min: \(Self.number(bin.lower)), max: \(Self.number(bin.upper)), share: \(Self.number(bin.share))" + (bin.shape.map { ", shape: \(Self.number($0))" } ?? "") + "}"
            }
            return "{distribution: empirical, histogram: [\(bins.joined(separator: ", "))]}"
        }
    }

    /// A number as the scenario YAML takes it: whole from 100, else four significant digits, never an exponent.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if abs(value) >= 100 { return String(Int(value.rounded())) }
        if value == 0 { return "0" }
        let digits = max(0, 3 - Int(Foundation.floor(Foundation.log10(abs(value)))))
        var text = String(format: "%.\(min(digits, 12))f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
