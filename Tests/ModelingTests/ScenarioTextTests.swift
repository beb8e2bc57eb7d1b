import Foundation
import Modeling
import Pricing
import Testing
import Tokenizers

/// Token fields given as text are counted with the call's model tokenizer.
struct ScenarioTextTests {
    static let system = "You are a helpful support agent for Acme. Answer briefly and cite the manual."
    static let answer = "Thanks! Your order ships tomorrow."

    static func yaml(model: String, input: String, output: String = "300") -> String {
        """
        users: {active: 10, interactions_per_month: {mean: 20}}
        interactions:
          - calls:
              - model: \(model)
                input: \(input)
                output: \(output)
        """
    }

    /// tiktoken counts the system prompt as 17 tokens and the answer as 7 (o200k_base and cl100k_base alike).
    @Test func inlineTextIsCountedExactlyForOpenAIModels() throws {
        let s = try scenario(Self.yaml(model: "gpt-4o", input: "{system: \"\(Self.system)\", user: 120}", output: "\"\(Self.answer)\""))
        let call = s.interactions[0].calls[0]
        #expect(call.input.system == 17)
        #expect(call.input.user == 120)
        #expect(call.input.total == 137)
        #expect(call.output == 7)
        #expect(s.countedTexts.map(\.field) == ["interactions[0].calls[0].input.system", "interactions[0].calls[0].output"])
        #expect(s.countedTexts.allSatisfy { $0.encoding == "o200k_base" && !$0.isEstimate && $0.source == "text" })
        #expect(s.countedTexts[0].location == "test.yaml:5")
    }

    /// A scenario with text costs exactly what the same scenario with the counted numbers costs.
    @Test func textAndNumbersPriceTheSame() async throws {
        let text = try scenario(Self.yaml(model: "gpt-4o-mini", input: "{system: \"\(Self.system)\", user: 120}", output: "\"\(Self.answer)\""))
        let numbers = try scenario(Self.yaml(model: "gpt-4o-mini", input: "{system: 17, user: 120}", output: "7"))
        let model = ScenarioModel(catalog: catalog, today: "2026-11-29")
        let a = try await model.run(text, seed: 1)
        let b = try await model.run(numbers, seed: 1)
        #expect(a.pricing.costPerInteraction == b.pricing.costPerInteraction)
        #expect(a.notes.contains { $0.contains("interactions[0].calls[0].input.system: text counted as 17 tokens with o200k_base") })
    }

    /// `{file: PATH}` reads a file relative to the scenario, and a closed tokenizer gives a labelled estimate.
    @Test func fileRelativeToTheScenarioAndClaudeEstimate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("prompts"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let prompt = String(repeating: Self.system + "\n", count: 40)
        try prompt.write(to: directory.appendingPathComponent("prompts/system.txt"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("s.yaml")
        try Self.yaml(model: "claude-sonnet-4-5", input: "{system: {file: prompts/system.txt}, user: {text: \"123\"}}")
            .write(to: file, atomically: true, encoding: .utf8)
        let s = try Scenario.readFile(file.path, catalog: catalog)
        let cl100k = try Encoding.load(.cl100kBase)
        let expected = Int((Double(cl100k.count(prompt)) * ModelTokenizer.claudeFactor).rounded(.up))
        #expect(s.interactions[0].calls[0].input.system == expected)
        #expect(expected > 40 * 17)
        // `{text: "123"}` is text (one token, times the factor, rounded up), not the number 123.
        #expect(s.interactions[0].calls[0].input.user == 2)
        #expect(s.countedTexts.count == 2)
        #expect(s.countedTexts.allSatisfy { $0.isEstimate })
        #expect(s.countedTexts[0].source == "prompts/system.txt")
        #expect(s.countedTexts[0].note.contains("estimated at \(expected) tokens"))
    }

    @Test func textAndFileTogetherIsAnError() {
        #expect {
            _ = try scenario(Self.yaml(model: "gpt-4o", input: "{text: hi, file: x.txt}"), file: "t.yaml")
        } throws: { error in
            "\(error)".contains("t.yaml:5: field 'interactions[0].calls[0].input.file': give text or file, not both")
        }
    }
}
