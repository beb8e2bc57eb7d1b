import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Pricing

@main
struct Tokenomics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenomics",
        abstract: "What your AI product costs to run, per call, per interaction and per user.",
        discussion: """
            Count tokens, price any call from a catalog of thousands of models, model unit \
            economics before you scale, analyse usage logs, and enforce budgets live with a \
            metering gateway.

            Examples:
              tokenomics cost --model gpt-4o --input 2000 --output 500
              tokenomics count prompt.txt --model gpt-4o
              tokenomics estimate --model gpt-4o --input 2000 --output 500 --interactions 200 --price 30
              tokenomics model Examples/support-copilot.yaml --format html -o report.html
              tokenomics analyze usage.jsonl --plans plans.yaml
              tokenomics serve --config Examples/gateway.yaml

            Exit codes: 0 ok, 1 runtime failure, 2 bad input.
            """,
        subcommands: [
            Models.self, Price.self, Cost.self, Prices.self, Estimate.self, Model.self, Analyze.self, GenerateUsage.self, Count.self, Serve.self, Keys.self, Budgets.self,
        ]
    )

    /// Runs a command line and maps errors to exit codes: 0 ok, 1 runtime failure, 2 bad input.
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst().map { $0 }
        if arguments.first == "serve" {
            // The gateway's work is I/O on NIO's event loops: running Swift tasks on those same
            // threads saves a thread hop (and on 2 cores a context switch) at every await.
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        await main(arguments)
    }

    static func main(_ arguments: [String]) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Foundation.exit(report(error))
        }
    }

    /// Prints an error the way a person can act on it and returns the exit code.
    static func report(_ error: any Error) -> Int32 {
        if let reportable = error as? any ReportableError {
            FileHandle.standardError.write(Data(("error: " + reportable.description + "\n").utf8))
            return reportable.isBadInput ? 2 : 1
        }
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        if code == .validationFailure { return 2 }
        return code.rawValue
    }
}
