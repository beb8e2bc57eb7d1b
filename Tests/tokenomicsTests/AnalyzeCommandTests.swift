import ArgumentParser
import Foundation
import Testing
import UsageAnalysis
@testable import tokenomics

/// Paths of the built binary and a scratch directory.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/tokenomics").path

    static func temporary(_ name: String) -> String {
        NSTemporaryDirectory() + "tokenomics-cli-\(UUID().uuidString)-\(name)"
    }

    /// Runs a shell command line; returns status, standard output and standard error.
    static func shell(_ command: String) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func generate(users: Int, events: Int, seed: Int = 1, extra: [String] = []) throws -> String {
        let path = temporary("usage.jsonl")
        let command = try Tokenomics.parseAsRoot(["generate-usage", "--users", "\(users)", "--events", "\(events)", "--seed", "\(seed)", "-o", path] + extra)
        var run = command
        try run.run()
        return path
    }
}

struct AnalyzeCommandTests {
    @Test("--json prints the documented fields")
    func jsonFields() async throws {
        let log = try CLI.generate(users: 30, events: 2000, extra: ["--garbage-rate", "0.01", "--unknown-model-rate", "0.05"])
        defer { try? FileManager.default.removeItem(atPath: log) }
        let command = try #require(try Tokenomics.parseAsRoot(["analyze", log, "--json", "--no-user-catalog"]) as? Tokenomics.Analyze)
        let text = try await command.render()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in ["events", "bad_lines", "total_cost_usd", "users", "per_user_monthly_cost_usd", "top_share", "gini", "by_model", "by_feature", "unpriced_models", "duplicate_request_share"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let distribution = try #require(json["per_user_monthly_cost_usd"] as? [String: Any])
        #expect(Set(distribution.keys).isSuperset(of: ["mean", "p50", "p90", "p99", "max"]))
        let top = try #require(json["top_share"] as? [String: Any])
        #expect(Set(top.keys) == ["top1", "top5", "top10"])
        let unpriced = try #require(json["unpriced_models"] as? [[String: Any]])
        #expect(unpriced.first?["model"] as? String == "acme-llm-v2")
        #expect((json["bad_lines"] as? Int ?? 0) > 0)
        #expect((json["events"] as? Int ?? 0) + (json["bad_lines"] as? Int ?? 0) == 2000)
    }

    @Test("Markdown, CSV, plans and --fit-scenario")
    func formatsPlansAndFit() async throws {
        let log = try CLI.generate(users: 20, events: 1000, seed: 3)
        let plans = CLI.temporary("plans.yaml")
        let fitted = CLI.temporary("fitted.yaml")
        defer { for path in [log, plans, fitted] { try? FileManager.default.removeItem(atPath: path) } }
        try "plans:\n  - {name: Pro, kind: flat, price: 1}\n".write(toFile: plans, atomically: true, encoding: .utf8)
        let markdown = try await (try Tokenomics.parseAsRoot(["analyze", log, "--format", "markdown", "--plans", plans, "--fit-scenario", fitted]) as! Tokenomics.Analyze).render()
        #expect(markdown.hasPrefix("# Usage analysis"))
        #expect(markdown.contains("## Plan Pro"))
        let yaml = try String(contentsOfFile: fitted, encoding: .utf8)
        #expect(yaml.contains("users:\n  active: "))
        #expect(yaml.contains("interactions_per_month:"))
        #expect(yaml.contains("plans:\n  - {name: \"Pro\", kind: flat, price: 1}"))
        #expect(yaml.contains("interactions:\n  - name: "))
        #expect(yaml.contains("result_cache_hit_rate: "))
        let csv = try await (try Tokenomics.parseAsRoot(["analyze", log, "--format", "csv"]) as! Tokenomics.Analyze).render()
        #expect(csv.hasPrefix("kind,name,events,"))
        #expect(csv.contains("\nmodel,gpt-4o-mini,"))
    }

    @Test("--database and log files together are refused")
    func databaseOrLogs() {
        #expect(throws: (any Error).self) { try Tokenomics.parseAsRoot(["analyze", "x.jsonl", "--database", "sqlite:x.db"]) }
    }

    @Test("generate-usage writes the requested number of lines, the same for the same seed")
    func generate() throws {
        let a = try CLI.generate(users: 10, events: 250, seed: 9)
        let b = try CLI.generate(users: 10, events: 250, seed: 9)
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let textA = try String(contentsOfFile: a, encoding: .utf8)
        #expect(textA.split(separator: "\n").count == 250)
        #expect(textA == (try String(contentsOfFile: b, encoding: .utf8)))
        #expect(throws: (any Error).self) { try Tokenomics.parseAsRoot(["generate-usage", "--users", "0", "--events", "5"]) }
    }

    @Test("Through the binary: standard input, exit code 2 with --strict on a bad line")
    func binary() throws {
        guard FileManager.default.isExecutableFile(atPath: CLI.binary) else {
            Issue.record("build the binary first: \(CLI.binary)")
            return
        }
        let piped = try CLI.shell("'\(CLI.binary)' generate-usage --users 5 --events 300 | '\(CLI.binary)' analyze --json --no-user-catalog")
        #expect(piped.status == 0)
        #expect(piped.out.contains("\"events\": 300"))
        #expect(piped.err.isEmpty)  // no progress bar when stderr is not a terminal
        let strict = try CLI.shell("printf '%s\\n' '{\"ts\":\"2025-01-01T00:00:00Z\",\"user\":\"u\",\"model\":\"gpt-4o\"}' 'garbage' | '\(CLI.binary)' analyze - --strict")
        #expect(strict.status == 2)
        #expect(strict.err.contains("-:2:"))
    }

    @Test("Memory grows with users, not events: ten times the events stays within a small bound")
    func boundedMemory() throws {
        guard FileManager.default.isExecutableFile(atPath: CLI.binary), FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            Issue.record("needs \(CLI.binary) and /usr/bin/time")
            return
        }
        let small = CLI.temporary("small.jsonl"), large = CLI.temporary("large.jsonl")
        defer { try? FileManager.default.removeItem(atPath: small); try? FileManager.default.removeItem(atPath: large) }
        #expect(try CLI.shell("'\(CLI.binary)' generate-usage --users 500 --events 30000 --duplicate-rate 0 -o '\(small)'").status == 0)
        #expect(try CLI.shell("'\(CLI.binary)' generate-usage --users 500 --events 300000 --duplicate-rate 0 -o '\(large)'").status == 0)
        func peakKB(_ path: String) throws -> Int {
            let run = try CLI.shell("/usr/bin/time -f 'PEAK %M' '\(CLI.binary)' analyze '\(path)' --json --no-user-catalog > /dev/null")
            let line = try #require(run.err.split(separator: "\n").last { $0.hasPrefix("PEAK ") })
            return Int(line.dropFirst(5)) ?? 0
        }
        let smallKB = try peakKB(small)
        let largeKB = try peakKB(large)
        let largeFileKB = (try FileManager.default.attributesOfItem(atPath: large)[.size] as? Int ?? 0) / 1024
        // The large file is ~70 MB; holding its events would add at least that much.
        #expect(largeKB - smallKB < largeFileKB / 2, "small \(smallKB) KB, large \(largeKB) KB, file \(largeFileKB) KB")
    }
}
