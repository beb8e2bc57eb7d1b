import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Pricing
import TokenomicsCore

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
        var parsed = false
        do {
            var command = try parseAsRoot(arguments)
            parsed = true
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            Foundation.exit(report(error, command: parsed ? commandPath(arguments) : nil))
        }
    }

    /// Prints an error the way a person can act on it and returns the exit code. `command` is the
    /// command line's command (`tokenomics keys create`) when the error came from running it.
    static func report(_ error: any Error, command: String? = nil) -> Int32 {
        if let reportable = error as? any ReportableError {
            FileHandle.standardError.write(Data(("error: " + reportable.description + "\n").utf8))
            return reportable.isBadInput ? 2 : 1
        }
        // A command's own checks on its input: name that command's help, not the root's usage line.
        if let validation = error as? ValidationError, let command {
            FileHandle.standardError.write(Data("error: \(validation.message)\nSee '\(command) --help' for its options and examples.\n".utf8))
            return 2
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

    /// The subcommand words at the start of a command line, as `tokenomics keys create`.
    static func commandPath(_ arguments: [String]) -> String {
        var path = ["tokenomics"]
        var candidates = configuration.subcommands
        for argument in arguments {
            guard let match = candidates.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            candidates = match.configuration.subcommands
        }
        return path.joined(separator: " ")
    }
}
