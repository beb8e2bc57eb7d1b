import ArgumentParser
import CostModel
import Modeling
import Pricing
import Reports
import TokenomicsCore

extension Tokenomics {
    struct Estimate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The quick answer: cost per interaction, per user per month, and the margin.",
            discussion: """
                One interaction is one call of --input prompt tokens and --output completion \
                tokens. A user makes --interactions of them a month; --price is what they pay a \
                month. The verdict compares inference cost with the price: under 5% it is \
                negligible, 5-30% it matters, over 30% (or a user who costs more than they pay) it \
                dominates. For several calls per interaction, agent loops, caching and a real \
                distribution of users, write a scenario and run `tokenomics model`.

                Examples:
                  tokenomics estimate --model gpt-4o --input 2000 --output 500 --interactions 200 --price 30
                  tokenomics estimate --model claude-sonnet-4-5 --input 8000 --cached-input 6000 --output 700 --interactions 400 --price 20 --json
                """
        )

        @Option(help: "The model (catalog name or provider/name).")
        var model: String

        @Option(parsing: .unconditional, help: "Prompt tokens per interaction, cached tokens included.")
        var input: Int

        @Option(parsing: .unconditional, help: "Completion tokens per interaction, reasoning included.")
        var output: Int = 0

        @Option(parsing: .unconditional, help: "Prompt tokens per interaction read from the provider's prompt cache.")
        var cachedInput: Int = 0

        @Option(parsing: .unconditional, help: "Completion tokens per interaction spent on reasoning.")
        var reasoning: Int = 0

        @Option(parsing: .unconditional, help: "Interactions per user per month.")
        var interactions: Int

        @Option(parsing: .unconditional, help: ArgumentHelp("What a user pays a month, in USD (e.g. 30 or 19.99).", valueName: "usd"))
        var price: String?

        @Option(help: "Service tier: standard, batch, flex or priority.")
        var tier: ServiceTier = .standard

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var format: FormatOptions

        var usage: Usage { Usage(input: input, output: output, cachedInput: cachedInput, reasoning: reasoning) }

        func validate() throws {
            if format.resolved == .csv || format.resolved == .html {
                throw ValidationError("--format \(format.resolved.rawValue) is not available for estimate; use text, markdown or json.")
            }
            if interactions < 0 { throw ValidationError("--interactions cannot be negative (got \(interactions)).") }
            do {
                try usage.validate()
            } catch {
                throw ValidationError(error.description)
            }
            _ = try monthlyPrice()
        }

        func monthlyPrice() throws -> Money? {
            guard let price else { return nil }
            guard let money = try? Money(exactly: price), money >= .zero else {
                throw ValidationError("--price must be a non-negative amount in USD, such as 30 or 19.99 (got '\(price)').")
            }
            return money
        }

        func render() throws -> String {
            let catalog = try catalog.load()
            let estimate = try QuickEstimate(model: try catalog.model(named: model), usage: usage, tier: tier, interactions: interactions, price: try monthlyPrice())
            switch format.resolved {
            case .json: return ScenarioReport.estimateJSON(estimate).serialized()
            case .markdown: return ScenarioReport.estimateMarkdown(estimate)
            default: return ScenarioReport.estimateText(estimate)
            }
        }

        func run() throws { print(try render()) }
    }
}
