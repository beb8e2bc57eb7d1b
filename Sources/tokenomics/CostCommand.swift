import ArgumentParser
import CostModel
import Pricing
import Reports
import TokenomicsCore

extension Tokenomics {
    struct Cost: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Price one call, itemised by token class.",
            discussion: """
                Counts follow OpenAI's convention: --input is the whole prompt, cached and \
                cache-write tokens included; --output is the whole completion, reasoning included. \
                A rate the model lacks falls back: cached input and cache writes to the input rate, \
                1-hour writes to 5-minute writes, reasoning to output, other tiers to standard. Once \
                the prompt exceeds a long-context threshold the whole call is billed at those rates.

                Examples:
                  tokenomics cost --model gpt-4o --input 2000 --output 500
                  tokenomics cost --model claude-sonnet-4-5 --input 50000 --cached-input 40000 --output 800
                  tokenomics cost --model o3 --input 1000 --output 5000 --reasoning 4000 --tier batch --json
                """
        )

        @Option(help: "The model (catalog name or provider/name).")
        var model: String

        @Option(parsing: .unconditional, help: "Prompt tokens, cached and cache-write tokens included.")
        var input: Int

        @Option(parsing: .unconditional, help: "Completion tokens, reasoning included.")
        var output: Int = 0

        @Option(parsing: .unconditional, help: "Prompt tokens read from the provider's prompt cache.")
        var cachedInput: Int = 0

        @Option(parsing: .unconditional, help: "Prompt tokens written to the prompt cache (5-minute lifetime).")
        var cacheWrite: Int = 0

        @Option(name: .customLong("cache-write-1h"), parsing: .unconditional, help: "Prompt tokens written to the prompt cache with a 1-hour lifetime.")
        var cacheWrite1h: Int = 0

        @Option(parsing: .unconditional, help: "Completion tokens spent on reasoning.")
        var reasoning: Int = 0

        @Option(help: "Service tier: standard, batch, flex or priority.")
        var tier: ServiceTier = .standard

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var format: FormatOptions

        var usage: Usage {
            Usage(input: input, output: output, cachedInput: cachedInput, cacheWrite: cacheWrite, cacheWrite1h: cacheWrite1h, reasoning: reasoning)
        }

        func validate() throws {
            do {
                try usage.validate()
            } catch {
                throw ValidationError(error.description)
            }
        }

        func render() throws -> String {
            let cost = try CostCalculator(catalog: try catalog.load()).cost(model: model, usage: usage, tier: tier)
            return format.resolved == .json ? CostReport.json(cost).serialized() : CostReport.text(cost)
        }

        func run() throws { print(try render()) }
    }
}
