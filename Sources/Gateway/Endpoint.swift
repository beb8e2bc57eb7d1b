import Pricing
import TokenomicsCore

/// The API endpoints the gateway serves, and how each one's prompt, limits and usage are read.
enum Endpoint: String, Sendable, CaseIterable {
    case chatCompletions = "/v1/chat/completions"
    case completions = "/v1/completions"
    case embeddings = "/v1/embeddings"
    case responses = "/v1/responses"
    case messages = "/v1/messages"

    /// The kind of upstream that serves it.
    var upstreamKind: GatewayConfig.Upstream.Kind { self == .messages ? .anthropic : .openai }

    /// The path appended to an upstream's `base_url` (OpenAI-style base URLs include `/v1`; Anthropic's do not).
    var upstreamPath: String {
        switch self {
        case .messages: "/v1/messages"
        default: String(rawValue.dropFirst(3))
        }
    }

    /// Whether the usage chunk of a stream has to be asked for with `stream_options.include_usage`.
    var asksForStreamUsage: Bool { self == .chatCompletions || self == .completions }

    /// The request field that bounds the completion, if any.
    func maxOutputField(_ body: JSONValue) -> Int? {
        switch self {
        case .chatCompletions: body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue
        case .completions, .messages: body["max_tokens"]?.intValue
        case .responses: body["max_output_tokens"]?.intValue
        case .embeddings: 0
        }
    }

    /// The name under which the gateway adds a completion bound when it must.
    var maxOutputName: String? {
        switch self {
        case .chatCompletions, .completions, .messages: "max_tokens"
        case .responses: "max_output_tokens"
        case .embeddings: nil
        }
    }

    /// The texts of the prompt, for counting input tokens.
    func promptTexts(_ body: JSONValue) -> [String] {
        var texts: [String] = []
        switch self {
        case .chatCompletions:
            for message in body["messages"]?.arrayValue ?? [] { var t: [String] = []; message.collectStrings(into: &t); texts.append(t.joined(separator: "\n")) }
            body["tools"]?.collectStrings(into: &texts)
        case .completions:
            body["prompt"]?.collectStrings(into: &texts)
            body["suffix"]?.collectStrings(into: &texts)
        case .embeddings:
            body["input"]?.collectStrings(into: &texts)
            // Pre-tokenised input (arrays of token ids) counts one token per id.
            if let items = body["input"]?.arrayValue {
                var ids = 0
                for item in items {
                    if let tokens = item.arrayValue { ids += tokens.count } else if item.intValue != nil { ids += 1 }
                }
                if ids > 0 { texts.append(String(repeating: "xxxx", count: ids)) }
            }
        case .responses:
            body["instructions"]?.collectStrings(into: &texts)
            body["input"]?.collectStrings(into: &texts)
            body["tools"]?.collectStrings(into: &texts)
        case .messages:
            body["system"]?.collectStrings(into: &texts)
            for message in body["messages"]?.arrayValue ?? [] { var t: [String] = []; message.collectStrings(into: &t); texts.append(t.joined(separator: "\n")) }
            body["tools"]?.collectStrings(into: &texts)
        }
        return texts
    }
}
