import Foundation
import Testing

@testable import tokenomics

/// Errors a command finds while running name that command's help, not the root usage line.
struct ErrorReportingTests {
    @Test(arguments: [
        (["serve", "--config", "/nonexistent/gateway.yaml"], "Cannot read the configuration file '/nonexistent/gateway.yaml': no such file or directory", "tokenomics serve --help"),
        (["analyze", "-", "--plans", "/nonexistent/plans.yaml"], "Cannot read the plans file '/nonexistent/plans.yaml': no such file or directory.", "tokenomics analyze --help"),
    ])
    func runtimeValidationNamesTheCommandsHelp(arguments: [String], message: String, help: String) throws {
        let log = Data(#"{"time":"2026-11-01T00:00:00Z","user":"u","model":"gpt-4o","input_tokens":10,"output_tokens":5}"#.utf8 + [0x0A])
        let result = try CLIRunner.run(arguments, environment: ["XDG_CONFIG_HOME": CLIRunner.temporaryConfigHome().path], stdin: log)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: \(message)"), "\(result.stderr)")
        #expect(result.stderr.contains("See '\(help)'"), "\(result.stderr)")
        #expect(!result.stderr.contains("Usage: tokenomics <subcommand>"), "\(result.stderr)")
    }

    /// `serve` checks its flags before it opens a ledger or a port.
    @Test(arguments: [(["serve", "--port", "99999"], "--port must be between 0 and 65535"), (["serve", "--log-level", "loud"], "--log-level must be one of")])
    func serveRejectsBadFlags(arguments: [String], message: String) throws {
        let result = try CLIRunner.run(arguments, environment: ["XDG_CONFIG_HOME": CLIRunner.temporaryConfigHome().path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    /// A negative number after a numeric option is that option's value (and is refused as
    /// negative), not a missing value followed by an unknown flag; a flag in its place is named.
    @Test(arguments: [
        (["cost", "--model", "gpt-4o", "--input", "-5"], "input tokens cannot be negative (got -5)"),
        (["cost", "--model", "gpt-4o", "--input", "5", "--output", "-10"], "output tokens cannot be negative (got -10)"),
        (["estimate", "--model", "gpt-4o", "--input", "100", "--interactions", "-3"], "--interactions cannot be negative (got -3)"),
        (["serve", "--port", "-1"], "--port must be between 0 and 65535"),
        (["estimate", "--model", "gpt-4o", "--input", "100", "--interactions", "3", "--price", "-5"], "--price must be a non-negative amount in USD"),
        (["model", CLIRunner.repositoryRoot.appendingPathComponent("Examples/support-copilot.yaml").path, "--seed", "-1"], "The value '-1' is invalid for '--seed <seed>'"),
        (["cost", "--model", "gpt-4o", "--input", "--output", "10"], "The value '--output' is invalid for '--input <input>'"),
    ])
    func negativeNumbersAreValues(arguments: [String], message: String) throws {
        let result = try CLIRunner.run(arguments, environment: ["XDG_CONFIG_HOME": CLIRunner.temporaryConfigHome().path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Missing value"), "\(result.stderr)")
    }

    @Test(arguments: [
        (["keys", "create", "--user", "u"], "tokenomics keys create"),
        (["serve", "--port", "1"], "tokenomics serve"),
        (["--help"], "tokenomics"),
        (["count", "keys"], "tokenomics count"),
    ])
    func commandPathStopsAtTheFirstNonCommandWord(arguments: [String], expected: String) {
        #expect(Tokenomics.commandPath(arguments) == expected)
    }
}
