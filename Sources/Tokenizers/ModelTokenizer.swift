/// Which tokenizer a model uses: an exact open encoding, or an estimate for a closed tokenizer.
///
/// Model names may carry a provider prefix (`openai/gpt-4o`, `azure/gpt-4`) and a date suffix.
///
/// | model | tokenizer |
/// |---|---|
/// | gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3, o4, chatgpt-4o, gpt-oss, codex | `o200k_base` (exact) |
/// | gpt-4, gpt-3.5-turbo, text-embedding-3, text-embedding-ada-002, davinci-002, babbage-002 | `cl100k_base` (exact) |
/// | text-davinci-002/003, code-davinci, code-cushman | `p50k_base` (exact) |
/// | claude-3 and later (`claude-*`, `anthropic/*`) | estimate: `cl100k_base` x ``claudeFactor`` |
/// | gemini (`gemini-*`, `google/*`, `vertex_ai/gemini*`) | estimate: `o200k_base` x ``geminiFactor`` |
public struct ModelTokenizer: Sendable, Equatable {
    /// The encoding that counts (or, for an estimate, that the estimate is based on).
    public let encoding: EncodingName
    /// The factor applied to the encoding's count: 1 for an exact tokenizer.
    public let factor: Double
    /// Whether the count is an estimate (closed tokenizer) rather than exact.
    public var isEstimate: Bool { family != nil }
    /// The closed tokenizer family (`claude`, `gemini`) when the count is an estimate.
    public let family: String?

    /// Claude 3 and later use a closed tokenizer, so the estimate is cl100k_base x 1.2, a
    /// conservative guess: the legacy (Claude 2-era) tokenizer, the only one available, makes
    /// 1.04-1.13x cl100k_base's tokens on the shared corpus (`Scripts/tokenizer_claude_ratio.py`,
    /// docs/tokenizers.md); Claude 3+'s own ratio is not measured.
    public static let claudeFactor = 1.2
    /// Gemini uses a closed SentencePiece tokenizer; the estimate is o200k_base x 1.05, an
    /// unmeasured guess (no Gemini tokenizer is available offline to measure it).
    public static let geminiFactor = 1.05

    /// The tokenizer for a model name, or `nil` if the model is unknown.
    public init?(model: String) {
        var name = model.lowercased()
        if name.hasPrefix("ft:") { name.removeFirst(3) }
        let provider: String?
        if let slash = name.lastIndex(of: "/") {
            provider = String(name[..<slash])
            name = String(name[name.index(after: slash)...])
        } else {
            provider = nil
        }
        func starts(_ prefixes: String...) -> Bool { prefixes.contains { name.hasPrefix($0) } }
        if starts("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss", "codex",
                  "gpt-realtime", "gpt-audio", "computer-use") {
            self.init(encoding: .o200kBase, factor: 1, family: nil)
        } else if starts("gpt-4", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002",
                         "davinci-002", "babbage-002") {
            self.init(encoding: .cl100kBase, factor: 1, family: nil)
        } else if starts("text-davinci-002", "text-davinci-003", "code-davinci", "code-cushman") {
            self.init(encoding: .p50kBase, factor: 1, family: nil)
        } else if starts("claude") || provider?.contains("anthropic") == true {
            self.init(encoding: .cl100kBase, factor: ModelTokenizer.claudeFactor, family: "claude")
        } else if starts("gemini", "gemma") || provider?.contains("gemini") == true || provider == "google" {
            self.init(encoding: .o200kBase, factor: ModelTokenizer.geminiFactor, family: "gemini")
        } else {
            return nil
        }
    }

    /// A tokenizer description.
    public init(encoding: EncodingName, factor: Double, family: String?) {
        self.encoding = encoding
        self.factor = factor
        self.family = family
    }

    /// Applies the factor to an exact count of ``encoding`` tokens (rounding up).
    public func adjust(_ count: Int) -> Int {
        factor == 1 ? count : Int((Double(count) * factor).rounded(.up))
    }
}

extension ModelTokenizer {
    /// The token count of text for this model: exact for open encodings, the adjusted estimate for
    /// closed tokenizers (see ``isEstimate``).
    /// - Throws: the errors of ``Encoding/load(_:)``.
    public func count(_ text: String) throws(TokenizerError) -> Int {
        adjust(try Encoding.load(encoding).count(text))
    }

    /// The token count of a chat request for this model, with OpenAI's framing; for closed
    /// tokenizers the total is the adjusted estimate and ``ChatCount/isEstimate`` is true.
    /// - Throws: the errors of ``Encoding/load(_:)``.
    public func countChat(_ messages: [ChatMessage], model: String? = nil) throws(TokenizerError) -> ChatCount {
        var counted = try Encoding.load(encoding).countChat(messages, framing: .forModel(model))
        counted.total = adjust(counted.total)
        counted.isEstimate = isEstimate
        return counted
    }
}
