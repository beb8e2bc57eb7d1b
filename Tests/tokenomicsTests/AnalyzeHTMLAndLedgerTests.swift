import CostModel
import Foundation
import Ledger
import Pricing
import Testing
import TokenomicsCore

/// `analyze --format html` and `analyze --database`, through the built binary.
struct AnalyzeHTMLAndLedgerTests {
    @Test func htmlReportIsOneSelfContainedPageWithCharts() throws {
        let home = CLIRunner.temporaryConfigHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let log = home.appendingPathComponent("usage.jsonl")
        let env = ["XDG_CONFIG_HOME": home.path]
        let generated = try CLIRunner.run(["generate-usage", "--users", "200", "--events", "5000", "--seed", "3", "-o", log.path], environment: env)
        #expect(generated.status == 0, "\(generated.stderr)")
        let report = try CLIRunner.run(["analyze", log.path, "--format", "html"], environment: env)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.hasPrefix("<!DOCTYPE html>") || report.stdout.hasPrefix("<!doctype html>"))
        #expect(report.stdout.components(separatedBy: "<svg").count - 1 >= 4)
        #expect(report.stdout.contains("Lorenz"))
        #expect(!report.stdout.contains("<script src"))
    }

    @Test func ledgerIsReadLikeAnyUsageLog() async throws {
        let home = CLIRunner.temporaryConfigHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let path = home.appendingPathComponent("ledger.db").path
        let ledger = try SQLiteLedger(path: path)
        try await ledger.migrate()
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        try await ledger.settle([
            RequestRecord(time: now, user: "alice", feature: "answer", endpoint: "/v1/chat/completions", modelRequested: "gpt-4o",
                          modelServed: "gpt-4o", usage: Usage(input: 2000, output: 500), cost: .cents(1), status: 200),
            RequestRecord(time: now, user: "alice", feature: "answer", endpoint: "/v1/chat/completions", modelRequested: "gpt-4o",
                          modelServed: "gpt-4o", usage: Usage(input: 2000, output: 500), cacheHit: true, status: 200),
            RequestRecord(time: now, user: "bob", feature: "search", endpoint: "/v1/chat/completions", modelRequested: "fast",
                          modelServed: "gpt-4o-mini", usage: Usage(input: 1000, output: 100), status: 200),
        ])
        try await ledger.close()
        let result = try CLIRunner.run(["analyze", "--database", "sqlite:" + path, "--json"], environment: ["XDG_CONFIG_HOME": home.path])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((object["events"] as? NSNumber)?.intValue == 3)
        #expect((object["users"] as? NSNumber)?.intValue == 2)
        // $0.01 for alice's call, nothing for the cache hit, 1,000 × $0.15/M + 100 × $0.60/M for bob's.
        #expect(object["total_cost_usd_exact"] as? String == "0.01021")

        let both = try CLIRunner.run(["analyze", "x.jsonl", "--database", "sqlite:" + path])
        #expect(both.status == 2)
    }
}
