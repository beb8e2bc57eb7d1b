import Foundation
import Testing

/// The JSON that commands print, pinned byte for byte: refactors of the JSON writer, the reports or
/// the ledger must not change a single byte of it.
///
/// Each case runs the built binary from the repository root and compares its standard output with
/// `Golden/<name>.json`. When a change of output is intended, regenerate the files with
/// `TOKENOMICS_UPDATE_GOLDEN=1 swift test --skip-build --filter JSONOutputPinTests` and say why in
/// the commit.
struct JSONOutputPinTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var arguments: [String]
        var stdin: String? = nil
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "cost", arguments: ["cost", "--model", "claude-sonnet-4-5", "--input", "50000", "--cached-input", "40000", "--output", "800", "--json"]),
        Case(name: "cost-batch", arguments: ["cost", "--model", "o3", "--input", "1000", "--output", "5000", "--reasoning", "4000", "--tier", "batch", "--json"]),
        Case(name: "price", arguments: ["price", "gpt-4o", "--json"]),
        Case(name: "models", arguments: ["models", "sonnet-4", "--json"]),
        Case(name: "count", arguments: ["count", "--model", "claude-sonnet-4-5", "--json"], stdin: "hello world\n"),
        Case(name: "estimate", arguments: ["estimate", "--model", "claude-sonnet-4-5", "--input", "8000", "--cached-input", "6000", "--output", "700", "--interactions", "400", "--price", "20", "--json"]),
        Case(name: "model", arguments: ["model", "Examples/support-copilot.yaml", "--seed", "7", "--json"]),
        Case(name: "analyze", arguments: ["analyze", "Tests/UsageAnalysisTests/Fixtures/usage-sample.jsonl.gz", "--json"]),
        Case(name: "analyze-mixed", arguments: ["analyze", "Tests/UsageAnalysisTests/Fixtures/litellm-spendlogs.csv", "Tests/UsageAnalysisTests/Fixtures/otel-genai.jsonl", "--json"]),
    ]

    static let golden = CLIRunner.repositoryRoot.appendingPathComponent("Tests/tokenomicsTests/Golden")
    static var updating: Bool { ProcessInfo.processInfo.environment["TOKENOMICS_UPDATE_GOLDEN"] == "1" }

    @Test(arguments: cases)
    func printsThePinnedJSON(_ pin: Case) throws {
        let home = CLIRunner.temporaryConfigHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try CLIRunner.run(
            pin.arguments, environment: ["XDG_CONFIG_HOME": home.path], stdin: pin.stdin.map { Data($0.utf8) }, directory: CLIRunner.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let file = Self.golden.appendingPathComponent("\(pin.name).json")
        if Self.updating { try result.stdout.write(to: file, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(result.stdout == expected, "\(pin.name): the output differs from \(file.path); see this type's comment")
    }

    /// `keys` and `budgets` print compact JSON; ids, secrets and times vary and are masked.
    @Test func keysAndBudgetsPrintThePinnedJSON() throws {
        let home = CLIRunner.temporaryConfigHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let database = "sqlite:" + home.appendingPathComponent("ledger.db").path
        func run(_ arguments: [String]) throws -> String {
            let result = try CLIRunner.run(arguments + ["--database", database], environment: ["XDG_CONFIG_HOME": home.path])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        let created = try run(["keys", "create", "--user", "alice", "--feature", "chat", "--budget", "25", "--period", "week", "--rpm", "120", "--tpm", "200000", "--json"])
        let id = try #require(created.firstMatch(of: /"id": "([0-9a-f]{16})"/)?.1).description
        func masked(_ text: String) -> String {
            text.replacingOccurrences(of: id, with: "ID")
                .replacing(/tk-ID-[0-9a-f]+/, with: "SECRET")
                .replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, with: "TIME")
        }
        #expect(masked(created) == "{\n  \"key\": \"SECRET\",\n  \"id\": \"ID\"\n}\n")
        #expect(masked(try run(["keys", "list", "--json"]))
            == #"[{"id":"ID","user":"alice","feature":"chat","rpm":120,"tpm":200000,"created_at":"TIME","revoked_at":null}]"# + "\n")
        let feature = #"{"user":null,"scope":"feature","subject":"search","period":"month","budget_usd":500.125,"spent_usd":0,"reserved_usd":0,"remaining_usd":500.125,"soft_percent":80,"soft_threshold_reached":false}"#
        let key = #"{"user":"alice","scope":"key","subject":"ID","period":"week","budget_usd":25,"spent_usd":0,"reserved_usd":0,"remaining_usd":25,"soft_percent":80,"soft_threshold_reached":false}"#
        #expect(try run(["budgets", "set", "--feature", "search", "--budget", "500.125", "--period", "month", "--json"]) == feature + "\n")
        #expect(masked(try run(["budgets", "show", "--json"])) == "[\(feature),\(key)]\n")
        #expect(masked(try run(["budgets", "show", "--user", "alice", "--json"])) == "[\(key)]\n")
    }
}
