public import Foundation

/// One message of a chat request, as the OpenAI chat completions API takes it.
public struct ChatMessage: Sendable, Equatable, Codable {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    public var role: String
    /// The optional participant name.
    public var name: String?
    /// The text parts of the content (a string content is one part).
    public var content: [String]
    /// Parts of the content that are not text (images, audio, files) and are not counted.
    public var uncountedParts: Int

    /// A message.
    public init(role: String, content: [String], name: String? = nil, uncountedParts: Int = 0) {
        self.role = role
        self.content = content
        self.name = name
        self.uncountedParts = uncountedParts
    }

    /// Parses `{"messages": [...]}` or a bare array of messages, with content as a string or as an
    /// array of parts (`{"type": "text", "text": ...}`).
    /// - Throws: ``TokenizerError/invalidChat(_:)``.
    public static func parse(_ data: Data) throws(TokenizerError) -> [ChatMessage] {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            // Foundation's localizedDescription is generic; the debug description says where.
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            throw .invalidChat("not JSON (\(detail)); expected {\"messages\": [{\"role\": ..., \"content\": ...}]}")
        }
        let list: [Any]
        if let object = json as? [String: Any] {
            guard let messages = object["messages"] as? [Any] else { throw .invalidChat("no \"messages\" array") }
            list = messages
        } else if let array = json as? [Any] {
            list = array
        } else {
            throw .invalidChat("expected an object with \"messages\" or an array of messages")
        }
        var out: [ChatMessage] = []
        for (index, item) in list.enumerated() {
            guard let message = item as? [String: Any], let role = message["role"] as? String else {
                throw .invalidChat("message \(index + 1) has no \"role\"")
            }
            var texts: [String] = []
            var other = 0
            switch message["content"] {
            case let text as String: texts.append(text)
            case let parts as [Any]:
                for part in parts {
                    if let text = part as? String {
                        texts.append(text)
                    } else if let part = part as? [String: Any], let text = part["text"] as? String {
                        texts.append(text)
                    } else {
                        other += 1
                    }
                }
            case nil, is NSNull: break
            default: throw .invalidChat("message \(index + 1) has content that is neither text nor parts")
            }
            out.append(ChatMessage(role: role, content: texts, name: message["name"] as? String, uncountedParts: other))
        }
        return out
    }
}

/// The tokens a model family adds around chat messages.
public struct ChatFraming: Sendable, Equatable {
    /// Tokens added for every message (`<|start|>role<|message|>...<|end|>` framing).
    public var tokensPerMessage: Int
    /// Tokens added when a message has a name.
    public var tokensPerName: Int
    /// Tokens that prime the reply (`<|start|>assistant<|message|>`).
    public var replyPriming: Int

    /// A framing.
    public init(tokensPerMessage: Int, tokensPerName: Int, replyPriming: Int) {
        self.tokensPerMessage = tokensPerMessage
        self.tokensPerName = tokensPerName
        self.replyPriming = replyPriming
    }

    /// OpenAI chat models since gpt-3.5-turbo-0613 (GPT-4, GPT-4o, GPT-4.1, GPT-5, o-series):
    /// 3 per message, 1 per name, 3 to prime the reply.
    public static let openAI = ChatFraming(tokensPerMessage: 3, tokensPerName: 1, replyPriming: 3)
    /// gpt-3.5-turbo-0301: 4 per message, -1 per name (the name replaces the role), 3 to prime.
    public static let openAI0301 = ChatFraming(tokensPerMessage: 4, tokensPerName: -1, replyPriming: 3)

    /// The framing for a model name (OpenAI's for every model but gpt-3.5-turbo-0301).
    public static func forModel(_ model: String?) -> ChatFraming {
        model?.lowercased().contains("gpt-3.5-turbo-0301") == true ? .openAI0301 : .openAI
    }
}

/// The token count of a chat request.
public struct ChatCount: Sendable, Equatable {
    /// The total, framing included (after the estimate factor, for a closed tokenizer).
    public var total: Int
    /// Tokens of each message, framing included, before any estimate factor.
    public var perMessage: [Int]
    /// Content parts that are not text and were not counted.
    public var uncountedParts: Int
    /// Whether the total is an estimate (closed tokenizer).
    public var isEstimate: Bool
}

extension TokenCounter {
    /// Counts a chat request as the model sees it: each message's role, name and text, plus the
    /// family's framing tokens.
    /// - Parameters:
    ///   - messages: The messages.
    ///   - framing: The framing; ``ChatFraming/openAI`` by default.
    /// - Returns: The count; exact for OpenAI models.
    public func countChat(_ messages: [ChatMessage], framing: ChatFraming = .openAI) -> ChatCount {
        var perMessage: [Int] = []
        var uncounted = 0
        for message in messages {
            var n = framing.tokensPerMessage + count(message.role, allowedSpecial: .none)
            for part in message.content { n += count(part, allowedSpecial: .none) }
            if let name = message.name { n += framing.tokensPerName + count(name, allowedSpecial: .none) }
            perMessage.append(n)
            uncounted += message.uncountedParts
        }
        let total = perMessage.reduce(0, +) + (messages.isEmpty ? 0 : framing.replyPriming)
        return ChatCount(total: total, perMessage: perMessage, uncountedParts: uncounted, isEstimate: false)
    }
}
