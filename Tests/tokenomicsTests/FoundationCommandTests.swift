import ArgumentParser
import Foundation
import Testing

@testable import tokenomics

/// `models`, `price`, `cost` and `prices`, through `parseAsRoot` and through the built binary.
struct FoundationCommandTests {
    func render(_ arguments: [String]) throws -> String {
        let command = try Tokenomics.parseAsRoot(arguments + ["--no-user-catalog"])
        switch command {
        case let c as Tokenomics.Cost: return try c.render()
        case let c as Tokenomics.Price: return try c.render()
        case let c as Tokenomics.Models: return try c.render()
        case let c as Tokenomics.Prices.Info: return try c.render()
        default: throw CancellationError()
        }
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func costJSONHasTheDocumentedFields() throws {
        let object = try json(try render(["cost", "--model", "gpt-4o", "--input", "2000", "--output", "500", "--json"]))
        #expect(object["model"] as? String == "gpt-4o")
        #expect(object["tier"] as? String == "standard")
        #expect(object["total_usd_exact"] as? String == "0.01")
        #expect((object["total_usd"] as? NSNumber)?.doubleValue == 0.01)
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.map { $0["class"] as? String } == ["input", "output"])
        #expect(items.map { ($0["rate_per_million_usd"] as? NSNumber)?.doubleValue } == [2.5, 10])
        #expect(items.map { ($0["tokens"] as? NSNumber)?.intValue } == [2000, 500])
        #expect(items.allSatisfy { $0["cost_usd"] is NSNumber })
    }

    @Test func costTextIsItemised() throws {
        let text = try render(["cost", "--model", "openai/gpt-4o", "--input", "100000", "--cached-input", "60000", "--output", "2000", "--tier", "batch"])
        #expect(text.contains("gpt-4o, batch tier"))
        #expect(text.contains("cached_input"))
        #expect(text.contains("Exact total: $"))
    }

    @Test(arguments: [
        ["cost", "--model", "gpt-4o", "--input", "10", "--cached-input", "20"],
        ["cost", "--model", "gpt-4o", "--input", "10", "--output", "1", "--reasoning", "2"],
        ["cost", "--model", "gpt-4o", "--input", "-5"],
        ["cost", "--model", "gpt-4o", "--input", "10", "--tier", "turbo"],
        ["cost", "--input", "10"],
    ])
    func badUsageIsRejectedAtParseTime(arguments: [String]) {
        #expect(throws: (any Error).self) { _ = try Tokenomics.parseAsRoot(arguments) }
    }

    @Test func priceShowsEveryRate() throws {
        let text = try render(["price", "gemini-2.5-pro"])
        #expect(text.contains("> 200,000"))
        #expect(text.contains("priority"))
        let object = try json(try render(["price", "claude-sonnet-4-5", "--json"]))
        let rates = try #require(object["rates"] as? [[String: Any]])
        #expect(rates.contains { $0["class"] as? String == "cache_write_1h" })
    }

    @Test func modelsSearches() throws {
        let text = try render(["models", "gpt-4o-mini", "--provider", "openai"])
        #expect(text.contains("gpt-4o-mini"))
        #expect(!text.contains("anthropic"))
        let list = try #require(try JSONSerialization.jsonObject(with: Data(try render(["models", "--mode", "embedding", "--json"]).utf8)) as? [[String: Any]])
        #expect(list.count > 50)
        #expect(list.allSatisfy { $0["mode"] as? String == "embedding" })
    }

    @Test func pricesInfoNamesTheSource() throws {
        let text = try render(["prices", "info"])
        #expect(text.contains("litellm 1.110.2"))
        #expect(text.contains("8943af58bf9f979c6a4bef815687117ffa341e462a41faed9be17b5c33d3dcc2"))
    }

    // MARK: Through the binary

    @Test func binaryExitCodes() throws {
        let home = CLIRunner.temporaryConfigHome()
        let env = ["XDG_CONFIG_HOME": home.path]
        let ok = try CLIRunner.run(["cost", "--model", "gpt-4o", "--input", "2000", "--output", "500", "--json"], environment: env)
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("\"total_usd\": 0.01"))

        let unknown = try CLIRunner.run(["cost", "--model", "gpt4o", "--input", "1"], environment: env)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Did you mean 'gpt-4o'"))

        let inconsistent = try CLIRunner.run(["cost", "--model", "gpt-4o", "--input", "10", "--cached-input", "20"], environment: env)
        #expect(inconsistent.status == 2)
        #expect(inconsistent.stderr.contains("cached input (20)"))

        let missingFile = try CLIRunner.run(["cost", "--model", "gpt-4o", "--input", "1", "--catalog", "/nonexistent.json"], environment: env)
        #expect(missingFile.status == 2)
        #expect(missingFile.stderr.contains("/nonexistent.json"))

        let help = try CLIRunner.run(["cost", "--help"], environment: env)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--cached-input"))
    }

    @Test func importedPricesOverrideTheBundledOnes() throws {
        let home = CLIRunner.temporaryConfigHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let env = ["XDG_CONFIG_HOME": home.path]
        let file = home.appendingPathComponent("negotiated.yaml")
        try "models:\n  - name: gpt-4o\n    based_on: gpt-4o\n    prices: {input: 1.25, output: 5}\n".write(to: file, atomically: true, encoding: .utf8)
        let imported = try CLIRunner.run(["prices", "import", file.path], environment: env)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("tokenomics/catalog.tsv").path))
        let cost = try CLIRunner.run(["cost", "--model", "gpt-4o", "--input", "2000", "--output", "500", "--json"], environment: env)
        #expect(cost.stdout.contains("\"total_usd_exact\": \"0.005\""))
        let info = try CLIRunner.run(["prices", "info"], environment: env)
        #expect(info.stdout.contains("catalog.tsv"))

        let bad = home.appendingPathComponent("bad.yaml")
        try "models:\n  - name: x\n    prices: {input: free}\n".write(to: bad, atomically: true, encoding: .utf8)
        let rejected = try CLIRunner.run(["prices", "import", bad.path], environment: env)
        #expect(rejected.status == 2)
        #expect(rejected.stderr.contains("bad.yaml:3"))
        #expect(rejected.stderr.contains("models[0].prices.input"))
    }

    @Test func liteLLMFileWorksWithCatalogFlag() throws {
        let home = CLIRunner.temporaryConfigHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent("prices.json")
        try #"{"my-llm": {"mode": "chat", "litellm_provider": "me", "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}}"#
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["cost", "--model", "my-llm", "--input", "1000", "--output", "1000", "--catalog", file.path, "--json"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"total_usd_exact\": \"0.003\""))
    }
}
