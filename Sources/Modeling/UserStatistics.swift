import Pricing
public import TokenomicsCore

/// The distribution of monthly cost across users, from a simulated sample.
public struct UserStatistics: Sendable {
    /// Users simulated.
    public var users: Int
    /// Mean interactions per user.
    public var meanInteractions: Double
    /// Interactions at the 50th, 90th and 99th percentiles and the maximum.
    public var p50Interactions: Int
    public var p90Interactions: Int
    public var p99Interactions: Int
    public var maxInteractions: Int
    /// Monthly cost per user: mean (exact to 10⁻²¹ USD), percentiles and maximum (exact).
    public var mean: Money
    public var p50: Money
    public var p90: Money
    public var p99: Money
    public var max: Money
    /// Share of total cost borne by the top 1%, 5% and 10% of users.
    public var top1: Double
    public var top5: Double
    public var top10: Double
    /// Gini coefficient of cost across users.
    public var gini: Double
    /// Lorenz curve: (share of users, share of cost), lightest users first, 101 points.
    public var lorenz: [LorenzPoint]
    /// A histogram of monthly cost per user.
    public var histogram: [HistogramBin]

    /// One point of a Lorenz curve.
    public struct LorenzPoint: Sendable, Hashable {
        public var users: Double
        public var cost: Double
    }

    /// One bin of a histogram: users whose monthly cost is in `[lower, upper)`.
    public struct HistogramBin: Sendable, Hashable {
        public var lower: Money
        public var upper: Money
        public var users: Int
    }

    /// The value at percentile `p` of a sorted sample, by the nearest-rank rule.
    public static func percentile(_ sorted: [Int], _ p: Double) -> Int {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, rank - 1))]
    }

    /// The share of the total held by the top `p` fraction of a sorted sample.
    public static func topShare(_ sorted: [Int], total: Int, _ p: Double) -> Double {
        guard total > 0 else { return 0 }
        let count = Int((p * Double(sorted.count)).rounded())
        var sum = 0
        for value in sorted.suffix(count) { sum += value }
        return Double(sum) / Double(total)
    }

    /// Computes the statistics of a sample of interactions sorted ascending, at a cost per interaction.
    public init(sorted: [Int], costPerInteraction cost: Money) {
        users = sorted.count
        var total = 0
        var weighted = 0.0
        for (index, value) in sorted.enumerated() {
            total += value
            weighted += Double(index + 1) * Double(value)
        }
        meanInteractions = sorted.isEmpty ? 0 : Double(total) / Double(sorted.count)
        p50Interactions = Self.percentile(sorted, 0.5)
        p90Interactions = Self.percentile(sorted, 0.9)
        p99Interactions = Self.percentile(sorted, 0.99)
        maxInteractions = sorted.last ?? 0
        mean = sorted.isEmpty ? .zero : (cost * total).divided(by: sorted.count)
        p50 = cost * p50Interactions
        p90 = cost * p90Interactions
        p99 = cost * p99Interactions
        max = cost * maxInteractions
        top1 = Self.topShare(sorted, total: total, 0.01)
        top5 = Self.topShare(sorted, total: total, 0.05)
        top10 = Self.topShare(sorted, total: total, 0.10)
        let n = Double(sorted.count)
        gini = total > 0 ? 2 * weighted / (n * Double(total)) - (n + 1) / n : 0
        var points: [LorenzPoint] = [LorenzPoint(users: 0, cost: 0)]
        if total > 0 {
            var running = 0
            var next = 1
            for (index, value) in sorted.enumerated() {
                running += value
                while next <= 100, index + 1 >= Int((Double(next) / 100 * n).rounded()) {
                    points.append(LorenzPoint(users: Double(next) / 100, cost: Double(running) / Double(total)))
                    next += 1
                }
            }
        }
        lorenz = points
        histogram = Self.histogram(sorted, cost: cost, p99: p99Interactions)
    }

    static func histogram(_ sorted: [Int], cost: Money, p99: Int) -> [HistogramBin] {
        guard let largest = sorted.last, largest > 0 else { return [] }
        let binCount = 30
        let top = Swift.max(p99, 1)
        let width = Swift.max(1, (top + binCount - 1) / binCount)
        var counts = [Int](repeating: 0, count: binCount + 1)
        for value in sorted { counts[Swift.min(value / width, binCount)] += 1 }
        var bins: [HistogramBin] = []
        for index in 0..<binCount {
            bins.append(HistogramBin(lower: cost * (index * width), upper: cost * ((index + 1) * width), users: counts[index]))
        }
        if counts[binCount] > 0 {
            bins.append(HistogramBin(lower: cost * (binCount * width), upper: cost * (largest + 1), users: counts[binCount]))
        }
        return bins
    }
}

/// The closed-form counterparts of ``UserStatistics`` where the distribution has them.
public struct ClosedForm: Sendable {
    /// Mean interactions and the mean monthly cost per user (`mean interactions × cost per interaction`;
    /// a huge placeholder when the mean is infinite).
    public var meanInteractions: Double
    public var meanCost: Money
    /// Quantiles of interactions.
    public var p50Interactions: Double
    public var p90Interactions: Double
    public var p99Interactions: Double
    /// Top shares and Gini.
    public var top1: Double
    public var top5: Double
    public var top10: Double
    public var gini: Double

    public init(_ population: Population, costPerInteraction: Money) {
        meanInteractions = population.mean
        // mean × cost, with the mean taken to a millionth of an interaction and the product exact
        // from there (so an integer mean gives an exact cost).
        if meanInteractions.isFinite, meanInteractions < 1e12 {
            let millionths = Int128((meanInteractions * 1e6).rounded())
            let (q, r) = (costPerInteraction.units * millionths).quotientAndRemainder(dividingBy: 1_000_000)
            meanCost = Money(units: r * 2 >= 1_000_000 ? q + 1 : q)
        } else {
            meanCost = Money(approximating: .greatestFiniteMagnitude)
        }
        p50Interactions = population.quantile(0.5)
        p90Interactions = population.quantile(0.9)
        p99Interactions = population.quantile(0.99)
        top1 = population.topShare(0.01)
        top5 = population.topShare(0.05)
        top10 = population.topShare(0.10)
        gini = population.gini
    }
}
