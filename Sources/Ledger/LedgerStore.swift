public import Foundation

/// The usage ledger, virtual keys and budgets, behind one storage protocol.
///
/// Two implementations: ``SQLiteLedger`` (GRDB, one file in WAL mode; the embedded default) and
/// ``PostgresLedger`` (postgres-nio; several gateway instances share keys, budgets and the ledger).
/// Both run the same versioned migrations and the same behaviour tests.
///
/// Budgets hold under concurrency because ``reserve(_:)`` checks and holds the worst-case cost
/// against every applicable budget in one transaction, and ``settle(_:)`` swaps the hold for the real
/// cost in another:
///
/// ```swift
/// let ledger = try await LedgerURL.parse("sqlite:./tokenomics.db").open()
/// switch try await ledger.reserve(ReservationRequest(id: id, keyID: key.id, user: key.user, feature: nil, model: "gpt-4o", amount: worst)) {
/// case .reserved: …forward…; try await ledger.settle([record])   // record.reservationID == id
/// case .refused(let budget, _): …429 saying budget.remaining…
/// }
/// ```
public protocol LedgerStore: Sendable {
    /// `sqlite` or `postgres`.
    var backend: String { get }

    /// Creates or upgrades the schema; safe to call on every start, from several instances.
    func migrate() async throws

    /// Creates a key for a user (and the key's budget, if one is given). The secret is returned once.
    func createKey(_ key: NewKey, now: Date) async throws -> IssuedKey
    /// Keys, newest first, optionally for one user.
    func keys(user: String?) async throws -> [KeyInfo]
    /// Marks a key revoked; returns false when no such key exists.
    func revokeKey(id: String, now: Date) async throws -> Bool
    /// Finds the key a secret belongs to, comparing SHA-256 hashes in constant time; nil when none matches.
    /// A revoked key is returned with ``KeyInfo/revokedAt`` set.
    func authenticate(secret: String) async throws -> KeyInfo?

    /// Creates or replaces a budget (its spend in the current period is kept).
    func setBudget(_ budget: BudgetSetting, now: Date) async throws
    /// Budgets with spend for the period containing `now`, optionally filtered.
    func budgets(scope: BudgetScope?, subject: String?, now: Date) async throws -> [BudgetStatus]

    /// Atomically holds `request.amount` against every budget that applies, or refuses without holding anything.
    /// The reservation row is committed (durable) before this returns.
    func reserve(_ request: ReservationRequest) async throws -> ReservationResult
    /// Writes request rows in one transaction; a row with a ``RequestRecord/reservationID`` releases that
    /// reservation and charges the row's cost to the budgets it held. Settling the same reservation twice is a no-op.
    func settle(_ records: [RequestRecord]) async throws
    /// Reservations not yet settled.
    func openReservations() async throws -> [OpenReservation]
    /// Settles reservations opened before `cutoff` (left by a crashed process) at their full reserved
    /// amount, as rows with status 0 and `estimated` set. Returns how many were recovered.
    func recoverReservations(openedBefore cutoff: Date) async throws -> Int

    /// Request rows with `id > afterID`, oldest first, at most `limit`: page through the whole ledger with it.
    func records(afterID: Int64, limit: Int) async throws -> [RequestRecord]
    /// Spend grouped by user, feature, model, key or UTC day, from `since` on.
    func spend(by grouping: SpendGrouping, since: Date?) async throws -> [SpendRow]

    /// Closes connections; the store is unusable afterwards.
    func close() async throws
}

extension LedgerStore {
    /// Every request row, oldest first, fetched a page at a time.
    ///
    /// ```swift
    /// for try await record in ledger.allRecords() { … }
    /// ```
    public func allRecords(pageSize: Int = 1000) -> LedgerRecords {
        LedgerRecords(store: self, pageSize: max(1, pageSize))
    }
}

/// The ledger's request rows as an async sequence, read in pages of ``pageSize``.
public struct LedgerRecords: AsyncSequence, Sendable {
    public typealias Element = RequestRecord
    let store: any LedgerStore
    let pageSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let store: any LedgerStore
        let pageSize: Int
        var last: Int64 = 0
        var buffer: [RequestRecord] = []
        var finished = false

        public mutating func next() async throws -> RequestRecord? {
            if buffer.isEmpty && !finished {
                buffer = try await store.records(afterID: last, limit: pageSize)
                if buffer.count < pageSize { finished = true }
                buffer.reverse()
            }
            guard let next = buffer.popLast() else { return nil }
            last = next.id ?? last
            return next
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(store: store, pageSize: pageSize) }
}

@available(*, unavailable)
extension LedgerRecords.AsyncIterator: Sendable {}

/// A parsed `--database` value: `sqlite:PATH` or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`.
public enum LedgerURL: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(host: String, port: Int, user: String, password: String?, database: String)

    /// The embedded default, `sqlite:./tokenomics.db`.
    public static let defaultValue = "sqlite:./tokenomics.db"

    /// Parses a database URL.
    /// - Throws: ``LedgerError/badURL(_:reason:)``.
    public static func parse(_ text: String) throws(LedgerError) -> LedgerURL {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw .badURL(text, reason: "the path is empty") }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
                throw .badURL(text, reason: "it has no host")
            }
            let database = String(components.path.drop(while: { $0 == "/" }))
            return .postgres(
                host: host,
                port: components.port ?? 5432,
                user: components.user ?? "postgres",
                password: components.password,
                database: database.isEmpty ? (components.user ?? "postgres") : database
            )
        }
        throw .badURL(text, reason: "unknown scheme")
    }

    /// The URL without its password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let host, let port, let user, _, let database): "postgres://\(user)@\(host):\(port)/\(database)"
        }
    }
}
