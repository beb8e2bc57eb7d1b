import ArgumentParser
import Foundation
import Testing

@testable import tokenomics

struct ModelCommandTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String) -> String { root.appendingPathComponent("Examples/\(name).yaml").path }

    @Test(arguments: ["textbook", "support-copilot", "coding-agent", "contract-review"])
    func jsonHasTheDocumentedShape(example: String) async throws {
        let command = try #require(try Tokenomics.parseAsRoot(["model", Self.example(example), "--json", "--no-user-catalog"]) as? Tokenomics.Model)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try await command.render().utf8)) as? [String: Any])
        #expect(json["cost_per_interaction_usd"] is Double)
        let users = try #require(json["users"] as? [String: Any])
        for key in ["mean", "p50", "p90", "p99", "max"] { #expect(users[key] is Double, "users.\(key)") }
        let top = try #require(json["top_share"] as? [String: Any])
        for key in ["top1", "top5", "top10"] { #expect(top[key] is Double, "top_share.\(key)") }
        #expect(json["gini"] is Double)
        let plans = try #require(json["plans"] as? [[String: Any]])
        #expect(!plans.isEmpty)
        for plan in plans {
            for key in ["name", "revenue_usd", "cost_usd", "gross_margin", "underwater_share"] { #expect(plan[key] != nil, "plans[].\(key)") }
        }
        let levers = try #require(json["levers"] as? [[String: Any]])
        for lever in levers {
            for key in ["lever", "change", "monthly_saving_usd", "new_gross_margin"] { #expect(lever[key] != nil, "levers[].\(key)") }
        }
        let projection = try #require(json["projection"] as? [[String: Any]])
        #expect(!projection.isEmpty)
        for month in projection {
            for key in ["month", "users", "cost_usd", "revenue_usd", "gross_margin"] { #expect(month[key] != nil, "projection[].\(key)") }
        }
        let verdict = try #require(json["verdict"] as? [String: Any])
        #expect(["negligible", "matters", "dominates"].contains(verdict["kind"] as? String ?? ""))
        #expect(!(try #require(verdict["reasons"] as? [String])).isEmpty)
    }

    @Test func sameSeedSameReport() async throws {
        func render(_ seed: String) async throws -> String {
            let command = try #require(try Tokenomics.parseAsRoot(["model", Self.example("support-copilot"), "--json", "--seed", seed, "--no-user-catalog"]) as? Tokenomics.Model)
            return try await command.render()
        }
        let a = try await render("5")
        #expect(try await render("5") == a)
        #expect(try await render("6") != a)
    }

    @Test(arguments: ["text", "markdown", "html"])
    func otherFormats(format: String) async throws {
        let command = try #require(try Tokenomics.parseAsRoot(["model", Self.example("support-copilot"), "--format", format, "--no-user-catalog"]) as? Tokenomics.Model)
        let report = try await command.render()
        #expect(report.contains("Support copilot"))
        #expect(report.lowercased().contains("token cost dominates"))
        if format == "html" {
            #expect(report.hasPrefix("<!DOCTYPE html>"))
            #expect(report.components(separatedBy: "<svg ").count - 1 == 4)
        }
    }

    @Test func builtBinaryWritesAFileAndReportsBadScenarios() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: output) }
        let run = try runTokenomics(["model", Self.example("coding-agent"), "--format", "html", "-o", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOf: output, encoding: .utf8)
        #expect(html.contains("<svg"))

        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: bad) }
        try "users: {active: 3, interactions_per_month: {mean: 10}}\ninteractions:\n  - calls:\n      - {model: gpt-4o, input: 100, output: 10, tempo: 3}\n".write(to: bad, atomically: true, encoding: .utf8)
        let failed = try runTokenomics(["model", bad.path])
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("\(bad.path):4: field 'interactions[0].calls[0].tempo': unknown field"), "\(failed.stderr)")
    }
}
