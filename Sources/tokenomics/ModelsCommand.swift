import ArgumentParser
import Pricing
import Reports
import TokenomicsCore

extension Tokenomics {
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List and search the models in the price catalog.",
            discussion: """
                Every word of QUERY must occur in the model's name or provider. Prices are USD per \
                million tokens.

                Examples:
                  tokenomics models                       # every model
                  tokenomics models claude sonnet         # search
                  tokenomics models --provider openai --mode embedding
                  tokenomics models gpt-4o --json
                """
        )

        @Argument(help: "Words to search for in model names and providers.")
        var query: [String] = []

        @Option(help: "Only models of this provider (openai, anthropic, bedrock, vertex_ai, …).")
        var provider: String?

        @Option(help: "Only models of this mode: chat, completion, embedding or responses.")
        var mode: String?

        @Option(help: "Sort by name, input, output or context.")
        var sort: SortKey = .name

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var output: FormatOptions

        enum SortKey: String, ExpressibleByArgument, CaseIterable { case name, input, output, context }

        func validate() throws {
            if let mode, !LiteLLMImporter.keptModes.contains(mode) {
                throw ValidationError("--mode must be one of chat, completion, embedding, responses (got '\(mode)').")
            }
        }

        func render() throws -> String {
            let loaded = try catalog.load()
            var models = loaded.search(query.joined(separator: " "), provider: provider, mode: mode)
            switch sort {
            case .name: break
            case .input: models.sort { ($0.baseRate(.input) ?? .zero) < ($1.baseRate(.input) ?? .zero) }
            case .output: models.sort { ($0.baseRate(.output) ?? .zero) < ($1.baseRate(.output) ?? .zero) }
            case .context: models.sort { ($0.maxInputTokens ?? 0) > ($1.maxInputTokens ?? 0) }
            }
            if output.resolved == .json { return CatalogReport.modelsJSON(models).serialized() }
            if models.isEmpty {
                let hint = query.isEmpty ? "" : " Closest names: \(loaded.suggestions(for: query.joined(separator: "-")).joined(separator: ", "))."
                return "No models match.\(hint)"
            }
            return CatalogReport.modelTable(models).rendered() + "\n\n\(models.count) of \(loaded.count) models."
        }

        func run() throws { print(try render()) }
    }
}
