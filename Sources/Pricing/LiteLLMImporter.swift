import Foundation
import TokenomicsCore

/// Converts LiteLLM's `model_prices_and_context_window.json` into price sheets.
///
/// Keeps every entry whose `mode` is `chat`, `completion`, `embedding` or `responses` and that has
/// a per-token input or output price. Rates are read from the JSON text exactly and rounded to 12
/// significant digits (the source carries float noise such as `1.0000000000000001e-07`). Keys map to
/// rates as follows (any order of the suffixes):
///
/// | LiteLLM key | rate |
/// |---|---|
/// | `input_cost_per_token` | `input` |
/// | `output_cost_per_token` | `output` |
/// | `cache_read_input_token_cost` | `cached_input` |
/// | `cache_creation_input_token_cost` | `cache_write` |
/// | `cache_creation_input_token_cost_above_1hr` | `cache_write_1h` |
/// | `output_cost_per_reasoning_token` | `reasoning` |
/// | `input_cost_per_audio_token`, `output_cost_per_audio_token` | `audio_input`, `audio_output` |
/// | suffix `_batches`, `_flex`, `_priority` | the service tier |
/// | suffix `_above_<N>k_tokens` / `_above_<N>_tokens` | long-context tier above N (thousand) tokens |
/// | `tiered_pricing: [{range: [a, b], …}]` | long-context tier above `a` tokens |
public enum LiteLLMImporter: Sendable {
    /// The modes kept.
    public static let keptModes: Set<String> = ["chat", "completion", "embedding", "responses"]

    /// What an import produced.
    public struct Result: Sendable {
        /// The models kept.
        public var models: [ModelPrice]
        /// Entries skipped because their mode is not priced per token here (image, audio, …).
        public var skippedMode: Int
        /// Entries skipped because they have no per-token price.
        public var skippedUnpriced: Int
    }

    /// Converts the JSON text of a LiteLLM price file.
    ///
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - path: its name, for error messages and each model's `origin`.
    /// - Throws: ``PricingError/malformedCatalog(location:field:reason:)`` naming the entry and field.
    public static func convert(_ bytes: [UInt8], path: String) throws(PricingError) -> Result {
        let members: [JSONValue.Member]?
        do {
            members = try JSONValue.parseMembers(bytes)
        } catch {
            throw .malformedCatalog(location: "\(path):\(error.line)", field: "json", reason: "invalid JSON at column \(error.column): \(error.reason)")
        }
        guard let entries = members else {
            throw .malformedCatalog(location: path, field: "root", reason: "expected a JSON object of model entries")
        }
        var result = Result(models: [], skippedMode: 0, skippedUnpriced: 0)
        for entry in entries where entry.key != "sample_spec" {
            let (name, value, line) = (entry.key, entry.value, entry.line)
            guard case .object(let fields) = value else {
                throw .malformedCatalog(location: "\(path):\(line) entry '\(name)'", field: name, reason: "expected an object")
            }
            let location = "\(path):\(line) entry '\(name)'"
            var mode = "chat"
            if case .string(let m)? = value["mode"] { mode = m }
            guard keptModes.contains(mode) else { result.skippedMode += 1; continue }
            var model = ModelPrice(name: name, provider: provider(of: name, value), mode: mode, origin: path)
            for (key, field) in fields {
                switch key {
                case "max_input_tokens": model.maxInputTokens = try integer(field, location: location, field: key)
                case "max_output_tokens": model.maxOutputTokens = try integer(field, location: location, field: key)
                case "max_tokens" where model.maxOutputTokens == nil:
                    model.maxOutputTokens = try? integer(field, location: location, field: key)
                case "prompt_cache_min_tokens": model.promptCacheMinTokens = try integer(field, location: location, field: key)
                case "deprecation_date": if case .string(let date) = field { model.deprecationDate = date }
                case "alias_of": if case .string(let alias) = field { model.aliasOf = alias }
                case "tiered_pricing": try applyTiers(field, to: &model, location: location)
                default:
                    guard let rateKey = rateKey(for: key) else { continue }
                    if case .null = field { continue }
                    model.rates[rateKey] = try rate(field, location: location, field: key)
                }
            }
            if model.provider == "xai" { model.inclusiveThresholds = true }
            guard model.hasTokenPrices else { result.skippedUnpriced += 1; continue }
            result.models.append(model)
        }
        return result
    }

    static func provider(of name: String, _ value: JSONValue) -> String {
        if case .string(let provider)? = value["litellm_provider"] { return provider }
        if let slash = name.firstIndex(of: "/") { return String(name[..<slash]) }
        return "unknown"
    }

