public import CostModel
public import Pricing
public import TokenomicsCore

/// Reports on the catalog: model lists and one model's price sheet.
public enum CatalogReport: Sendable {
    /// A table of models: name, provider, mode, $/M input, output, cached input, context window.
    public static func modelTable(_ models: [ModelPrice]) -> TextTable {
        var table = TextTable(columns: [
            .init("model"), .init("provider"), .init("mode"),
            .init("$/M input", alignment: .right), .init("$/M output", alignment: .right),
            .init("$/M cached", alignment: .right), .init("context", alignment: .right),
        ])
        for model in models {
            table.append([
                model.name, model.provider, model.mode,
                perMillion(model.baseRate(.input)), perMillion(model.baseRate(.output)),
                perMillion(model.baseRate(.cachedInput)),
                model.maxInputTokens.map(formatTokens) ?? "-",
            ])
        }
        return table
    }

    /// The model list as JSON: an array of objects.
    public static func modelsJSON(_ models: [ModelPrice]) -> JSONValue {
        .array(models.map { model in
            .object([
                ("name", .string(model.name)),
                ("provider", .string(model.provider)),
                ("mode", .string(model.mode)),
                ("input_per_million_usd", .optional(model.baseRate(.input)) { .money($0 * 1_000_000) }),
                ("output_per_million_usd", .optional(model.baseRate(.output)) { .money($0 * 1_000_000) }),
                ("cached_input_per_million_usd", .optional(model.baseRate(.cachedInput)) { .money($0 * 1_000_000) }),
                ("max_input_tokens", .optional(model.maxInputTokens, JSONValue.int)),
            ])
        })
    }

    /// Every rate and limit of one model, as text.
    public static func priceSheetText(_ model: ModelPrice) -> String {
        var lines = ["\(model.name)  (\(model.provider), \(model.mode))"]
        func add(_ label: String, _ value: String?) { if let value { lines.append("  \(label.padding(18))\(value)") } }
        add("context window", model.maxInputTokens.map { formatTokens($0) + " tokens" })
        add("max output", model.maxOutputTokens.map { formatTokens($0) + " tokens" })
        add("cache min prefix", model.promptCacheMinTokens.map { formatTokens($0) + " tokens" })
        add("deprecation", model.deprecationDate)
        add("alias of", model.aliasOf)
        add("source", model.origin)
        lines.append("")
        var table = TextTable(columns: [.init("rate"), .init("tier"), .init("prompt"), .init("$/M tokens", alignment: .right), .init("$/token", alignment: .right)])
        for key in model.rates.keys.sorted() {
            let rate = model.rates[key]!
            let prompt = key.aboveTokens == 0 ? "any" : (model.inclusiveThresholds ? "≥ " : "> ") + formatTokens(key.aboveTokens)
            table.append([key.tokenClass.rawValue, key.tier.rawValue, prompt, rate.formattedPerMillion(), rate.exactString])
        }
        lines.append(table.rendered())
        lines.append("")
        lines.append("Missing rates fall back: cached input and cache writes to input, 1-hour writes to 5-minute writes, reasoning to output, other tiers to standard.")
        return lines.joined(separator: "\n")
    }

    /// Every rate and limit of one model, as JSON.
    public static func priceSheetJSON(_ model: ModelPrice) -> JSONValue {
        .object([
            ("name", .string(model.name)),
            ("provider", .string(model.provider)),
            ("mode", .string(model.mode)),
            ("max_input_tokens", .optional(model.maxInputTokens, JSONValue.int)),
            ("max_output_tokens", .optional(model.maxOutputTokens, JSONValue.int)),
            ("prompt_cache_min_tokens", .optional(model.promptCacheMinTokens, JSONValue.int)),
            ("deprecation_date", .optional(model.deprecationDate, JSONValue.string)),
            ("alias_of", .optional(model.aliasOf, JSONValue.string)),
            ("inclusive_thresholds", .bool(model.inclusiveThresholds)),
            ("origin", .string(model.origin)),
            ("rates", .array(model.rates.keys.sorted().map { key in
                let rate = model.rates[key]!
                return .object([
                    ("class", .string(key.tokenClass.rawValue)),
                    ("tier", .string(key.tier.rawValue)),
                    ("above_tokens", .int(key.aboveTokens)),
                    ("per_token_usd", .money(rate)),
                    ("per_million_usd", .money(rate * 1_000_000)),
                    ("per_token_usd_exact", .moneyString(rate)),
                ])
            })),
        ])
    }

