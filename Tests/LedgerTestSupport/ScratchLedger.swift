import Foundation
public import Ledger
import Logging

/// Where the shared suite runs: always a real SQLite file, and PostgreSQL when
/// `TOKENOMICS_TEST_POSTGRES_URL` is set (a fresh database per test, so reruns start clean).
public enum Backend: String, CustomStringConvertible, CaseIterable, Sendable {
    case sqlite, postgres

    public var description: String { rawValue }

    public static var available: [Backend] {
        ProcessInfo.processInfo.environment["TOKENOMICS_TEST_POSTGRES_URL"].map { !$0.isEmpty } == true ? [.sqlite, .postgres] : [.sqlite]
    }

    /// A fresh, empty database URL for one test.
    public func scratchURL() async throws -> LedgerURL {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-ledger-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return .sqlite(path: directory.appendingPathComponent("ledger.db").path)
        case .postgres:
            let base = try LedgerURL.parse(ProcessInfo.processInfo.environment["TOKENOMICS_TEST_POSTGRES_URL"]!)
            guard case .postgres(let host, let port, let user, let password, let database) = base else { fatalError("not a postgres URL") }
            let name = "tk_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            try await PostgresLedger.createDatabase(
                named: name, host: host, port: port, user: user, password: password, maintenanceDatabase: database,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            return .postgres(host: host, port: port, user: user, password: password, database: name)
        }
    }

    /// Runs `body` against a fresh, migrated ledger.
    public func withLedger(_ body: @escaping @Sendable (any LedgerStore) async throws -> Void) async throws {
        try await scratchURL().withLedger(body)
    }
}
