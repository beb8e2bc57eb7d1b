public import ArgumentParser
import Foundation
import Modeling
import Pricing
import Reports
import Synchronization
import TokenomicsCore
public import UsageAnalysis

#if canImport(Glibc)
import Glibc
#endif

extension InputFormat: ExpressibleByArgument {}

extension Tokenomics {
    struct Analyze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Analyse usage logs: what it cost, who made it cost that, and what each lever would save.",
            discussion: """
                Reads usage logs (our JSON lines, OpenAI's usage CSV export, LiteLLM SpendLogs as \
                JSON lines or CSV, or OpenTelemetry GenAI spans as OTLP JSON; gzip-compressed or \
                not; several files; `-` for standard input) in one streaming pass whose memory grows \
                with the number of users and groups, not events. Large plain files are split and \
                aggregated on every core.

                Events without a cost are priced from the catalog; events with one (cost_usd, \
                LiteLLM's spend) keep it, and differences from the catalog are reported per model. \
                Models the catalog does not know are listed with their counts, never priced at $0. \
                Malformed lines are counted and the first ten reported; --strict stops at the first.

                Monthly cost per user: one sample per user and calendar month (UTC); quantiles are \
                nearest-rank. Concentration (Gini, top shares, Lorenz) is over each user's whole cost.

                Examples:
                  tokenomics analyze usage.jsonl
                  tokenomics analyze logs/*.jsonl.gz --json -o report.json
                  tokenomics analyze spendlogs.csv --input-format litellm --plans plans.yaml
                  cat usage.jsonl | tokenomics analyze - --fit-scenario fitted.yaml
                  tokenomics generate-usage --users 1000 --events 100000 | tokenomics analyze -
                """
        )

        @Argument(help: ArgumentHelp("Usage logs; `-` (or nothing, when input is piped) reads standard input.", valueName: "log"))
        var logs: [String] = []

        @Option(help: "Input format: auto, jsonl, openai-csv, litellm or otel.")
        var inputFormat: InputFormat = .auto

        @Option(help: ArgumentHelp("A plans file (a top-level `plans:` list) to evaluate revenue and margin per user.", valueName: "file"))
        var plans: String?

        @Option(help: ArgumentHelp("Write a scenario YAML fitted from the log (with the --plans plans), whose `tokenomics model` report gives the log's cost per user back.", valueName: "file"))
        var fitScenario: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to a file instead of standard output.", valueName: "file"))
        var output: String?

        @Flag(help: "Stop at the first malformed line.")
        var strict = false

        @Option(parsing: .unconditional, help: ArgumentHelp("Parallel workers for large files (default: the number of cores).", valueName: "n"))
        var threads: Int?

        @OptionGroup var catalog: CatalogOptions

        @Option(help: ArgumentHelp("Read the gateway's ledger instead of log files: sqlite:PATH or postgres://USER@HOST:PORT/DB.", valueName: "url"))
        var database: String?

        @Option(help: "Output format: text, markdown, json, csv or html (one self-contained page with charts).")
        var format: OutputFormat = .text

        @Flag(help: "Short for --format json.")
        var json = false

        var resolvedFormat: OutputFormat { json ? .json : format }

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
            if database != nil && !logs.isEmpty {
                throw ValidationError("Give either usage logs or --database, not both.")
            }
            if logs.isEmpty && database == nil && isatty(0) == 1 {
                throw ValidationError("Give one or more usage logs, or pipe one in (`-` reads standard input).")
            }
        }

        var inputs: [String] { logs.isEmpty ? ["-"] : logs }

        func render() async throws -> String {
            let catalog = try self.catalog.load()
            var planList: [Plan] = []
            if let plans {
                planList = try Plan.readFile(text: try readTextFile(plans, what: "plans file"), file: plans)
            }
            let result: AnalysisResult
            if let database {
                result = try await LedgerUsage.analyze(database: database, catalog: catalog)
            } else {
                let analyzer = UsageAnalyzer(catalog: catalog, options: AnalysisOptions(inputFormat: inputFormat, strict: strict, parallelism: threads))
                let bar: ProgressBar? = isatty(2) == 1 ? ProgressBar() : nil
                var callback: (@Sendable (AnalysisProgress) -> Void)? = nil
                if let bar { callback = { progress in bar.update(progress) } }
                result = try await analyzer.analyze(inputs, progress: callback)
                bar?.finish()
            }
            let insights = Insights(result: result, catalog: catalog, plans: planList)
            let name = "Fitted from " + (database.map { [$0] } ?? inputs).joined(separator: ", ")
            let fitted: FittedScenario?
            if let fitScenario {
                let scenario = try FittedScenario(result: result, catalog: catalog, plans: planList, name: name)
                do { try scenario.yaml.write(toFile: fitScenario, atomically: true, encoding: String.Encoding.utf8) } catch {
                    throw ValidationError("Cannot write '\(fitScenario)': \(error.localizedDescription)")
                }
                fitted = scenario
            } else {
                fitted = try? FittedScenario(result: result, catalog: catalog, plans: planList, name: name)
            }
            let fit = fitted?.distribution ?? ScenarioFit(interactions: result.userMonths.map(\.interactions))
            let extras = AnalysisInsightsReport.extras(insights, fit: fit, fitted: fitted)
            switch resolvedFormat {
            case .json: return AnalysisReport.json(result, extras: extras).serialized() + "\n"
            case .csv: return AnalysisReport.csv(result)
            case .markdown: return AnalysisReport.text(result, markdown: true, extras: extras)
            case .html: return AnalysisReport.html(result, extras: extras)
            default: return AnalysisReport.text(result, extras: extras)
            }
        }

        func run() async throws {
            let text = try await render()
            if let output {
                do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    throw ValidationError("Cannot write '\(output)': \(error.localizedDescription)")
                }
            } else {
                print(text, terminator: "")
            }
        }
    }
}

/// A progress line on standard error: bytes, events/s and ETA, redrawn at most 5 times a second.
final class ProgressBar: Sendable {
    private let last = Mutex<Double>(-1)

    func update(_ p: AnalysisProgress) {
        let draw = last.withLock { last -> Bool in
            if p.seconds - last < 0.2 { return false }
            last = p.seconds
            return true
        }
        guard draw else { return }
        let rate = p.seconds > 0 ? Double(p.events) / p.seconds : 0
        let megabytes = Double(p.bytes) / 1_048_576
        var line = "\r\u{1B}[K" + String(format: "%.0f MB, %d events, %.0f events/s", megabytes, p.events, rate)
        if let total = p.totalBytes, total > 0, p.bytes > 0 {
            let fraction = min(1, Double(p.bytes) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            let eta = p.seconds * (1 - fraction) / max(fraction, 1e-9)
            line = "\r\u{1B}[K[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
                + String(format: "%3.0f%%  %.0f/%.0f MB  %.0f events/s  ETA %.0fs", fraction * 100, megabytes, Double(total) / 1_048_576, rate, eta)
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}
