public import ArgumentParser
public import Pricing
public import Reports
import Tokenizers

/// `--catalog FILE` (repeatable): extra price files on top of the bundled and imported catalogs.
struct CatalogOptions: ParsableArguments {
    @Option(
        name: .customLong("catalog"),
        help: ArgumentHelp(
            "A price file applied on top of the bundled and imported catalogs (repeatable): LiteLLM's JSON price map, a custom-models YAML/JSON file, or a Tokenomics catalog.",
            valueName: "file"
        )
    )
    var files: [String] = []

    @Flag(help: "Ignore the catalog imported with `tokenomics prices import`.")
    var noUserCatalog = false

    func load() throws -> Catalog {
        try CatalogLoader(extraFiles: files, includeUserCatalog: !noUserCatalog).load()
    }
}

/// `--format` and its short form `--json`.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: text or json (markdown too where the command's help says so).")
    var format: OutputFormat = .text

    @Flag(help: "Short for --format json.")
    var json = false

    var resolved: OutputFormat { json ? .json : format }
}

extension OutputFormat: ExpressibleByArgument {}
extension ServiceTier: ExpressibleByArgument {}

/// The UTF-8 text of a file given to a command (a gateway configuration, a plans file), or a usage
/// error that names what the file is, its path and the system's reason ("no such file or
/// directory", "is a directory", "not UTF-8 text").
func readTextFile(_ path: String, what: String) throws -> String {
    do { return try TextFiles.utf8Text(of: path) } catch {
        guard case .unreadableFile(_, let reason) = error else { throw error }
        throw ValidationError("Cannot read the \(what) '\(path)': \(reason).")
    }
}
