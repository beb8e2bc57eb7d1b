public import ArgumentParser
import Foundation
public import Ledger
import Pricing
import Reports
import TokenomicsCore

/// `--database sqlite:PATH|postgres://…`, shared by serve, keys and budgets.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database"),
        help: ArgumentHelp("The ledger: sqlite:PATH (embedded, the default) or postgres://USER@HOST:PORT/DB (shared by several gateways).", valueName: "url")
    )
    var url: String = LedgerURL.defaultValue

    func parsed() throws -> LedgerURL { try LedgerURL.parse(url) }
}

extension BudgetPeriod: ExpressibleByArgument {}

extension Tokenomics {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, list and revoke the gateway's virtual keys.",
            discussion: """
                A virtual key belongs to a user (and optionally a feature). Callers send it to the \
                gateway as 'Authorization: Bearer tk-…'. The secret is printed once, at creation; the \
                ledger keeps only its SHA-256 hash.

                Examples:
                  tokenomics keys create --user alice --budget 10 --period month
                  tokenomics keys create --database postgres://postgres@127.0.0.1:5432/tokenomics --user bob --feature search --rpm 60 --json
                  tokenomics keys list --user alice
                  tokenomics keys revoke 3f9a0c1d2e4b5a69
                """,
            subcommands: [Create.self, List.self, Revoke.self]
        )
    }
}

extension Tokenomics.Keys {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print its secret once.",
            discussion: """
                --budget sets a budget on the key itself (USD per --period, default month); user and \
                feature budgets are set with `tokenomics budgets set`. --rpm and --tpm override the \
                gateway's default rate limits for this key.

                Examples:
                  tokenomics keys create --user alice
                  tokenomics keys create --user alice --feature chat --budget 25 --period week --rpm 120 --tpm 200000 --json
                """
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The user the key belongs to.") var user: String
        @Option(help: "The feature requests made with this key are attributed to.") var feature: String?
        @Option(parsing: .unconditional, help: "A budget on this key, in USD per period.") var budget: String?
        @Option(help: "The budget's period: day, week, month or total.") var period: BudgetPeriod = .month
        @Option(parsing: .unconditional, help: "Requests per minute allowed on this key.") var rpm: Int?
        @Option(parsing: .unconditional, help: "Tokens per minute allowed on this key.") var tpm: Int?
        @OptionGroup var format: FormatOptions

        func validate() throws {
            if user.isEmpty { throw ValidationError("--user must not be empty.") }
            if let budget, (try? Money(exactly: budget)).map({ $0 >= .zero }) != true {
                throw ValidationError("--budget must be a non-negative amount in USD, such as 10 or 2.50 (got '\(budget)').")
            }
            if let rpm, rpm <= 0 { throw ValidationError("--rpm must be positive.") }
            if let tpm, tpm <= 0 { throw ValidationError("--tpm must be positive.") }
        }

        func render() async throws -> String {
            let new = NewKey(user: user, feature: feature, rpm: rpm, tpm: tpm, budget: try budget.map { try Money(exactly: $0) }, period: period)
            let issued = try await database.parsed().withLedger { try await $0.createKey(new, now: Date()) }
            if format.resolved == .json {
                return LedgerJSON.issued(issued).serialized()
            }
            var lines = ["Created key \(issued.info.id) for user \(user)\(feature.map { ", feature \($0)" } ?? "")."]
            if let budget { lines.append("Budget: \((try? Money(exactly: budget))?.formatted() ?? budget) per \(period == .total ? "lifetime" : period.rawValue).") }
            lines.append("Secret (shown only now; store it safely):")
            lines.append(issued.secret)
            return lines.joined(separator: "\n")
        }

        func run() async throws { print(try await render()) }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys (never their secrets).",
            discussion: """
                Examples:
                  tokenomics keys list
                  tokenomics keys list --user alice --json
                """
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this user's keys.") var user: String?
        @OptionGroup var format: FormatOptions

        func render() async throws -> String {
            let keys = try await database.parsed().withLedger { [user] in try await $0.keys(user: user) }
            if format.resolved == .json { return JSONValue.array(keys.map(LedgerJSON.key)).serialized(compact: true) }
            var table = TextTable(columns: [.init("id"), .init("user"), .init("feature"), .init("rpm", alignment: .right), .init("tpm", alignment: .right), .init("created"), .init("status")])
            let formatter = ISO8601DateFormatter()
            for key in keys {
                table.append([
                    key.id, key.user, key.feature ?? "-", key.rpm.map(String.init) ?? "-", key.tpm.map(String.init) ?? "-", formatter.string(from: key.createdAt),
                    key.revokedAt.map { "revoked \(formatter.string(from: $0))" } ?? "active",
                ])
            }
            return keys.isEmpty ? "No keys. Create one with `tokenomics keys create --user NAME`." : table.rendered()
        }

        func run() async throws { print(try await render()) }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key: the gateway refuses it from then on (within its key cache time, 5 s by default).",
            discussion: """
                Examples:
                  tokenomics keys revoke 3f9a0c1d2e4b5a69
                """
        )

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The key id (from `keys list`).") var id: String
        @OptionGroup var format: FormatOptions

        func render() async throws -> String {
            let revoked = try await database.parsed().withLedger { [id] in try await $0.revokeKey(id: id, now: Date()) }
            guard revoked else { throw LedgerError.unknownKey(id) }
            return format.resolved == .json ? LedgerJSON.revoked(id: id).serialized() : "Revoked key \(id)."
        }

        func run() async throws { print(try await render()) }
    }
}
