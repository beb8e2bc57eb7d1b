import ArgumentParser
import Foundation
import Testing

@testable import tokenomics

/// Runs the built `tokenomics` binary and returns its exit code, standard output and standard error.
func runTokenomics(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let process = Process()
    process.executableURL = root.appendingPathComponent(".build/debug/tokenomics")
    process.arguments = arguments + ["--no-user-catalog"]
    process.currentDirectoryURL = root
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

struct EstimateCommandTests {
    static let textbook = ["estimate", "--model", "gpt-4o", "--input", "2000", "--output", "500", "--interactions", "200", "--price", "30"]

    @Test func textbookExampleAsText() throws {
        let command = try #require(try Tokenomics.parseAsRoot(Self.textbook + ["--no-user-catalog"]) as? Tokenomics.Estimate)
        let text = try command.render()
        #expect(text.contains("Cost per interaction                         $0.0100"))
        #expect(text.contains("$2.00"))
        #expect(text.contains("93.3%"))
        #expect(text.contains("token cost matters"))
    }

    @Test func textbookExampleAsJSON() throws {
        let command = try #require(try Tokenomics.parseAsRoot(Self.textbook + ["--json", "--no-user-catalog"]) as? Tokenomics.Estimate)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try command.render().utf8)) as? [String: Any])
        #expect(json["cost_per_interaction_usd"] as? Double == 0.01)
        #expect(json["monthly_cost_per_user_usd"] as? Double == 2)
        #expect(json["price_usd"] as? Double == 30)
        let margin = try #require(json["gross_margin"] as? Double)
        #expect(abs(margin - 0.9333333333333333) < 1e-15)
        #expect(json["underwater"] as? Bool == false)
        #expect(json["verdict"] as? String == "matters")
        #expect(json["cost_per_interaction"] as? String == "0.01")
    }

    @Test func textbookExampleAsMarkdown() throws {
        let command = try #require(try Tokenomics.parseAsRoot(Self.textbook + ["--format", "markdown", "--no-user-catalog"]) as? Tokenomics.Estimate)
        let markdown = try command.render()
        #expect(markdown.contains("| Cost per interaction | $0.0100 |"))
        #expect(markdown.contains("| Monthly cost per user | $2.00 |"))
        #expect(markdown.contains("| Gross margin | 93.3% |"))
    }

    @Test func underwaterUser() throws {
        let command = try #require(
            try Tokenomics.parseAsRoot(["estimate", "--model", "gpt-4o", "--input", "2000", "--output", "500", "--interactions", "4000", "--price", "30", "--json", "--no-user-catalog"]) as? Tokenomics.Estimate
        )
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try command.render().utf8)) as? [String: Any])
        #expect(json["underwater"] as? Bool == true)
        #expect(json["verdict"] as? String == "dominates")
        #expect(try #require(json["gross_margin"] as? Double) < 0)
    }

    @Test func withoutAPriceThereIsNoMargin() throws {
        let command = try #require(
            try Tokenomics.parseAsRoot(["estimate", "--model", "gpt-4o", "--input", "2000", "--output", "500", "--interactions", "200", "--json", "--no-user-catalog"]) as? Tokenomics.Estimate
        )
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try command.render().utf8)) as? [String: Any])
        #expect(json["price_usd"] is NSNull)
        #expect(json["gross_margin"] is NSNull)
        #expect(json["monthly_cost_per_user_usd"] as? Double == 2)
    }

    @Test func badInputIsRejected() {
        #expect(throws: (any Error).self) { try Tokenomics.parseAsRoot(["estimate", "--model", "gpt-4o", "--input", "2000", "--interactions", "200", "--price", "thirty"]) }
        #expect(throws: (any Error).self) { try Tokenomics.parseAsRoot(["estimate", "--model", "gpt-4o", "--input", "2000", "--cached-input", "3000", "--interactions", "1"]) }
        #expect(throws: (any Error).self) { try Tokenomics.parseAsRoot(["estimate", "--model", "gpt-4o", "--input", "2000", "--interactions", "1", "--format", "html"]) }
    }

    @Test func builtBinaryPrintsTheTextbookAnswer() throws {
        let run = try runTokenomics(Self.textbook + ["--json"])
        #expect(run.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(json["cost_per_interaction_usd"] as? Double == 0.01)
        #expect(json["monthly_cost_per_user_usd"] as? Double == 2)
        #expect(abs(try #require(json["gross_margin"] as? Double) - 28.0 / 30) < 1e-15)
        let unknown = try runTokenomics(["estimate", "--model", "gpt-9000", "--input", "1", "--interactions", "1"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("gpt-9000"))
    }
}
