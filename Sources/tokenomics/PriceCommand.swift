import ArgumentParser
import Pricing
import Reports
import TokenomicsCore

extension Tokenomics {
    struct Price: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every rate and limit of one model.",
            discussion: """
                MODEL is a catalog name, a provider-prefixed name (openai/gpt-4o, \
                anthropic/claude-sonnet-4-5) or a unique name without prefix; case does not matter.

                Examples:
                  tokenomics price gpt-4o
                  tokenomics price anthropic/claude-sonnet-4-5 --json
                """
        )

        @Argument(help: "The model.")
        var model: String

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var output: FormatOptions

        func render() throws -> String {
            let found = try catalog.load().model(named: model)
            return output.resolved == .json ? CatalogReport.priceSheetJSON(found).serialized() : CatalogReport.priceSheetText(found)
        }

        func run() throws { print(try render()) }
    }
}
