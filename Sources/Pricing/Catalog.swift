/// A searchable set of model price sheets, built from one or more layers.
///
/// Later layers extend and override earlier ones by model name (case-insensitively): the bundled
/// catalog first, then the user's imported catalog, then files given with `--catalog`.
///
/// ```swift
/// let catalog = try CatalogLoader().load()
/// let model = try catalog.model(named: "openai/gpt-4o")
/// ```
public struct Catalog: Sendable {
    /// Every model, sorted by name.
    public private(set) var models: [ModelPrice] = []
    /// The layers, in the order they were applied.
    public private(set) var sources: [CatalogSource] = []
    private var byName: [String: Int] = [:]

    /// An empty catalog.
    public init() {}

    /// A catalog of the given models.
    public init(models: [ModelPrice], source: CatalogSource? = nil) {
        add(models, source: source)
    }

    /// Adds a layer: its models extend the catalog and override models of the same name.
    public mutating func add(_ layer: [ModelPrice], source: CatalogSource? = nil) {
        if let source { sources.append(source) }
        // Fast path for the first layer when it is already sorted with unique names (the bundled
        // catalog is): no merge needed.
        if models.isEmpty && zip(layer, layer.dropFirst()).allSatisfy({ $0.name < $1.name }) {
            models = layer
            reindex()
            if byName.count == models.count { return }
            models = []
        }
        var merged: [String: ModelPrice] = Dictionary(models.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { $1 })
        for model in layer { merged[model.name.lowercased()] = model }
        models = merged.values.sorted { $0.name < $1.name }
        reindex()
    }

    private mutating func reindex() {
        byName = [:]
        byName.reserveCapacity(models.count)
        for (index, model) in models.enumerated() {
            byName[Self.lowercase(model.name)] = index
        }
    }

    static func lowercase(_ name: String) -> String {
        name.utf8.contains(where: { ($0 >= 0x41 && $0 <= 0x5A) || $0 >= 0x80 }) ? name.lowercased() : name
    }

    /// Indices of models whose key, after its last `/`, is `bare` (already lower-cased). A scan:
    /// only lookups that miss the exact index come here.
    private func indices(withBareName bare: String) -> [Int] {
        var result: [Int] = []
        for (index, model) in models.enumerated() {
            let name = model.name.utf8
            guard name.count > bare.utf8.count, let slash = name.lastIndex(of: UInt8(ascii: "/")) else { continue }
            let tail = Self.lowercase(String(model.name[model.name.index(after: slash)...]))
            if tail == bare { result.append(index) }
        }
        return result
    }

    /// The number of models.
    public var count: Int { models.count }

    /// Finds a model by its exact key, a provider-prefixed name (`openai/gpt-4o`,
    /// `anthropic/claude-sonnet-4-5`) or a unique name without its prefix; case-insensitive.
    ///
    /// - Throws: ``PricingError/unknownModel(_:suggestions:)`` with the three closest names.
    public func model(named name: String) throws(PricingError) -> ModelPrice {
        if let found = find(name) { return found }
        throw .unknownModel(name, suggestions: suggestions(for: name, count: 3))
    }

    /// Finds a model like ``model(named:)``, or returns nil.
    public func find(_ name: String) -> ModelPrice? {
        let query = name.trimmingSpaces().lowercased()
        guard !query.isEmpty else { return nil }
        if let index = byName[query] { return models[index] }
        if let slash = query.firstIndex(of: "/") {
            let prefix = query[..<slash]
            let rest = String(query[query.index(after: slash)...])
            if let index = byName[rest], Self.provider(models[index].provider, matches: prefix) { return models[index] }
            // A prefixed key of the same provider ending in the rest: `bedrock/…/rest`.
            do {
                let candidates = indices(withBareName: rest.split(separator: "/").last.map(String.init) ?? rest)
                let matching = candidates.filter { Self.provider(models[$0].provider, matches: prefix) && models[$0].name.lowercased().hasSuffix(rest) }
                if matching.count == 1 { return models[matching[0]] }
            }
            return nil
        }
        let candidates = indices(withBareName: query)
        if candidates.count == 1 { return models[candidates[0]] }
        return nil
    }

    static func provider(_ provider: String, matches prefix: Substring) -> Bool {
        let lower = provider.lowercased()
        return lower == prefix || lower.hasPrefix(prefix + "-") || lower.hasPrefix(prefix + "_")
            || (prefix == "google" && (lower.hasPrefix("gemini") || lower.hasPrefix("vertex_ai")))
    }

    /// The names closest to a query, best first.
    public func suggestions(for name: String, count: Int = 3) -> [String] {
        let query = Array(name.lowercased().utf8)
        let bareQuery = name.lowercased().split(separator: "/").last.map { Array($0.utf8) } ?? query
        var scored: [(score: Int, name: String)] = []
        scored.reserveCapacity(models.count)
        for model in models {
            let lower = model.name.lowercased()
            let candidate = Array(lower.utf8)
            let bare = lower.split(separator: "/").last.map { Array($0.utf8) } ?? candidate
            var score = min(Self.editDistance(query, candidate), Self.editDistance(bareQuery, bare) + 1)
            if lower.contains(String(decoding: bareQuery, as: UTF8.self)) { score -= 2 }
            scored.append((score, model.name))
        }
        scored.sort { $0.score != $1.score ? $0.score < $1.score : ($0.name.count != $1.name.count ? $0.name.count < $1.name.count : $0.name < $1.name) }
        return scored.prefix(count).map(\.name)
    }

    /// Models matching a search: every word of `query` must occur in the name or provider.
    public func search(_ query: String? = nil, provider: String? = nil, mode: String? = nil) -> [ModelPrice] {
        let words = (query ?? "").lowercased().split(whereSeparator: { $0 == " " })
        return models.filter { model in
            if let provider, !Self.provider(model.provider, matches: Substring(provider.lowercased())) { return false }
            if let mode, model.mode != mode.lowercased() { return false }
            let haystack = (model.name + " " + model.provider).lowercased()
            return words.allSatisfy { haystack.contains($0) }
        }
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first?.isWhitespace == true { scalars.removeFirst() }
        while scalars.last?.isWhitespace == true { scalars.removeLast() }
        return String(scalars)
    }
}
