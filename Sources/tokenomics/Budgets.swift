public import ArgumentParser
import Foundation
public import Ledger
import Pricing
import Reports
import TokenomicsCore

extension BudgetScope: ExpressibleByArgument {}

extension Tokenomics {
    struct Budgets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show and set the gateway's budgets per key, user and feature.",
            discussion: """
                A budget caps what may be spent per period (day, week, month, all in UTC, or total). \
                The gateway reserves each request's worst-case cost against every budget that applies \
                (its key's, its user's and its feature's) before forwarding it, so concurrent requests \
                can never overspend.

                Examples:
                  tokenomics budgets set --user alice --budget 10 --period month
                  tokenomics budgets set --feature search --budget 500 --period month --soft-percent 90
                  tokenomics budgets show
                  tokenomics budgets show --user alice --json
                """,
            subcommands: [Show.self, SetBudget.self]
        )
    }
}

extension Tokenomics.Budgets {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each budget's spend in the current period.",
            discussion: """
                Columns: user, scope, subject, period, budget_usd, spent_usd (settled), reserved_usd \
                (requests in flight), remaining_usd. --user keeps that user's budget and the budgets \
                of that user's keys.

                Examples:
                  tokenomics budgets show
                  tokenomics budgets show --database postgres://postgres@127.0.0.1:5432/tokenomics --user alice --json
                """
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this user's budgets.") var user: String?
        @OptionGroup var format: FormatOptions

        func render() async throws -> String {
            let (budgets, keys) = try await database.parsed().withLedger { ledger in
                (try await ledger.budgets(scope: nil, subject: nil, now: Date()), try await ledger.keys(user: nil))
            }
            let chosen = LedgerJSON.budgets(budgets, keys: keys, user: user)
            if format.resolved == .json { return JSONValue.array(chosen.map { LedgerJSON.budget($0, keys: keys) }).serialized(compact: true) }
            guard !chosen.isEmpty else { return "No budgets. Set one with `tokenomics budgets set --user NAME --budget USD`." }
            var table = TextTable(columns: [
                .init("user"), .init("scope"), .init("subject"), .init("period"), .init("budget_usd", alignment: .right),
                .init("spent_usd", alignment: .right), .init("reserved_usd", alignment: .right), .init("remaining_usd", alignment: .right),
            ])
            for budget in chosen {
                table.append([
                    LedgerJSON.owner(of: budget, keys: keys) ?? "-", budget.scope.rawValue, budget.subject, budget.period.rawValue,
                    budget.limit.formatted(), budget.spent.formatted(), budget.reserved.formatted(),
                    budget.remaining.formatted() + (budget.isPastSoftThreshold ? " !" : ""),
                ])
            }
            return table.rendered() + (chosen.contains { $0.isPastSoftThreshold } ? "\n! past its soft threshold" : "")
        }

        func run() async throws { print(try await render()) }
    }

    struct SetBudget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Create or change a budget (its spend so far is kept).",
            discussion: """
                Give exactly one of --user, --key or --feature.

                Examples:
                  tokenomics budgets set --user alice --budget 10
                  tokenomics budgets set --key 3f9a0c1d2e4b5a69 --budget 2 --period day
                  tokenomics budgets set --feature search --budget 500 --period month --json
                """
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "A user's budget.") var user: String?
        @Option(help: "A key's budget (the key id).") var key: String?
        @Option(help: "A feature's budget, across all users.") var feature: String?
        @Option(parsing: .unconditional, help: "The budget in USD per period.") var budget: String
        @Option(help: "day, week, month or total.") var period: BudgetPeriod = .month
        @Option(parsing: .unconditional, help: "Warn (logs, metrics, response header) past this share of the budget, in percent.") var softPercent: Int = 80
        @OptionGroup var format: FormatOptions

        var target: (BudgetScope, String)? {
            let given = [(BudgetScope.user, user), (.key, key), (.feature, feature)].compactMap { scope, value in value.map { (scope, $0) } }
            return given.count == 1 ? given[0] : nil
        }

        func validate() throws {
            if target == nil { throw ValidationError("Give exactly one of --user, --key or --feature.") }
            if (try? Money(exactly: budget)).map({ $0 >= .zero }) != true {
                throw ValidationError("--budget must be a non-negative amount in USD, such as 10 or 2.50 (got '\(budget)').")
            }
            if softPercent < 0 || softPercent > 100 { throw ValidationError("--soft-percent must be between 0 and 100.") }
        }

        func render() async throws -> String {
            let (scope, subject) = target!
            let setting = BudgetSetting(scope: scope, subject: subject, limit: try Money(exactly: budget), period: period, softPercent: softPercent)
            let (status, keys) = try await database.parsed().withLedger { ledger in
                try await ledger.setBudget(setting, now: Date())
                return (try await ledger.budgets(scope: scope, subject: subject, now: Date()), try await ledger.keys(user: nil))
            }
            guard let budget = status.first else { throw LedgerError.storage(operation: "budget update", reason: "the budget was not stored") }
            if format.resolved == .json { return LedgerJSON.budget(budget, keys: keys).serialized(compact: true) }
            return "Budget for \(scope) \(subject): \(budget.limit.formatted()) per \(period == .total ? "lifetime" : period.rawValue); \(budget.spent.formatted()) spent, \(budget.remaining.formatted()) remaining."
        }

        func run() async throws { print(try await render()) }
    }
}
