import Gateway
import Testing

struct TokenizerCounterTests {
    @Test func openAIModelsCountExactly() {
        let count = TokenizerCounter().count("Hello world", model: "gpt-4o")
        #expect(count.tokens == 2)
        #expect(!count.estimated)
        #expect(count.upperBound == 2)
    }

    @Test func closedTokenizersAreLabelledEstimates() {
        let text = "The quick brown fox jumps over the lazy dog."
        let count = TokenizerCounter().count(text, model: "claude-sonnet-4-5")
        #expect(count.estimated)
        #expect(count.tokens > 0)
        #expect(count.upperBound >= count.tokens)
        #expect(count.upperBound >= text.utf8.count)
    }

    @Test func unknownModelsFallBackToTheByteEstimate() {
        let count = TokenizerCounter().count("abcdefgh", model: "acme-private-llm")
        #expect(count == EstimatingTokenCounter().count("abcdefgh", model: "acme-private-llm"))
    }
}
