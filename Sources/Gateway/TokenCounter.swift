/// A token count, exact or estimated, with an upper bound that budgets can rely on.
public struct TokenCount: Sendable, Hashable {
    /// The best count available.
    public var tokens: Int
    /// True when the count is an estimate (no tokenizer for the model).
    public var estimated: Bool
    /// A count the true one never exceeds; reservations use it, so that estimates cannot break a budget.
    public var upperBound: Int

    public init(tokens: Int, estimated: Bool, upperBound: Int? = nil) {
        self.tokens = tokens
        self.estimated = estimated
        self.upperBound = upperBound ?? tokens
    }

    public static func + (lhs: TokenCount, rhs: TokenCount) -> TokenCount {
        TokenCount(tokens: lhs.tokens + rhs.tokens, estimated: lhs.estimated || rhs.estimated, upperBound: lhs.upperBound + rhs.upperBound)
    }
}

/// Counts the tokens of text for a model.
///
/// The gateway counts prompts before forwarding (to reserve a budget) and completions when an
/// upstream reports no usage or a stream breaks. Plug a real tokenizer in by conforming to this
/// protocol and passing it to ``buildApplication(_:)`` (``GatewayDependencies/tokenCounter``).
public protocol TokenCounter: Sendable {
    /// The number of tokens `text` encodes to for `model`.
    func count(_ text: String, model: String) -> TokenCount
}

/// The fallback estimator: UTF-8 bytes / 4, rounded up, marked `estimated`.
///
/// Byte-level BPE tokenizers (every OpenAI and Anthropic model) never produce more tokens than
/// bytes, so the upper bound is the byte count: a reservation made from it always covers the real prompt.
public struct EstimatingTokenCounter: TokenCounter {
    public init() {}

    public func count(_ text: String, model: String) -> TokenCount {
        let bytes = text.utf8.count
        return TokenCount(tokens: (bytes + 3) / 4, estimated: true, upperBound: bytes)
    }
}

extension TokenCounter {
    /// Tokens of a chat prompt: each message's text plus OpenAI's framing (3 per message, 3 for the reply's priming).
    func countChat(_ texts: [String], model: String) -> TokenCount {
        var total = TokenCount(tokens: 3, estimated: false)
        for text in texts {
            total = total + count(text, model: model) + TokenCount(tokens: 3, estimated: false)
        }
        return total
    }
}
