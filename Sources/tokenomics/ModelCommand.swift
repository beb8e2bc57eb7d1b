import ArgumentParser
import Foundation
import Modeling
import Pricing
import Reports
import TokenomicsCore

extension Tokenomics {
    struct Model: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Model a product's unit economics from a scenario file.",
            discussion: """
                A scenario (YAML, see docs/scenario.md) says who your users are, how often they \
                interact, what calls one interaction makes, and your pricing plans. The report gives \
                the cost per interaction; the monthly cost per user at the mean, p50, p90, p99 and \
                max (Monte Carlo, with closed forms beside it); who bears the cost (top 1/5/10% \
                shares, Gini); each plan's margins at user percentiles, underwater users, break-even \
                and a recommended cap or price; the levers ranked by monthly saving; a month-by-month \
                projection with falling model prices; and a verdict: token cost is negligible, \
                matters, or dominates. The same seed gives the same report.

                Examples:
                  tokenomics model Examples/support-copilot.yaml
                  tokenomics model Examples/coding-agent.yaml --format html -o report.html
                  tokenomics model Examples/textbook.yaml --json --seed 7
                """
        )

        @Argument(help: ArgumentHelp("The scenario file (YAML).", valueName: "scenario.yaml"))
        var scenario: String

        @Option(help: "Output format: text, markdown, json or html.")
        var format: OutputFormat = .text

        @Flag(help: "Short for --format json.")
        var json = false

        @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the report to this file instead of standard output.", valueName: "file"))
        var output: String?

        @Option(parsing: .unconditional, help: "Monte Carlo seed (overrides the scenario's `seed`).")
        var seed: UInt64?

        @Option(parsing: .unconditional, help: "Users to simulate (default: the active users, at most 1,000,000).")
        var simulate: Int?

        @OptionGroup var catalog: CatalogOptions

        @Flag(help: .hidden)
        var benchmark = false

        @Option(help: .hidden)
        var repeats = 5

        var resolvedFormat: OutputFormat { json ? .json : format }

        func validate() throws {
            if resolvedFormat == .csv { throw ValidationError("--format csv is not available for model; use text, markdown, json or html.") }
            if let simulate, simulate < 1 { throw ValidationError("--simulate must be at least 1.") }
        }

        func render() async throws -> String {
            let catalog = try catalog.load()
            let scenario = try Scenario.readFile(self.scenario, catalog: catalog)
            if benchmark { return await runBenchmark(scenario) }
            let result = try await ScenarioModel(catalog: catalog).run(scenario, seed: seed, simulatedUsers: simulate)
            switch resolvedFormat {
            case .json: return ScenarioReport.json(result).serialized()
            case .markdown: return ScenarioReport.markdown(result)
            case .html: return ScenarioReport.html(result)
            default: return ScenarioReport.text(result)
            }
        }

        /// `--benchmark` (hidden): times the Monte Carlo kernel (users × projection months × plans)
        /// for `Benchmarks/modeller`, and prints the best and median of `--repeats` runs as JSON.
        func runBenchmark(_ scenario: Scenario) async -> String {
            let users = simulate ?? scenario.users.active
            let clock = ContinuousClock()
            var times: [Double] = []
            var served = 0
            for _ in 0..<max(1, repeats) {
                let start = clock.now
                let tallies = await Simulation.months(
                    scenario.users.population, users: users, months: scenario.projection.months, plans: scenario.plans, seed: seed ?? scenario.seed ?? 1
                )
                let elapsed = clock.now - start
                times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                served = tallies.reduce(0) { $0 + $1.reduce(0) { $0 + $1.served } }
            }
            let sorted = times.sorted()
            return JSONValue.object([
                ("users", .int(users)), ("months", .int(scenario.projection.months)), ("plans", .int(scenario.plans.count)),
                ("cores", .int(ProcessInfo.processInfo.activeProcessorCount)),
                ("best_seconds", .double(sorted[0])), ("median_seconds", .double(sorted[sorted.count / 2])),
                ("served_interactions", .int(served)),
            ]).serialized(compact: true)
        }

        func run() async throws {
            let report = try await render()
            if let output {
                do {
                    try Data((report.hasSuffix("\n") ? report : report + "\n").utf8).write(to: URL(fileURLWithPath: output))
                } catch {
                    throw ModelingError.unwritable(file: output, reason: error.localizedDescription)
                }
                if FileHandle.standardError.isTerminal { FileHandle.standardError.write(Data("wrote \(output)\n".utf8)) }
            } else {
                print(report)
            }
        }
    }
}

extension FileHandle {
    var isTerminal: Bool { isatty(fileDescriptor) != 0 }
}
