import CostModel
import Pricing
import Testing

@testable import Gateway

/// The reservation's worst case skips the cache-write cases that cannot be dearer; it must still
/// equal the dearest of all three cases, for every model in the bundled catalog.
struct WorstCaseTests {
    @Test(arguments: [(0, 0), (1_000, 4_096), (150_000, 16_384), (300_000, 100_000)])
    func equalsTheDearestCaseForEveryModel(input: Int, output: Int) throws {
        let catalog = try CatalogLoader(includeUserCatalog: false).load()
        var compared = 0
        for price in catalog.models {
            let cases = [Usage(input: input, output: output), Usage(input: input, output: output, cacheWrite: input), Usage(input: input, output: output, cacheWrite1h: input)]
            let expected = cases.compactMap { try? CostCalculator.cost(of: price, usage: $0).total }.max()
            #expect(Gateway.worstCase(price, input: input, output: output) == expected, "\(price.name)")
            if expected != nil { compared += 1 }
        }
        #expect(compared > 1_000)
    }
}
