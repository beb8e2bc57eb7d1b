public import Logging

extension LedgerURL {
    /// Opens the ledger, runs migrations, calls `body`, and closes it (running the PostgreSQL pool meanwhile).
    ///
    /// ```swift
    /// let keys = try await LedgerURL.parse(url).withLedger { try await $0.keys(user: nil) }
    /// ```
    public func withLedger<T: Sendable>(logger: Logger = Logger(label: "tokenomics.ledger", factory: { _ in SwiftLogNoOpLogHandler() }), _ body: @escaping @Sendable (any LedgerStore) async throws -> T) async throws -> T {
        switch self {
        case .sqlite(let path):
            let ledger = try SQLiteLedger(path: path)
            do {
                try await ledger.migrate()
                let result = try await body(ledger)
                try await ledger.close()
                return result
            } catch {
                try? await ledger.close()
                throw error
            }
        case .postgres(let host, let port, let user, let password, let database):
            let ledger = PostgresLedger(host: host, port: port, user: user, password: password, database: database, logger: logger)
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await ledger.run()
                    return nil
                }
                group.addTask {
                    try await ledger.migrate()
                    return try await body(ledger)
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let value = next { return value }
                }
                throw LedgerError.storage(operation: "connection", reason: "the PostgreSQL pool stopped")
            }
        }
    }
}
