import Tokenizers

/// Counts with the `Tokenizers` target: exact tiktoken counts for OpenAI models, the labelled
/// per-family estimate for closed tokenizers (Claude 3+, Gemini), and ``EstimatingTokenCounter``'s
/// bytes / 4 for models no tokenizer is known for.
///
/// Upper bounds stay safe for budgets: an exact count is its own bound; an estimate's bound is the
/// byte count (byte-level BPE never yields more tokens than bytes) or the estimate, whichever is larger.
public struct TokenizerCounter: TokenCounter {
    private let fallback = EstimatingTokenCounter()

    public init() {}

    public func count(_ text: String, model: String) -> TokenCount {
        guard let tokenizer = ModelTokenizer(model: model), let encoding = try? Encoding.load(tokenizer.encoding) else {
            return fallback.count(text, model: model)
        }
        let tokens = tokenizer.adjust(encoding.count(text))
        if tokenizer.isEstimate {
            return TokenCount(tokens: tokens, estimated: true, upperBound: max(tokens, text.utf8.count))
        }
        return TokenCount(tokens: tokens, estimated: false)
    }
}