    static let prefixes: [(String, TokenClass)] = [
        ("cache_creation_input_token_cost_above_1hr", .cacheWrite1h),
        ("cache_creation_input_token_cost", .cacheWrite),
        ("cache_read_input_token_cost", .cachedInput),
        ("output_cost_per_reasoning_token", .reasoning),
        ("input_cost_per_audio_token", .audioInput),
        ("output_cost_per_audio_token", .audioOutput),
        ("input_cost_per_token", .input),
        ("output_cost_per_token", .output),
    ]

    /// The rate a LiteLLM key names, or nil when the key is not a per-token rate we keep.
    public static func rateKey(for key: String) -> RateKey? {
        guard let (prefix, cls) = prefixes.first(where: { key.hasPrefix($0.0) }) else { return nil }
        var rest = key.dropFirst(prefix.count)
        var result = RateKey(cls)
        while !rest.isEmpty {
            if rest.hasPrefix("_batches") { result.tier = .batch; rest = rest.dropFirst(8); continue }
            if rest.hasPrefix("_flex") { result.tier = .flex; rest = rest.dropFirst(5); continue }
            if rest.hasPrefix("_priority") { result.tier = .priority; rest = rest.dropFirst(9); continue }
            if rest.hasPrefix("_above_"), let end = rest.range(of: "_tokens") {
                var number = rest[rest.index(rest.startIndex, offsetBy: 7)..<end.lowerBound]
                var multiplier = 1
                if number.hasSuffix("k") { multiplier = 1000; number = number.dropLast() }
                guard let value = Int(number), value > 0 else { return nil }
                result.aboveTokens = value * multiplier
                rest = rest[end.upperBound...]
                continue
            }
            return nil  // another tier (ultrafast, decisions, …) or TTL (12hr): not kept
        }
        return result
    }

    static func decimal(_ value: JSONValue, location: String, field: String) throws(PricingError) -> Decimal128Text {
        let text: String
        switch value {
        case .number(let n): text = n
        case .string(let s): text = s
        default: throw .malformedCatalog(location: location, field: field, reason: "expected a number")
        }
        do {
            return try Decimal128Text.parse(text)
        } catch {
            throw .malformedCatalog(location: location, field: field, reason: "'\(text)' is not a number")
        }
    }

    static func rate(_ value: JSONValue, location: String, field: String) throws(PricingError) -> Money {
        let number = try decimal(value, location: location, field: field).roundedToSignificantDigits(12)
        if number.negative && number.significand != 0 {
            throw .malformedCatalog(location: location, field: field, reason: "a price cannot be negative")
        }
        do {
            return Money(units: try number.scaled(to: Money.scale, rounding: .halfEven, original: number.compactText))
        } catch {
            throw .malformedCatalog(location: location, field: field, reason: "\(error.reason)")
        }
    }

    static func integer(_ value: JSONValue, location: String, field: String) throws(PricingError) -> Int? {
        if case .null = value { return nil }
        let number = try decimal(value, location: location, field: field)
        guard !number.negative || number.significand == 0,
            let units = try? number.scaled(to: 0, rounding: .halfEven, original: ""), units <= Int128(Int.max)
        else {
            throw .malformedCatalog(location: location, field: field, reason: "expected a non-negative token count")
        }
        return Int(units)
    }

    /// Turns `tiered_pricing` ranges into long-context tiers: the tier whose range starts at `a`
    /// applies above `a` prompt tokens; rates a tier omits fall back to the tier's input rate
    /// (cache) or the model's output rate (output), as LiteLLM bills them.
    static func applyTiers(_ value: JSONValue, to model: inout ModelPrice, location: String) throws(PricingError) {
        guard case .array(let tiers) = value else { return }
        for (index, tier) in tiers.enumerated() {
            let field = "tiered_pricing[\(index)]"
            guard case .object(let members) = tier, case .array(let range)? = tier["range"], range.count == 2 else {
                throw .malformedCatalog(location: location, field: field, reason: "expected {range: [start, end], …}")
            }
            let start = try integer(range[0], location: location, field: field + ".range") ?? 0
            var tierRates: [TokenClass: Money] = [:]
            for (key, rateValue) in members {
                guard let rateKey = rateKey(for: key), rateKey.tier == .standard, rateKey.aboveTokens == 0 else { continue }
                tierRates[rateKey.tokenClass] = try rate(rateValue, location: location, field: "\(field).\(key)")
            }
            guard let input = tierRates[.input] else { continue }
            tierRates[.cachedInput] = tierRates[.cachedInput] ?? input
            tierRates[.cacheWrite] = tierRates[.cacheWrite] ?? input
            for (cls, amount) in tierRates {
                model.rates[RateKey(cls, aboveTokens: start)] = amount
            }
        }
    }
}
