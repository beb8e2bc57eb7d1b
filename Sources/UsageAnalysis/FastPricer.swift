import CostModel
import Pricing
import TokenomicsCore

/// A model's rates resolved once per (tier, long-context band), so pricing an event is a few
/// integer multiplications instead of a catalog search.
///
/// Gives exactly what ``CostCalculator/cost(of:usage:tier:)`` gives (tested against it).
struct FastPricer: Sendable {
    /// Rates for the 8 token classes in `TokenClass.allCases` order; nil when unpriced.
    struct Band: Sendable {
        var threshold: Int
        var rates: [Int128?]
        var inputRate: Int128?
    }

    let model: ModelPrice
    private let thresholds: [Int]
    private let inclusive: Bool

    init(model: ModelPrice) {
        self.model = model
        self.thresholds = model.contextThresholds
        self.inclusive = model.inclusiveThresholds
        self.flat = Array(repeating: [], count: ServiceTier.allCases.count)
    }

    static let classes: [TokenClass] = [.input, .cachedInput, .cacheWrite, .cacheWrite1h, .audioInput, .output, .reasoning, .audioOutput]

    private func makeBands(_ tier: ServiceTier) -> [Band] {
        ([0] + thresholds).map { threshold in
            let prompt = threshold == 0 ? 0 : threshold + 1
            return Band(
                threshold: threshold,
                rates: Self.classes.map { model.rate($0, tier: tier, promptTokens: prompt)?.rate.units },
                inputRate: model.rate(.input, tier: tier, promptTokens: prompt)?.rate.units
            )
        }
    }

    static let unpriced = Int128.min

    /// The cost and prompt-cache saving of one call in Money units, or nil when a class with tokens
    /// has no rate. `baseBandOnly` ignores long-context tiers (for pricing summed usage).
    @inline(__always)
    mutating func price(_ u: Usage, tier: ServiceTier, baseBandOnly: Bool = false) -> (cost: Int128, saving: Int128)? {
        let tierIndex = tier == .standard ? 0 : ServiceTier.allCases.firstIndex(of: tier)!
        if flat[tierIndex].isEmpty { flat[tierIndex] = makeFlat(tier) }
        var bandIndex = 0
        if !baseBandOnly && !thresholds.isEmpty {
            for (index, threshold) in thresholds.enumerated() where u.input > threshold || (inclusive && u.input == threshold) {
                bandIndex = index + 1
            }
        }
        return flat[tierIndex].withUnsafeBufferPointer { table -> (cost: Int128, saving: Int128)? in
            let base = bandIndex * 9
            let inputRate = table[base + 8]
            var cost: Int128 = 0
            var saving: Int128 = 0
            var ok = true
            @inline(__always) func line(_ index: Int, _ tokens: Int) {
                if tokens <= 0 { return }
                let rate = table[base + index]
                if rate == Self.unpriced { ok = false; return }
                let lineCost = rate * Int128(tokens)
                cost += lineCost
                if index >= 1 && index <= 3 && inputRate != Self.unpriced { saving += inputRate * Int128(tokens) - lineCost }
            }
            line(0, u.input - u.cachedInput - u.cacheWrite - u.cacheWrite1h - u.audioInput)
            line(1, u.cachedInput)
            line(2, u.cacheWrite)
            line(3, u.cacheWrite1h)
            line(4, u.audioInput)
            line(5, u.output - u.reasoning - u.audioOutput)
            line(6, u.reasoning)
            line(7, u.audioOutput)
            return ok ? (cost, saving) : nil
        }
    }

    /// Per tier: 9 entries per band (8 class rates, then the input rate), `unpriced` when absent.
    private var flat: [[Int128]]

    private func makeFlat(_ tier: ServiceTier) -> [Int128] {
        var out: [Int128] = []
        for band in makeBands(tier) {
            out += band.rates.map { $0 ?? Self.unpriced }
            out.append(band.inputRate ?? Self.unpriced)
        }
        return out
    }
}
