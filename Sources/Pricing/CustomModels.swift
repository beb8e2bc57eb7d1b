import TokenomicsCore
/// Reads the custom-models format: a fine-tune, a private deployment, negotiated prices.
///
/// ```yaml
/// models:
///   - name: acme-support-ft          # required
///     based_on: gpt-4o-mini          # optional: start from this catalog model's sheet
///     provider: openai               # default: based_on's provider, else "custom"
///     mode: chat                     # chat | completion | embedding | responses
///     context_window: 128000
///     max_output: 16384
///     prompt_cache_min_tokens: 1024
///     prices:                        # USD per million tokens, exact decimals
///       input: 0.30
///       output: 1.20
///       cached_input: 0.15
///       cache_write: 0.375
///       cache_write_1h: 0.60
///       reasoning: 1.20
///       batch:    {input: 0.15, output: 0.60}
///       flex:     {input: 0.15, output: 0.60}
///       priority: {input: 0.50, output: 2.00}
///       above_200k: {input: 0.60, output: 2.40}   # long-context tier: prompt > 200,000 tokens
/// ```
/// JSON with the same fields works too. See docs/catalog.md.
public enum CustomModels: Sendable {
    static let classNames: [String: TokenClass] = [
        "input": .input, "output": .output, "cached_input": .cachedInput, "cache_write": .cacheWrite,
        "cache_write_1h": .cacheWrite1h, "reasoning": .reasoning, "audio_input": .audioInput, "audio_output": .audioOutput,
    ]

    /// Parses a custom-models document.
    ///
    /// - Parameters:
    ///   - text: the YAML or JSON text.
    ///   - file: its name, for messages.
    ///   - base: the catalog that `based_on` names refer to.
    /// - Throws: ``PricingError/malformedCatalog(location:field:reason:)`` naming the line and field.
    public static func parse(_ text: String, file: String, base: Catalog) throws(PricingError) -> [ModelPrice] {
        do {
            return try parseFields(text, file: file, base: base)
        } catch {
            throw .malformedCatalog(location: error.location, field: error.field, reason: error.reason)
        }
    }

    static func parseFields(_ text: String, file: String, base: Catalog) throws(YAMLFields.Problem) -> [ModelPrice] {
        let root = try YAMLFields.parse(text, file: file)
        let entries = try root.sequence("models")
        try root.rejectUnknown()
        if entries.isEmpty { throw root.problem("models", "expected at least one model") }
        var result: [ModelPrice] = []
        for entry in entries {
            let name = try entry.string("name")
            var model: ModelPrice
            if let basedOn = try entry.string("based_on", required: false) {
                guard let found = base.find(basedOn) else {
                    throw entry.problem("based_on", "unknown model '\(basedOn)'; did you mean \(base.suggestions(for: basedOn).joined(separator: ", "))?")
                }
                model = found
                model.name = name
                model.aliasOf = nil
            } else {
                model = ModelPrice(name: name, provider: "custom")
            }
            model.origin = file
            if let provider = try entry.string("provider", required: false) { model.provider = provider }
            if let mode = try entry.string("mode", required: false) {
                guard LiteLLMImporter.keptModes.contains(mode) else {
                    throw entry.problem("mode", "expected one of chat, completion, embedding, responses")
                }
                model.mode = mode
            }
            if let window = try entry.integer("context_window") { model.maxInputTokens = window }
            if let output = try entry.integer("max_output") { model.maxOutputTokens = output }
            if let minimum = try entry.integer("prompt_cache_min_tokens") { model.promptCacheMinTokens = minimum }
            if let date = try entry.string("deprecation_date", required: false) { model.deprecationDate = date }
            if let prices = try entry.mapping("prices") {
                try readRates(prices, tier: .standard, above: 0, into: &model, nested: true)
                try prices.rejectUnknown()
            }
            try entry.rejectUnknown()
            guard model.hasTokenPrices else {
                throw entry.problem("prices", "give at least an input or an output price (USD per million tokens), or based_on")
            }
            result.append(model)
        }
        return result
    }

    static func readRates(_ fields: YAMLFields, tier: ServiceTier, above: Int, into model: inout ModelPrice, nested: Bool) throws(YAMLFields.Problem) {
        for key in fields.keys {
            if let cls = classNames[key] {
                guard let perMillion = try fields.money(key) else { continue }
                if perMillion.units < 0 { throw fields.problem(key, "a price cannot be negative") }
                let (perToken, remainder) = perMillion.units.quotientAndRemainder(dividingBy: 1_000_000)
                if remainder != 0 { throw fields.problem(key, "more decimals than a per-token rate can hold exactly") }
                model.rates[RateKey(cls, tier: tier, aboveTokens: above)] = Money(units: perToken)
            } else if nested, let subTier = ServiceTier(rawValue: key), subTier != .standard, let sub = try fields.mapping(key) {
                try readRates(sub, tier: subTier, above: above, into: &model, nested: false)
                try sub.rejectUnknown()
            } else if nested, key.hasPrefix("above_"), let threshold = parseThreshold(key.dropFirst(6)), let sub = try fields.mapping(key) {
                try readRates(sub, tier: tier, above: threshold, into: &model, nested: true)
                try sub.rejectUnknown()
            }
        }
    }

    static func parseThreshold(_ text: Substring) -> Int? {
        var digits = text
        var multiplier = 1
        if digits.hasSuffix("k") { multiplier = 1000; digits = digits.dropLast() }
        guard let value = Int(digits), value > 0 else { return nil }
        return value * multiplier
    }
}
