#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many interactions a user makes in a month, across the user base.
///
/// Each distribution has closed forms for its mean, quantiles, the share of all interactions made
/// by the top fraction of users, and the Gini coefficient; the Monte Carlo in ``Simulation`` draws
/// from the same distribution, and the test suite checks that the two agree.
public enum Population: Sendable, Hashable {
    /// Every user makes the same number of interactions.
    case fixed(Double)
    /// `exp(N(mu, sigma²))`: most users near the median, a long right tail.
    case lognormal(mu: Double, sigma: Double)
    /// Pareto type I with minimum `scale` and tail index `shape` (> 1 for a finite mean): a heavy
    /// tail where a few users make most calls.
    case pareto(scale: Double, shape: Double)
    /// A histogram of users by interactions: uniform within each bin, or a Pareto tail within a
    /// bin that has a ``Bin/shape``.
    case empirical([Bin])

    /// One bin of an empirical histogram: a share of users whose monthly interactions lie in
    /// `[lower, upper]`, spread uniformly, or, when the bin has a ``shape``, following a Pareto of
    /// that shape truncated to the bin (an unbounded Pareto tail when `upper` is infinite).
    public struct Bin: Sendable, Hashable {
        public var lower: Double
        public var upper: Double
        /// The share of users in the bin (the bins' shares add up to 1).
        public var share: Double
        /// The Pareto shape α of the users inside the bin (density ∝ x^(−α−1) on `[lower, upper]`);
        /// nil for a uniform bin. An unbounded bin (`upper` infinite) needs α > 1.
        public var shape: Double?

        public init(lower: Double, upper: Double, share: Double, shape: Double? = nil) {
            self.lower = lower
            self.upper = upper
            self.share = share
            self.shape = shape
        }
    }

    // MARK: Constructors from the ways people state a distribution

    /// A lognormal with the given median and 95th percentile.
    public static func lognormal(median: Double, p95: Double) -> Population {
        let mu = log(median)
        return .lognormal(mu: mu, sigma: (log(p95) - mu) / Normal.quantile(0.95))
    }

    /// A lognormal with the given mean and log-space standard deviation.
    public static func lognormal(mean: Double, sigma: Double) -> Population {
        .lognormal(mu: log(mean) - sigma * sigma / 2, sigma: sigma)
    }

    /// A Pareto with the given mean and shape (shape > 1).
    public static func pareto(mean: Double, shape: Double) -> Population {
        .pareto(scale: mean * (shape - 1) / shape, shape: shape)
    }

    /// The Pareto shape at which the top `users` fraction makes `calls` of all calls:
    /// `calls = users^(1 − 1/shape)`.
    public static func paretoShape(topUsers users: Double, calls: Double) -> Double {
        1 / (1 - log(calls) / log(users))
    }

    // MARK: Closed forms

    /// The mean number of interactions per user (infinite for a Pareto with shape ≤ 1).
    public var mean: Double {
        switch self {
        case .fixed(let value): value
        case .lognormal(let mu, let sigma): exp(mu + sigma * sigma / 2)
        case .pareto(let scale, let shape): shape > 1 ? shape * scale / (shape - 1) : .infinity
        case .empirical(let bins): bins.reduce(0) { $0 + $1.share * $1.mean }
        }
    }

    /// The `p`-quantile of interactions per user, 0 < p < 1.
    public func quantile(_ p: Double) -> Double {
        switch self {
        case .fixed(let value):
            return value
        case .lognormal(let mu, let sigma):
            return exp(mu + sigma * Normal.quantile(p))
        case .pareto(let scale, let shape):
            return scale * pow(1 - p, -1 / shape)
        case .empirical(let bins):
            var cumulative = 0.0
            for bin in bins {
                if p <= cumulative + bin.share, bin.share > 0 {
                    return bin.quantile((p - cumulative) / bin.share)
                }
                cumulative += bin.share
            }
            return bins.last?.quantile(1 - 1e-12) ?? 0
        }
    }

