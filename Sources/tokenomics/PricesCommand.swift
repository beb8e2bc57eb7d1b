import ArgumentParser
import Foundation
import Pricing
import Reports
import TokenomicsCore

extension Tokenomics {
    struct Prices: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the price catalog: import prices, show where they come from.",
            subcommands: [Import.self, Info.self, Convert.self]
        )
    }
}

extension Tokenomics.Prices {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import prices into your catalog ($XDG_CONFIG_HOME/tokenomics/catalog.tsv).",
            discussion: """
                FILE is LiteLLM's model_prices_and_context_window.json (or any file in its format), \
                or a custom-models YAML/JSON file (see docs/catalog.md). Imported models extend the \
                bundled catalog and override models of the same name, in every command. Repeated \
                imports accumulate unless --replace is given.

                Examples:
                  tokenomics prices import model_prices_and_context_window.json
                  tokenomics prices import negotiated.yaml
                """
        )

        @Argument(help: "The file to import.")
        var file: String

        @Flag(help: "Replace the imported catalog instead of adding to it.")
        var replace = false

        @OptionGroup var output: FormatOptions

        func validate() throws {
            if file.hasPrefix("http://") || file.hasPrefix("https://") {
                throw ValidationError("Tokenomics works offline and does not fetch URLs: download \(file) first, then import the file.")
            }
        }

        func render() throws -> String {
            let loader = CatalogLoader()
            let base = try CatalogLoader(includeUserCatalog: !replace).load()
            let (models, source) = try CatalogLoader.readAnyFormat(file, base: base)
            let stored = try loader.importIntoUserCatalog(models, source: source, replace: replace)
            if output.resolved == .json {
                return JSONValue.object([
                    ("imported", .int(models.count)), ("file", .string(stored.file.path)), ("user_catalog_models", .int(stored.models)),
                ]).serialized()
            }
            return "Imported \(models.count) models from \(file) into \(stored.file.path) (\(stored.models) models there now)."
        }

        func run() throws { print(try render()) }
    }

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the catalog's sources, versions, dates and counts."
        )

        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var output: FormatOptions

        func render() throws -> String {
            let loaded = try catalog.load()
            var byMode: [String: Int] = [:]
            var providers = Set<String>()
            for model in loaded.models {
                byMode[model.mode, default: 0] += 1
                providers.insert(model.provider)
            }
            if output.resolved == .json {
                return JSONValue.object([
                    ("models", .int(loaded.count)),
                    ("providers", .int(providers.count)),
                    ("by_mode", .object(byMode.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                    ("sources", .array(loaded.sources.map { source in
                        .object([
                            ("path", .string(source.path)), ("source", .string(source.source)), ("version", .string(source.version)),
                            ("date", .string(source.date)), ("sha256", .optional(source.sha256, JSONValue.string)), ("models", .int(source.models)),
                        ])
                    })),
                ]).serialized()
            }
            var table = TextTable(columns: [.init("layer"), .init("source"), .init("version"), .init("date"), .init("models", alignment: .right)])
            for source in loaded.sources {
                table.append([source.path, source.source, source.version, source.date, formatTokens(source.models)])
            }
            let modes = byMode.sorted { $0.value > $1.value }.map { "\($0.key) \(formatTokens($0.value))" }.joined(separator: ", ")
            var text = table.rendered() + "\n\n\(formatTokens(loaded.count)) models from \(providers.count) providers (\(modes))."
            if let sha = loaded.sources.first?.sha256 { text += "\nBundled source sha256: \(sha)" }
            text += "\nUser catalog: \(CatalogLoader().userCatalogFile.path)"
            return text
        }

        func run() throws { print(try render()) }
    }

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a LiteLLM price map into a Tokenomics catalog file (used by Scripts/generate-catalog.sh).",
            shouldDisplay: false
        )

        @Argument(help: "LiteLLM's JSON price map.")
        var file: String

        @Option(name: .shortAndLong, help: "Where to write the catalog.")
        var output: String

        @Option(help: "The source's version, recorded in the catalog.")
        var sourceVersion: String = "unknown"

        @Option(help: "The source's name, recorded in the catalog.")
        var sourceName: String?

        @Option(help: "The source file's SHA-256, recorded in the catalog.")
        var sha256: String?

        @Option(help: "The date recorded in the catalog (YYYY-MM-DD).")
        var date: String?

        func run() throws {
            let bytes = [UInt8](try CatalogLoader.readData(file))
            let result = try LiteLLMImporter.convert(bytes, path: file)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            let source = CatalogSource(
                path: output, source: sourceName ?? URL(fileURLWithPath: file).lastPathComponent, version: sourceVersion,
                date: date ?? formatter.string(from: Date()), sha256: sha256, models: result.models.count
            )
            try Data(CatalogFile.write(result.models, source: source).utf8).write(to: URL(fileURLWithPath: output))
            print("Wrote \(result.models.count) models to \(output) (skipped \(result.skippedMode) of other modes, \(result.skippedUnpriced) without token prices).")
        }
    }
}
