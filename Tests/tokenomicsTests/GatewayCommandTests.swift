import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import NIOCore
import Pricing
import Synchronization
import Testing
import TokenomicsCore

@testable import tokenomics

/// Where the suite runs: a real SQLite file, and PostgreSQL when `TOKENOMICS_TEST_POSTGRES_URL` is set.
enum CommandBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }

    static var available: [CommandBackend] {
        ProcessInfo.processInfo.environment["TOKENOMICS_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true ? [.sqlite, .postgres] : [.sqlite]
    }

    /// A fresh database URL (a new file, or a new PostgreSQL database).
    func scratch() async throws -> String {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return "sqlite:" + directory.appendingPathComponent("ledger.db").path
        case .postgres:
            guard case .postgres(let host, let port, let user, let password, let database) = try LedgerURL.parse(ProcessInfo.processInfo.environment["TOKENOMICS_TEST_POSTGRES_URL"]!) else {
                fatalError("TOKENOMICS_TEST_POSTGRES_URL is not a postgres:// URL")
            }
            let name = "tk_cli_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            try await PostgresLedger.createDatabase(
                named: name, host: host, port: port, user: user, password: password, maintenanceDatabase: database,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            return "postgres://\(user)@\(host):\(port)/\(name)"
        }
    }
}

/// Runs one `keys`/`budgets` command line and returns what it prints.
func runCommand(_ arguments: [String]) async throws -> String {
    let command = try Tokenomics.parseAsRoot(arguments)
    switch command {
    case let c as Tokenomics.Keys.Create: return try await c.render()
    case let c as Tokenomics.Keys.List: return try await c.render()
    case let c as Tokenomics.Keys.Revoke: return try await c.render()
    case let c as Tokenomics.Budgets.Show: return try await c.render()
    case let c as Tokenomics.Budgets.SetBudget: return try await c.render()
    default: throw ValidationError("not a keys/budgets command: \(arguments)")
    }
}

func parseJSON(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

struct KeysAndBudgetsCommandTests {
    @Test(arguments: CommandBackend.available)
    func keysAndBudgetsRoundTrip(backend: CommandBackend) async throws {
        let database = try await backend.scratch()
        let created = try parseJSON(try await runCommand(["keys", "create", "--database", database, "--user", "alice", "--feature", "chat", "--budget", "2.5", "--period", "week", "--rpm", "60", "--json"]))
        guard case .object(let members) = created else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["key", "id"])
        let secret = try #require(created["key"].flatMap { if case .string(let s) = $0 { s } else { nil } })
        let id = try #require(created["id"].flatMap { if case .string(let s) = $0 { s } else { nil } })
        #expect(secret.hasPrefix("tk-\(id)-"))

        let text = try await runCommand(["keys", "create", "--database", database, "--user", "bob"])
        #expect(text.contains("Secret (shown only now"))
        #expect(text.contains("tk-"))

        let list = try await runCommand(["keys", "list", "--database", database, "--user", "alice", "--json"])
        #expect(list.contains(id))
        #expect(!list.contains(secret))
        #expect(!list.contains("bob"))

        let set = try parseJSON(try await runCommand(["budgets", "set", "--database", database, "--user", "alice", "--budget", "10", "--json"]))
        #expect(set["budget_usd"] == .number("10"))

        let shown = try parseJSON(try await runCommand(["budgets", "show", "--database", database, "--user", "alice", "--json"]))
        guard case .array(let budgets) = shown else { Issue.record("not an array"); return }
        #expect(budgets.count == 2)
        for budget in budgets {
            #expect(budget["user"] == .string("alice"))
            for field in ["period", "budget_usd", "spent_usd", "reserved_usd", "remaining_usd"] { #expect(budget[field] != nil, "\(field)") }
        }
        #expect(budgets.contains { $0["period"] == .string("week") && $0["budget_usd"] == .number("2.5") && $0["remaining_usd"] == .number("2.5") })
        let table = try await runCommand(["budgets", "show", "--database", database])
        #expect(table.contains("remaining_usd"))
        #expect(table.contains("$10.00"))

        #expect(try await runCommand(["keys", "revoke", "--database", database, id]) == "Revoked key \(id).")
        let after = try await runCommand(["keys", "list", "--database", database, "--user", "alice"])
        #expect(after.contains("revoked"))
        await #expect(throws: LedgerError.unknownKey("ffffffffffffffff")) { try await runCommand(["keys", "revoke", "--database", database, "ffffffffffffffff"]) }
    }

    @Test(arguments: [
        ["keys", "create", "--user", "a", "--budget", "-1"],
        ["keys", "create", "--user", "a", "--budget", "ten"],
        ["keys", "create", "--user", "a", "--period", "year"],
        ["budgets", "set", "--user", "a", "--feature", "f", "--budget", "1"],
        ["budgets", "set", "--budget", "1"],
    ])
    func badArgumentsAreRefused(arguments: [String]) {
        #expect(throws: (any Error).self) { _ = try Tokenomics.parseAsRoot(arguments) }
    }

    @Test func aBadDatabaseURLIsBadInput() async {
        await #expect(throws: LedgerError.self) { try await runCommand(["keys", "list", "--database", "mysql://db"]) }
        #expect(LedgerError.badURL("x", reason: "y").isBadInput)
    }
}