    static func perMillion(_ rate: Money?) -> String { rate.map { $0.formattedPerMillion() } ?? "-" }
}

/// Reports on the cost of one call.
public enum CostReport: Sendable {
    /// The itemised cost as text.
    public static func text(_ cost: CallCost) -> String {
        var table = TextTable(columns: [.init("class"), .init("tokens", alignment: .right), .init("$/M", alignment: .right), .init("cost", alignment: .right)])
        for item in cost.items {
            var label = item.tokenClass.rawValue
            if item.rateSource.tokenClass != item.tokenClass { label += " (at \(item.rateSource.tokenClass.rawValue) rate)" }
            if item.rateSource.tier != cost.tier { label += " (\(item.rateSource.tier.rawValue) rate)" }
            table.append([label, formatTokens(item.tokens), item.rate.formattedPerMillion(), item.cost.formatted()])
        }
        table.addRule()
        table.append(["total", formatTokens(cost.usage.input + cost.usage.output), "", cost.total.formatted()])
        var header = "\(cost.model), \(cost.tier.rawValue) tier"
        if cost.contextThreshold > 0 { header += ", long-context rates (prompt above \(formatTokens(cost.contextThreshold)) tokens)" }
        var lines = [header, "", table.rendered()]
        if cost.promptCacheSaving != .zero {
            lines.append("")
            lines.append("Prompt caching \(cost.promptCacheSaving > .zero ? "saved" : "cost an extra") \((cost.promptCacheSaving > .zero ? cost.promptCacheSaving : -cost.promptCacheSaving).formatted()) against uncached input.")
        }
        lines.append("")
        lines.append("Exact total: $\(cost.total.exactString)")
        return lines.joined(separator: "\n")
    }

    /// The itemised cost as JSON: `model`, `tier`, `items` [{`class`, `tokens`,
    /// `rate_per_million_usd`, `cost_usd`}], `total_usd` (number), `total_usd_exact` (string).
    public static func json(_ cost: CallCost) -> JSONValue {
        .object([
            ("model", .string(cost.model)),
            ("tier", .string(cost.tier.rawValue)),
            ("context_threshold_tokens", .int(cost.contextThreshold)),
            ("usage", usageJSON(cost.usage)),
            ("items", .array(cost.items.map { item in
                .object([
                    ("class", .string(item.tokenClass.rawValue)),
                    ("tokens", .int(item.tokens)),
                    ("rate_per_million_usd", .money(item.rate * 1_000_000)),
                    ("rate_source", .string(rateSourceName(item.rateSource))),
                    ("cost_usd", .money(item.cost)),
                    ("cost_usd_exact", .moneyString(item.cost)),
                ])
            })),
            ("prompt_cache_saving_usd", .money(cost.promptCacheSaving)),
            ("total_usd", .money(cost.total)),
            ("total_usd_exact", .moneyString(cost.total)),
        ])
    }

    /// Token counts as JSON.
    public static func usageJSON(_ usage: Usage) -> JSONValue {
        .object([
            ("input", .int(usage.input)), ("output", .int(usage.output)), ("cached_input", .int(usage.cachedInput)),
            ("cache_write", .int(usage.cacheWrite)), ("cache_write_1h", .int(usage.cacheWrite1h)),
            ("reasoning", .int(usage.reasoning)), ("audio_input", .int(usage.audioInput)), ("audio_output", .int(usage.audioOutput)),
        ])
    }

    static func rateSourceName(_ key: RateKey) -> String {
        var name = key.tokenClass.rawValue
        if key.tier != .standard { name += ".\(key.tier.rawValue)" }
        if key.aboveTokens > 0 { name += "@\(key.aboveTokens)" }
        return name
    }
}

/// A token count with thousands separators: `128,000`.
public func formatTokens(_ count: Int) -> String { groupedDigits(count) }

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
