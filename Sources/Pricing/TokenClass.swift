/// A class of tokens that a provider prices separately.
///
/// Counts follow OpenAI's convention: ``input`` is the whole prompt (cached and cache-write tokens
/// included) and ``output`` the whole completion (reasoning included); the other classes are parts
/// of one of those two that may carry their own rate.
public enum TokenClass: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Prompt tokens billed at the plain input rate.
    case input
    /// Completion tokens billed at the plain output rate.
    case output
    /// Prompt tokens read from the provider's prompt cache.
    case cachedInput = "cached_input"
    /// Prompt tokens written to the provider's prompt cache (5-minute lifetime).
    case cacheWrite = "cache_write"
    /// Prompt tokens written to the provider's prompt cache with a 1-hour lifetime.
    case cacheWrite1h = "cache_write_1h"
    /// Completion tokens spent on reasoning.
    case reasoning
    /// Prompt tokens of audio.
    case audioInput = "audio_input"
    /// Completion tokens of audio.
    case audioOutput = "audio_output"

    public var description: String { rawValue }

    /// The class whose rate applies when a model has no rate of its own for this one.
    ///
    /// Cached and cache-write input fall back to the input rate (a 1-hour write first to the
    /// 5-minute write rate), reasoning and audio output to the output rate.
    public var fallback: TokenClass? {
        switch self {
        case .input, .output: nil
        case .cachedInput, .cacheWrite, .audioInput: .input
        case .cacheWrite1h: .cacheWrite
        case .reasoning, .audioOutput: .output
        }
    }

    /// Whether a missing rate in a service tier falls back to the tier's rate for the fallback class
    /// (reasoning and audio: they are output or input tokens) rather than to the standard tier's
    /// rate for the same class (cache reads and writes: discounts of their own).
    public var fallsBackWithinTier: Bool {
        switch self {
        case .reasoning, .audioInput, .audioOutput: true
        default: false
        }
    }

    /// Short key used in the catalog file.
    var catalogKey: String {
        switch self {
        case .input: "in"
        case .output: "out"
        case .cachedInput: "cr"
        case .cacheWrite: "cw"
        case .cacheWrite1h: "cw1h"
        case .reasoning: "rsn"
        case .audioInput: "ain"
        case .audioOutput: "aout"
        }
    }

    init?(catalogKey: String) {
        guard let found = TokenClass.allCases.first(where: { $0.catalogKey == catalogKey }) else { return nil }
        self = found
    }
}

/// A provider's service tier: the same model at another price and latency.
public enum ServiceTier: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The default, on-demand tier.
    case standard
    /// Asynchronous batch jobs (typically half price, results within 24 hours).
    case batch
    /// Flex processing: cheaper, slower, may be queued.
    case flex
    /// Priority processing: dearer, faster.
    case priority

    public var description: String { rawValue }
}

/// Where one rate sits in a model's price sheet: token class, service tier and the prompt size
/// above which it applies.
public struct RateKey: Sendable, Hashable, Codable, Comparable {
    /// The token class.
    public var tokenClass: TokenClass
    /// The service tier.
    public var tier: ServiceTier
    /// The rate applies to a whole request whose prompt exceeds this many tokens; 0 for the base rate.
    public var aboveTokens: Int

    public init(_ tokenClass: TokenClass, tier: ServiceTier = .standard, aboveTokens: Int = 0) {
        self.tokenClass = tokenClass
        self.tier = tier
        self.aboveTokens = aboveTokens
    }

    public static func < (lhs: RateKey, rhs: RateKey) -> Bool {
        let l = (TokenClass.allCases.firstIndex(of: lhs.tokenClass)!, ServiceTier.allCases.firstIndex(of: lhs.tier)!, lhs.aboveTokens)
        let r = (TokenClass.allCases.firstIndex(of: rhs.tokenClass)!, ServiceTier.allCases.firstIndex(of: rhs.tier)!, rhs.aboveTokens)
        return l < r
    }
}
