public import Foundation

/// Builds the catalog a command uses: the bundled catalog, then the user's imported catalog in
/// `$XDG_CONFIG_HOME/tokenomics/` (default `~/.config/tokenomics/`), then any extra files.
///
/// Extra files may be in any of the three formats, told apart by their content: LiteLLM's JSON
/// price map, the custom-models format (YAML or JSON with a top-level `models:` list), or a
/// Tokenomics catalog file.
public struct CatalogLoader: Sendable {
    /// Files given with `--catalog`, applied last.
    public var extraFiles: [String]
    /// Whether to apply the user's imported catalog and custom models.
    public var includeUserCatalog: Bool
    /// The environment, for `XDG_CONFIG_HOME` and `HOME`.
    public var environment: [String: String]

    public init(extraFiles: [String] = [], includeUserCatalog: Bool = true, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.extraFiles = extraFiles
        self.includeUserCatalog = includeUserCatalog
        self.environment = environment
    }

    /// The user's configuration folder for Tokenomics.
    public var configDirectory: URL {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("tokenomics")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".config/tokenomics")
    }

    /// The user's imported catalog file.
    public var userCatalogFile: URL { configDirectory.appendingPathComponent("catalog.tsv") }

    /// Loads every layer.
    public func load() throws(PricingError) -> Catalog {
        var catalog = try Self.bundled()
        if includeUserCatalog, FileManager.default.fileExists(atPath: userCatalogFile.path) {
            let (models, source) = try CatalogFile.read(try Self.readData(userCatalogFile.path), path: userCatalogFile.path)
            catalog.add(models, source: source)
        }
        for file in extraFiles {
            let (models, source) = try Self.readAnyFormat(file, base: catalog)
            catalog.add(models, source: source)
        }
        return catalog
    }

    /// The catalog shipped with Tokenomics.
    public static func bundled() throws(PricingError) -> Catalog {
        guard let url = Bundle.module.url(forResource: "catalog", withExtension: "tsv") else { throw .bundledCatalogMissing }
        let data = try readData(url.path)
        var (models, source) = try CatalogFile.read(data, path: "bundled", lazyRates: true)
        source.path = "bundled"
        for index in models.indices { models[index].origin = "bundled" }
        return Catalog(models: models, source: source)
    }

    /// The bytes of a catalog file, or the system's reason why not ("no such file or directory",
    /// "is a directory"): the rule of Tokenizers' `TextFiles.bytes(of:)`, which Pricing cannot
    /// call (the two libraries sit side by side at the bottom and depend on neither each other).
    public static func readData(_ path: String) throws(PricingError) -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            // Foundation's own text is "The operation could not be completed"; the POSIX error says what.
            guard let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? POSIXError else {
                throw .unreadable(path: path, reason: error.localizedDescription)
            }
            let reason = String(cString: strerror(posix.code.rawValue))
            throw .unreadable(path: path, reason: reason.prefix(1).lowercased() + reason.dropFirst())
        }
    }

    /// Reads a catalog layer in whichever format the file is.
    public static func readAnyFormat(_ path: String, base: Catalog) throws(PricingError) -> (models: [ModelPrice], source: CatalogSource) {
        let data = try readData(path)
        let bytes = [UInt8](data)
        let head = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if head.hasPrefix("#tokenomics-catalog") { return try CatalogFile.read(data, path: path) }
        let text = String(decoding: bytes, as: UTF8.self)
        if Self.looksLikeCustomModels(head) {
            let models = try CustomModels.parse(text, file: path, base: base)
            return (models, CatalogSource(path: path, source: "custom models", version: "-", date: Self.modificationDate(path), models: models.count))
        }
        let trimmed = head.drop { $0.isWhitespace }
        guard trimmed.first == "{" else {
            throw .malformedCatalog(location: "\(path):1", field: "format", reason: "not a LiteLLM price map (JSON object), a custom-models file (models: list) or a Tokenomics catalog")
        }
        let result = try LiteLLMImporter.convert(bytes, path: path)
        let source = CatalogSource(path: path, source: "LiteLLM price map \(URL(fileURLWithPath: path).lastPathComponent)", version: "-", date: Self.modificationDate(path), models: result.models.count)
        return (result.models, source)
    }

    static func looksLikeCustomModels(_ head: String) -> Bool {
        for line in head.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("models:") { return true }
            if trimmed.hasPrefix("{") { return trimmed.dropFirst().drop { $0 == " " }.hasPrefix("\"models\"") }
            return false
        }
        return head.contains("\"models\"") && !head.contains("_cost_per_token")
    }

    static func modificationDate(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let date = attributes?[.modificationDate] as? Date else { return "unknown" }
        return ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
    }

    /// Merges models into the user's imported catalog, replacing it when `replace` is true.
    ///
    /// - Returns: the file written and how many models it now holds.
    @discardableResult
    public func importIntoUserCatalog(_ models: [ModelPrice], source: CatalogSource, replace: Bool) throws(PricingError) -> (file: URL, models: Int) {
        var existing: [ModelPrice] = []
        if !replace, FileManager.default.fileExists(atPath: userCatalogFile.path) {
            existing = try CatalogFile.read(try Self.readData(userCatalogFile.path), path: userCatalogFile.path).models
        }
        let merged = Catalog(models: existing + models).models
        var stored = source
        stored.models = merged.count
        let text = CatalogFile.write(merged, source: stored)
        do {
            try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: userCatalogFile, options: .atomic)
        } catch {
            throw .unreadable(path: userCatalogFile.path, reason: "cannot write: \(error.localizedDescription)")
        }
        return (userCatalogFile, merged.count)
    }
}
