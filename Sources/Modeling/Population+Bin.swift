#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The closed forms of one histogram bin: uniform, or a Pareto of shape α truncated to the bin.
///
/// With `L = lower`, `H = upper` and `r = L/H`, a Pareto bin has the CDF
/// `F(x) = (1 − (L/x)^α) / (1 − r^α)`, the quantile `L (1 − u (1 − r^α))^(−1/α)` and the mean
/// `α/(α − 1) · L (1 − r^(α−1)) / (1 − r^α)` (`L ln(1/r) / (1 − r)` at α = 1); an unbounded bin
/// (`H` infinite) is a Pareto type I with minimum `L`.
extension Population.Bin {
    /// Whether the bin follows a Pareto rather than a uniform spread.
    var isPareto: Bool { shape != nil && upper > lower }

    /// The mean interactions of the bin's users.
    public var mean: Double { upper > lower ? partialMean(above: lower) : lower }

    /// The `u`-quantile of the bin's users, 0 ≤ u ≤ 1.
    public func quantile(_ u: Double) -> Double {
        guard upper > lower else { return lower }
        guard let alpha = shape else { return lower + (upper - lower) * u }
        let tail = upper.isFinite ? pow(lower / upper, alpha) : 0
        let value = lower * pow(1 - u * (1 - tail), -1 / alpha)
        return Swift.min(Swift.max(value, lower), upper)
    }

    /// The bin's users' interactions above `threshold`, per user of the bin:
    /// `∫ x f(x) dx` over `[max(threshold, lower), upper]`.
    public func partialMean(above threshold: Double) -> Double {
        guard upper > lower else { return lower > threshold ? lower : 0 }
        let from = Swift.max(threshold, lower)
        guard from < upper else { return 0 }
        guard let alpha = shape else { return (upper - from) / (upper - lower) * (from + upper) / 2 }
        let norm = upper.isFinite ? 1 - pow(lower / upper, alpha) : 1
        // ∫ x · α L^α x^(−α−1) dx = α L^α ∫ x^(−α) dx, divided by the normaliser.
        if abs(alpha - 1) < 1e-9 {
            guard upper.isFinite else { return .infinity }
            return lower * log(upper / from) / norm
        }
        if !upper.isFinite && alpha <= 1 { return .infinity }
        let top = upper.isFinite ? pow(lower / upper, alpha - 1) : 0   // (H/L)^(1−α)
        let bottom = pow(lower / from, alpha - 1)                       // (t/L)^(1−α)
        return alpha * lower * (bottom - top) / ((alpha - 1) * norm)
    }

    /// The Pareto shape at which a bin on `[lower, upper]` has the given mean, found by bisection;
    /// nil when no shape in (0.01, 100] gives it (a mean at or above the log-uniform bin's, or at
    /// or below `lower`).
    ///
    /// The mean falls from `(H − L) / ln(H/L)` as α → 0 to `L` as α → ∞.
    public static func paretoShape(lower: Double, upper: Double, mean target: Double) -> Double? {
        guard lower > 0, upper > lower, upper.isFinite, target > lower, target < upper else { return nil }
        func mean(_ alpha: Double) -> Double { Population.Bin(lower: lower, upper: upper, share: 1, shape: alpha).mean }
        var low = 0.01, high = 100.0
        guard mean(low) >= target, mean(high) <= target else { return nil }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if mean(mid) > target { low = mid } else { high = mid }
            if high - low < 1e-12 * high { break }
        }
        return (low + high) / 2
    }
}
