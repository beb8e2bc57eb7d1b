import Pricing

/// Resolves the model a request names into the models to try, each with its upstream.
struct ModelRouter: Sendable {
    let config: GatewayConfig
    let catalog: Catalog

    /// One model to try on one upstream.
    struct Target: Sendable {
        var model: String
        var upstream: GatewayConfig.Upstream
    }

    /// The model a request resolves to: the feature's model if the feature has one, else the alias target, else the name itself.
    func resolve(_ requested: String, feature: String?) -> String {
        if let feature, let routed = config.routes.features[feature] { return config.routes.aliases[routed] ?? routed }
        return config.routes.aliases[requested] ?? requested
    }

    func upstream(for model: String, kind: GatewayConfig.Upstream.Kind? = nil) -> GatewayConfig.Upstream? {
        config.upstreams.first { ($0.kind == kind || kind == nil) && $0.serves(model) }
            ?? config.upstreams.first { $0.serves(model) }
    }

    /// The targets to try in order (the model, then its fallbacks); empty when no upstream serves it.
    func targets(for model: String, preferring kind: GatewayConfig.Upstream.Kind? = nil) -> [Target] {
        var result: [Target] = []
        var seen: Set<String> = []
        for name in [model] + (config.routes.fallbacks[model] ?? []) {
            let resolved = config.routes.aliases[name] ?? name
            guard seen.insert(resolved).inserted, let upstream = upstream(for: resolved, kind: kind) else { continue }
            result.append(Target(model: resolved, upstream: upstream))
        }
        return result
    }

    /// Names close to an unknown one: aliases, routed names and catalog models some upstream serves.
    func suggestions(for name: String) -> [String] {
        let lowered = name.lowercased()
        var candidates = Array(config.routes.aliases.keys)
        candidates += catalog.suggestions(for: name, count: 10).filter { upstream(for: $0) != nil }
        let scored = candidates.map { ($0, Self.distance(lowered, $0.lowercased())) }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        var seen: Set<String> = []
        return scored.map(\.0).filter { seen.insert($0).inserted }.prefix(3).map { $0 }
    }

    /// Every model name a client can use: aliases and the catalog's models that some upstream serves.
    func listedModels() -> [(id: String, owner: String)] {
        var result: [(String, String)] = config.routes.aliases.keys.sorted().map { ($0, "tokenomics") }
        for model in catalog.models where model.aliasOf == nil {
            if let upstream = upstream(for: model.name) { result.append((model.name, upstream.name)) }
        }
        return result
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8), y = Array(b.utf8)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count), current = Array(repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
