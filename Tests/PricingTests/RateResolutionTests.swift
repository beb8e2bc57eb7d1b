import Testing

@testable import Pricing

/// `ModelPrice.rate` resolves without building arrays; it must pick the same rate as the plain
/// statement of the rules (the previous implementation, kept here as the reference) for every
/// model in the bundled catalog, every token class, every tier and prompts on both sides of the
/// long-context thresholds.
struct RateResolutionTests {
    static func reference(_ model: ModelPrice, _ tokenClass: TokenClass, tier: ServiceTier, promptTokens: Int) -> ModelPrice.ResolvedRate? {
        let crossed = model.contextThresholds.filter { promptTokens > $0 || (model.inclusiveThresholds && promptTokens == $0) }
        let thresholds = crossed.reversed() + [0]
        let tiers: [ServiceTier] = tier == .standard ? [.standard] : [tier, .standard]
        func lookup(_ cls: TokenClass, _ tier: ServiceTier) -> ModelPrice.ResolvedRate? {
            for threshold in thresholds {
                let key = RateKey(cls, tier: tier, aboveTokens: threshold)
                if let rate = model.rates[key] { return ModelPrice.ResolvedRate(rate: rate, source: key) }
            }
            return nil
        }
        var chain: [TokenClass] = []
        var current: TokenClass? = tokenClass
        while let cls = current { chain.append(cls); current = cls.fallback }
        if tokenClass.fallsBackWithinTier {
            for tier in tiers { for cls in chain { if let found = lookup(cls, tier) { return found } } }
        } else {
            for cls in chain { for tier in tiers { if let found = lookup(cls, tier) { return found } } }
        }
        return nil
    }

    @Test func matchesTheRulesForEveryCatalogModel() throws {
        let catalog = try CatalogLoader(includeUserCatalog: false).load()
        var withThresholds = 0
        for model in catalog.models {
            let prompts = [0, 1] + model.contextThresholds.flatMap { [$0 - 1, $0, $0 + 1] }
            if !model.contextThresholds.isEmpty { withThresholds += 1 }
            for tokenClass in TokenClass.allCases {
                for tier in ServiceTier.allCases {
                    for prompt in prompts {
                        #expect(
                            model.rate(tokenClass, tier: tier, promptTokens: prompt) == Self.reference(model, tokenClass, tier: tier, promptTokens: prompt),
                            "\(model.name) \(tokenClass) \(tier) \(prompt)")
                    }
                }
            }
        }
        #expect(withThresholds > 10)
    }
}