    /// The share of all interactions made by the top `p` fraction of users (0 < p < 1).
    public func topShare(_ p: Double) -> Double {
        switch self {
        case .fixed:
            return p
        case .lognormal(_, let sigma):
            return 1 - Normal.cdf(Normal.quantile(1 - p) - sigma)
        case .pareto(_, let shape):
            return pow(p, 1 - 1 / shape)
        case .empirical(let bins):
            let threshold = quantile(1 - p)
            var above = 0.0
            for bin in bins where bin.share > 0 {
                if bin.upper <= bin.lower {
                    if bin.lower > threshold { above += bin.share * bin.lower }
                    continue
                }
                above += bin.share * bin.partialMean(above: threshold)
            }
            let total = mean
            return total > 0 ? min(1, max(above / total, 0)) : p
        }
    }

    /// The Gini coefficient of interactions across users (0: everyone equal; 1: one user makes all).
    public var gini: Double {
        switch self {
        case .fixed: 0
        case .lognormal(_, let sigma): 2 * Normal.cdf(sigma / 2.0.squareRoot()) - 1
        case .pareto(_, let shape): shape > 1 ? 1 / (2 * shape - 1) : 1
        case .empirical:
            // G = 1 − 2∫L(x)dx with L(x) = 1 − topShare(1 − x), by the trapezoid rule.
            lorenz(points: 2000).trapezoidGini
        }
    }

    /// Points of the Lorenz curve: (share of users, share of interactions they make), poorest first.
    public func lorenz(points: Int = 100) -> [(users: Double, interactions: Double)] {
        var result: [(Double, Double)] = [(0, 0)]
        for index in 1..<points {
            let x = Double(index) / Double(points)
            result.append((x, 1 - topShare(1 - x)))
        }
        result.append((1, 1))
        return result
    }

    // MARK: Sampling

    /// Draws one user's interactions for a month as a real number (rounded by the caller).
    @inline(__always)
    func draw(_ rng: inout Xoshiro256, spare: inout Double?) -> Double {
        switch self {
        case .fixed(let value):
            return value
        case .lognormal(let mu, let sigma):
            let z: Double
            if let s = spare {
                z = s
                spare = nil
            } else {
                let pair = rng.normalPair()
                z = pair.0
                spare = pair.1
            }
            return exp(mu + sigma * z)
        case .pareto(let scale, let shape):
            return scale * pow(rng.uniformOpen(), -1 / shape)
        case .empirical(let bins):
            let u = rng.uniform()
            var cumulative = 0.0
            for bin in bins {
                cumulative += bin.share
                if u < cumulative { return bin.quantile(rng.uniform()) }
            }
            return bins.last?.quantile(1 - 1e-12) ?? 0
        }
    }

    /// A short description: `lognormal (median 120, p95 900)`.
    public var summary: String {
        switch self {
        case .fixed(let value): "fixed (\(Self.short(value)) a month)"
        case .lognormal(let mu, let sigma): "lognormal (median \(Self.short(exp(mu))), p95 \(Self.short(quantile(0.95))), sigma \(Self.short(sigma)))"
        case .pareto(let scale, let shape): "Pareto (minimum \(Self.short(scale)), shape \(Self.short(shape)))"
        case .empirical(let bins):
            "empirical (\(bins.count) bins" + (bins.contains { $0.shape != nil } ? ", Pareto tail)" : ")")
        }
    }

    static func short(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
        let rounded = (value * 100).rounded() / 100
        return "\(rounded)"
    }
}

extension [(users: Double, interactions: Double)] {
    var trapezoidGini: Double {
        var area = 0.0
        for index in 1..<count {
            area += (self[index].users - self[index - 1].users) * (self[index].interactions + self[index - 1].interactions) / 2
        }
        return 1 - 2 * area
    }
}
