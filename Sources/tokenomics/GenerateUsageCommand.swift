import ArgumentParser
import Foundation
import Pricing
import UsageAnalysis

extension Tokenomics {
    struct GenerateUsage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate-usage",
            abstract: "Generate a realistic usage log (JSON lines) for tests, benchmarks and demos.",
            discussion: """
                Heavy-tailed users (Pareto activity: a few users make most calls), five features \
                on catalog models (gpt-4o-mini, gpt-4o, claude-haiku-4-5, gemini-2.5-flash, \
                claude-sonnet-4-5, o4-mini, text-embedding-3-small) with prompt caching, reasoning \
                and multi-call agent interactions, exact duplicate requests, and optional garbage \
                lines. The same --seed gives the same file.

                Examples:
                  tokenomics generate-usage --users 1000 --events 100000 -o usage.jsonl
                  tokenomics generate-usage --users 50000 --events 5000000 --seed 7 | gzip > usage.jsonl.gz
                  tokenomics generate-usage --users 100 --events 1000 --garbage-rate 0.01 --unknown-model-rate 0.02
                """
        )

        @Option(parsing: .unconditional, help: "Distinct users.")
        var users: Int

        @Option(parsing: .unconditional, help: "Events (lines) to write.")
        var events: Int

        @Option(parsing: .unconditional, help: "Random seed.")
        var seed: UInt64 = 1

        @Option(name: .shortAndLong, help: ArgumentHelp("Write to a file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(parsing: .unconditional, help: "Share of lines replaced by malformed ones (0-1).")
        var garbageRate: Double = 0

        @Option(parsing: .unconditional, help: "Share of events on a model the catalog does not know (0-1).")
        var unknownModelRate: Double = 0

        @Option(parsing: .unconditional, help: "Share of requests that exactly repeat an earlier one (0-1).")
        var duplicateRate: Double = 0.08

        @Option(parsing: .unconditional, help: "Share of events that carry a provider-billed cost_usd (0-1).")
        var billedRate: Double = 0

        @OptionGroup var catalog: CatalogOptions

        func validate() throws {
            guard users >= 1 else { throw ValidationError("--users must be at least 1.") }
            guard events >= 0 else { throw ValidationError("--events cannot be negative.") }
            for (name, rate) in [("--garbage-rate", garbageRate), ("--unknown-model-rate", unknownModelRate), ("--duplicate-rate", duplicateRate), ("--billed-rate", billedRate)]
            where !(0...1).contains(rate) {
                throw ValidationError("\(name) must be between 0 and 1 (got \(rate)).")
            }
        }

        var generator: UsageGenerator {
            get throws {
                UsageGenerator(
                    options: .init(
                        users: users, events: events, seed: seed, garbageRate: garbageRate, unknownModelRate: unknownModelRate,
                        duplicateRate: duplicateRate, billedRate: billedRate),
                    catalog: billedRate > 0 ? try catalog.load() : nil)
            }
        }

        func run() throws {
            let handle: FileHandle
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil) else {
                    throw ValidationError("Cannot create '\(output)'.")
                }
                handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            } else {
                handle = FileHandle.standardOutput
            }
            defer { if output != nil { try? handle.close() } }
            try generator.write { bytes in try handle.write(contentsOf: Data(bytes)) }
        }
    }
}
