import Foundation
import Testing
@testable import Tokenizers

struct ChatTests {
    /// OpenAI's cookbook example ("How to count tokens with tiktoken"): 129 prompt tokens for
    /// gpt-4 / gpt-4o style framing with these messages.
    @Test func openAIFraming() throws {
        let json = """
            {"messages": [
              {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
              {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
              {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
              {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
              {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
              {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}
            ]}
            """
        let messages = try ChatMessage.parse(Data(json.utf8))
        #expect(messages.count == 6)
        let cl100k = try Encoding.load(.cl100kBase)
        let o200k = try Encoding.load(.o200kBase)
        #expect(cl100k.countChat(messages).total == 129)
        #expect(o200k.countChat(messages).total == 124)
    }

    @Test func contentPartsAndErrors() throws {
        let json = """
            [{"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "image_url", "image_url": {"url": "x"}}]}]
            """
        let messages = try ChatMessage.parse(Data(json.utf8))
        #expect(messages == [ChatMessage(role: "user", content: ["hello"], uncountedParts: 1)])
        let counted = try Encoding.load(.o200kBase).countChat(messages)
        #expect(counted.total == 3 + 1 + 1 + 3)
        #expect(counted.uncountedParts == 1)
        #expect(throws: TokenizerError.self) { try ChatMessage.parse(Data("{\"x\": 1}".utf8)) }
        // Text that is not JSON: the message says where, and what a chat request looks like.
        let notJSON = #expect(throws: TokenizerError.self) { try ChatMessage.parse(Data("hello\n".utf8)) }
        #expect(notJSON?.description.contains("character 0") == true)
        #expect(notJSON?.description.contains("messages") == true)
        #expect(throws: TokenizerError.self) { try ChatMessage.parse(Data("[{\"content\": \"a\"}]".utf8)) }
    }

    @Test func closedTokenizersAreEstimates() throws {
        let claude = try #require(ModelTokenizer(model: "claude-sonnet-4-5"))
        #expect(claude.isEstimate && claude.family == "claude")
        #expect(claude.adjust(100) == 120)
        let gpt = try #require(ModelTokenizer(model: "gpt-4o"))
        #expect(!gpt.isEstimate && gpt.adjust(100) == 100)
        #expect(try gpt.count("hello world") == 2)
        let messages = [ChatMessage(role: "user", content: ["hello world"])]
        let exact = try gpt.countChat(messages)
        #expect(exact.total == 9 && !exact.isEstimate)
        let estimate = try claude.countChat(messages)
        #expect(estimate.isEstimate)
        #expect(estimate.total == claude.adjust(try Encoding.load(.cl100kBase).countChat(messages).total))
    }
}
