import CostModel
public import Foundation
public import Logging
public import PostgresNIO
import Pricing
import TokenomicsCore

/// The ledger in PostgreSQL (postgres-nio `PostgresClient`), shared by several gateway instances.
///
/// A reservation locks the applicable budget rows with `SELECT … FOR UPDATE` (always in
/// `scope, subject` order, so concurrent reservations cannot deadlock), checks them in exact decimal
/// arithmetic and updates them in the same transaction. Money in budgets is `numeric(39,21)`.
///
/// - warning: the client's ``run()`` must be running (as a `Service` in the gateway's `ServiceGroup`,
///   or through ``LedgerURL/withLedger(logger:_:)``) for any query to proceed.
public final class PostgresLedger: LedgerStore {
    /// The connection pool; add it to a `ServiceGroup` or call ``run()``.
    public let client: PostgresClient
    let logger: Logger
    public var backend: String { "postgres" }
    /// The dashboard's per-user sums of past day boundaries.
    public let dashboardCache = DashboardCumulativeCache()

    /// Creates the ledger for a server. No connection is made until ``run()`` runs.
    public init(host: String, port: Int, user: String, password: String?, database: String, logger: Logger) {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
        configuration.options.maximumConnections = 20
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the connection pool until the task is cancelled.
    public func run() async { await client.run() }

    func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LedgerError {
            throw error
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? LedgerError { throw inner }
            throw LedgerError.storage(operation: operation, reason: String(reflecting: error.closureError ?? error.commitError ?? error.beginError ?? error))
        } catch {
            throw LedgerError.storage(operation: operation, reason: String(reflecting: error))
        }
    }

    func transaction<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await perform(operation) {
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    public func migrate() async throws {
        let migrations = Schema.migrations(.postgres)
        try await transaction("migration") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(72420001)", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schemaMigration (version integer PRIMARY KEY, appliedAtMs bigint NOT NULL)", logger: logger)
            var current = 0
            for try await version in try await connection.query("SELECT COALESCE(MAX(version), 0) FROM schemaMigration", logger: logger).decode(Int.self) {
                current = version
            }
            for (index, statements) in migrations.enumerated() where index + 1 > current {
                for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                try await connection.query("INSERT INTO schemaMigration (version, appliedAtMs) VALUES (\(index + 1), \(Date().unixMilliseconds))", logger: logger)
            }
        }
    }

    // MARK: Keys

    static let keyColumns = "id, secretHash, userName, feature, rpm, tpm, createdAtMs, revokedAtMs"

    static func keyInfo(_ row: PostgresRow) throws -> (KeyInfo, hash: String) {
        let (id, hash, user, feature, rpm, tpm, created, revoked) = try row.decode((String, String, String, String?, Int?, Int?, Int64, Int64?).self)
        return (
            KeyInfo(id: id, user: user, feature: feature, rpm: rpm, tpm: tpm, createdAt: Date(unixMilliseconds: created), revokedAt: revoked.map(Date.init(unixMilliseconds:))),
            hash
        )
    }

    public func createKey(_ key: NewKey, now: Date) async throws -> IssuedKey {
        let (id, secret) = KeySecret.generate()
        let info = KeyInfo(id: id, user: key.user, feature: key.feature, rpm: key.rpm, tpm: key.tpm, createdAt: Date(unixMilliseconds: now.unixMilliseconds))
        let ms = now.unixMilliseconds
        try await transaction("key creation") { connection in
            try await connection.query("INSERT INTO userAccount (name, createdAtMs) VALUES (\(key.user), \(ms)) ON CONFLICT (name) DO NOTHING", logger: logger)
            try await connection.query(
                "INSERT INTO apiKey (id, secretHash, userName, feature, rpm, tpm, createdAtMs) VALUES (\(id), \(KeySecret.hash(secret)), \(key.user), \(key.feature), \(key.rpm), \(key.tpm), \(ms))",
                logger: logger
            )
            if let budget = key.budget {
                try await Self.upsertBudget(connection, BudgetSetting(scope: .key, subject: id, limit: budget, period: key.period), now: now, logger: logger)
            }
        }
        return IssuedKey(secret: secret, info: info)
    }

    public func keys(user: String?) async throws -> [KeyInfo] {
        try await perform("key listing") {
            let rows = try await client.query(
                "SELECT \(unescaped: Self.keyColumns) FROM apiKey WHERE (\(user)::text IS NULL OR userName = \(user)) ORDER BY createdAtMs DESC, id", logger: logger)
            var result: [KeyInfo] = []
            for try await row in rows { result.append(try Self.keyInfo(row).0) }
            return result
        }
    }

    public func revokeKey(id: String, now: Date) async throws -> Bool {
        try await perform("key revocation") {
            var found = false
            let rows = try await client.query(
                "UPDATE apiKey SET revokedAtMs = COALESCE(revokedAtMs, \(now.unixMilliseconds)) WHERE id = \(id) RETURNING id", logger: logger)
            for try await _ in rows { found = true }
            return found
        }
    }

    public func authenticate(secret: String) async throws -> KeyInfo? {
        guard let id = KeySecret.keyID(of: secret) else { return nil }
        let presented = KeySecret.hash(secret)
        return try await perform("key lookup") {
            var found: KeyInfo?
            for try await row in try await client.query("SELECT \(unescaped: Self.keyColumns) FROM apiKey WHERE id = \(id)", logger: logger) {
                let (info, hash) = try Self.keyInfo(row)
                if KeySecret.constantTimeEqual(hash, presented) { found = info }
            }
            return found
        }
    }

    // MARK: Budgets

    static let budgetColumns = "scope, subject, period, limitUSD::text, spentUSD::text, reservedUSD::text, softPercent, periodStartMs"

    static func money(_ text: String, _ field: String, table: String) throws -> Money {
        do { return try Money(exactly: text) } catch { throw LedgerError.corrupt(table: table, field: field, value: text) }
    }

    static func budgetStatus(_ row: PostgresRow) throws -> BudgetStatus {
        let (scopeText, subject, periodText, limit, spent, reserved, soft, start) = try row.decode((String, String, String, String, String, String, Int, Int64).self)
        guard let scope = BudgetScope(rawValue: scopeText) else { throw LedgerError.corrupt(table: "budget", field: "scope", value: scopeText) }
        guard let period = BudgetPeriod(rawValue: periodText) else { throw LedgerError.corrupt(table: "budget", field: "period", value: periodText) }
        return BudgetStatus(
            scope: scope, subject: subject, period: period, limit: try money(limit, "limitUSD", table: "budget"),
            spent: try money(spent, "spentUSD", table: "budget"), reserved: try money(reserved, "reservedUSD", table: "budget"),
            softPercent: soft, periodStart: start
        )
    }

    static func upsertBudget(_ connection: PostgresConnection, _ budget: BudgetSetting, now: Date, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO budget (scope, subject, period, limitUSD, spentUSD, reservedUSD, softPercent, periodStartMs)
            VALUES (\(budget.scope.rawValue), \(budget.subject), \(budget.period.rawValue), \(budget.limit.exactString)::numeric, 0, 0, \(budget.softPercent), \(budget.period.start(containing: now)))
            ON CONFLICT (scope, subject) DO UPDATE SET period = excluded.period, limitUSD = excluded.limitUSD, softPercent = excluded.softPercent
            """,
            logger: logger
        )
    }

    static func saveBudget(_ connection: PostgresConnection, _ status: BudgetStatus, logger: Logger) async throws {
        try await connection.query(
            """
            UPDATE budget SET spentUSD = \(status.spent.exactString)::numeric, reservedUSD = \(status.reserved.exactString)::numeric,
            periodStartMs = \(status.periodStart) WHERE scope = \(status.scope.rawValue) AND subject = \(status.subject)
            """,
            logger: logger
        )
    }

    /// Locks and loads the budgets among `subjects`, in `scope, subject` order.
    static func lockBudgets(_ connection: PostgresConnection, _ subjects: [(BudgetScope, String)], logger: Logger) async throws -> [BudgetStatus] {
        guard !subjects.isEmpty else { return [] }
        let scopes = subjects.map(\.0.rawValue), names = subjects.map(\.1)
        var result: [BudgetStatus] = []
        let rows = try await connection.query(
            """
            SELECT \(unescaped: budgetColumns) FROM budget
            WHERE (scope, subject) IN (SELECT * FROM unnest(\(scopes)::text[], \(names)::text[]))
            ORDER BY scope, subject FOR UPDATE
            """,
            logger: logger
        )
        for try await row in rows { result.append(try budgetStatus(row)) }
        return result
    }

    public func setBudget(_ budget: BudgetSetting, now: Date) async throws {
        guard budget.limit >= .zero else { throw LedgerError.invalid("A budget cannot be negative (got \(budget.limit.exactString) USD).") }
        try await transaction("budget update") { connection in try await Self.upsertBudget(connection, budget, now: now, logger: logger) }
    }

    public func budgets(scope: BudgetScope?, subject: String?, now: Date) async throws -> [BudgetStatus] {
        try await perform("budget listing") {
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.budgetColumns) FROM budget
                WHERE (\(scope?.rawValue)::text IS NULL OR scope = \(scope?.rawValue)) AND (\(subject)::text IS NULL OR subject = \(subject))
                ORDER BY scope, subject
                """,
                logger: logger
            )
            var result: [BudgetStatus] = []
            for try await row in rows { result.append(try Self.budgetStatus(row).rolled(to: now)) }
            return result
        }
    }

    // MARK: Reservations

    public func reserve(_ request: ReservationRequest) async throws -> ReservationResult {
        let amount = StoredMoney.rounded(request.amount)
        let logger = self.logger
        return try await transaction("reservation") { connection in
            var held = try await Self.lockBudgets(connection, request.subjects, logger: logger).map { $0.rolled(to: request.at) }
            for budget in held where budget.spent + budget.reserved + amount > budget.limit {
                return ReservationResult.refused(budget, needed: amount)
            }
            for index in held.indices {
                held[index].reserved += amount
                try await Self.saveBudget(connection, held[index], logger: logger)
            }
            let heldText = Schema.encodeHeld(held.map { ($0.scope, $0.subject) })
            try await connection.query(
                """
                INSERT INTO reservation (id, keyID, userName, feature, model, endpoint, amountUSD, heldBudgets, createdAtMs)
                VALUES (\(request.id), \(request.keyID), \(request.user), \(request.feature), \(request.model), \(request.endpoint),
                \(amount.exactString)::numeric, \(heldText), \(request.at.unixMilliseconds))
                """,
                logger: logger
            )
            return ReservationResult.reserved(held: amount, budgets: held)
        }
    }

    public func settle(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        let logger = self.logger
        let insertSQL =
            "INSERT INTO request (\(Schema.requestColumns.joined(separator: ", "))) VALUES (\((1...Schema.requestColumns.count).map { "$\($0)" }.joined(separator: ", "))) ON CONFLICT (reservationID) DO NOTHING"
        try await transaction("ledger flush") { connection in
            // The batch's reservations in one statement, then every budget they hold locked at
            // once in (scope, subject) order, the order reservations lock them in, so two
            // instances settling and reserving never wait on each other in a cycle. Each budget
            // is written once, after the batch's settlements applied to it in order.
            let ids = records.compactMap(\.reservationID)
            var held: [String: (amount: Money, budgets: [(BudgetScope, String)])] = [:]
            if !ids.isEmpty {
                let rows = try await connection.query(
                    "DELETE FROM reservation WHERE id = ANY(\(ids)::text[]) RETURNING id, amountUSD::text, heldBudgets", logger: logger)
                for try await (id, amountText, heldText) in rows.decode((String, String, String).self) {
                    held[id] = (try Self.money(amountText, "amountUSD", table: "reservation"), Schema.decodeHeld(heldText))
                }
            }
            var subjects: [(BudgetScope, String)] = []
            var seen = Set<String>()
            for entry in held.values {
                for (scope, subject) in entry.budgets where seen.insert(BatchBudgets.key(scope, subject)).inserted { subjects.append((scope, subject)) }
            }
            var locked: [String: BudgetStatus] = [:]
            for budget in try await Self.lockBudgets(connection, subjects, logger: logger) {
                locked[BatchBudgets.key(budget.scope, budget.subject)] = budget
            }
            var budgets = BatchBudgets()
            for record in records {
                guard let reservationID = record.reservationID, let entry = held.removeValue(forKey: reservationID) else { continue }
                let cost = StoredMoney.rounded(record.cost)
                for (scope, subject) in entry.budgets {
                    budgets.update(scope, subject, load: { locked[BatchBudgets.key(scope, subject)] }) { $0.settled(held: entry.amount, cost: cost, at: record.time) }
                }
            }
            for budget in budgets.changed { try await Self.saveBudget(connection, budget, logger: logger) }
            for record in records {
                try await connection.query(PostgresQuery(unsafeSQL: insertSQL, binds: Self.bindings(record)), logger: logger)
            }
        }
    }

    static func bindings(_ record: RequestRecord) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: Schema.requestColumns.count)
        let cost = StoredMoney(record.cost), saving = StoredMoney(record.saving), u = record.usage
        func text(_ value: String?) { if let value { binds.append(value) } else { binds.appendNull() } }
        func int(_ value: Int64?) { if let value { binds.append(value) } else { binds.appendNull() } }
        text(record.reservationID)
        int(record.time.unixMilliseconds)
        text(record.keyID)
        text(record.user)
        text(record.feature)
        text(record.endpoint)
        text(record.modelRequested)
        text(record.modelServed)
        text(record.upstream)
        for count in [u.input, u.output, u.cachedInput, u.cacheWrite, u.cacheWrite1h, u.reasoning, u.audioInput, u.audioOutput] { int(Int64(count)) }
        for value in [cost.micros, cost.femtos, saving.micros, saving.femtos] { int(value) }
        int(record.cacheHit ? 1 : 0)
        int(Int64(record.status))
        text(record.errorCode)
        int(record.latencyMicros)
        int(record.upstreamLatencyMicros)
        int(record.estimated ? 1 : 0)
        int(record.stream ? 1 : 0)
        return binds
    }

    public func openReservations() async throws -> [OpenReservation] {
        try await perform("reservation listing") {
            var result: [OpenReservation] = []
            let rows = try await client.query(
                "SELECT id, keyID, userName, feature, model, endpoint, amountUSD::text, createdAtMs FROM reservation ORDER BY createdAtMs, id", logger: logger)
            for try await row in rows {
                let (id, key, user, feature, model, endpoint, amount, at) = try row.decode((String, String?, String?, String?, String, String, String, Int64).self)
                result.append(
                    OpenReservation(
                        id: id, keyID: key, user: user, feature: feature, model: model, endpoint: endpoint,
                        amount: try Self.money(amount, "amountUSD", table: "reservation"), at: Date(unixMilliseconds: at)))
            }
            return result
        }
    }

    public func recoverReservations(openedBefore cutoff: Date) async throws -> Int {
        let stale = try await openReservations().filter { $0.at < cutoff }
        try await settle(stale.map(RequestRecord.recovered))
        return stale.count
    }

    // MARK: Reading the ledger

    public func records(afterID: Int64, limit: Int) async throws -> [RequestRecord] {
        try await perform("ledger read") {
            var result: [RequestRecord] = []
            let rows = try await client.query(
                "SELECT id, \(unescaped: Schema.requestColumns.joined(separator: ", ")) FROM request WHERE id > \(afterID) ORDER BY id LIMIT \(limit)", logger: logger)
            for try await row in rows {
                let r = row.makeRandomAccess()
                func s(_ name: String) throws -> String? { try r[name.lowercased()].decode(String?.self) }
                func i(_ name: String) throws -> Int64? { try r[name.lowercased()].decode(Int64?.self) }
                func n(_ name: String) throws -> Int { Int(try i(name) ?? 0) }
                result.append(
                    RequestRecord(
                        id: try i("id"), reservationID: try s("reservationID"), time: Date(unixMilliseconds: try i("timeMs") ?? 0),
                        keyID: try s("keyID"), user: try s("userName"), feature: try s("feature"), endpoint: try s("endpoint") ?? "",
                        modelRequested: try s("modelRequested") ?? "", modelServed: try s("modelServed"), upstream: try s("upstream"),
                        usage: Usage(
                            input: try n("inputTokens"), output: try n("outputTokens"), cachedInput: try n("cachedInputTokens"),
                            cacheWrite: try n("cacheWriteTokens"), cacheWrite1h: try n("cacheWrite1hTokens"), reasoning: try n("reasoningTokens"),
                            audioInput: try n("audioInputTokens"), audioOutput: try n("audioOutputTokens")
                        ),
                        cost: StoredMoney.money(micros: Int128(try i("costMicros") ?? 0), femtos: Int128(try i("costFemtos") ?? 0)),
                        saving: StoredMoney.money(micros: Int128(try i("savingMicros") ?? 0), femtos: Int128(try i("savingFemtos") ?? 0)),
                        cacheHit: try n("cacheHit") != 0, status: try n("status"), errorCode: try s("errorCode"),
                        latencyMicros: try i("latencyMicros") ?? 0, upstreamLatencyMicros: try i("upstreamLatencyMicros"),
                        estimated: try n("estimated") != 0, stream: try n("stream") != 0
                    ))
            }
            return result
        }
    }

    public func spend(by grouping: SpendGrouping, since: Date?) async throws -> [SpendRow] {
        try await perform("spend query") {
            // PostgreSQL's SUM of bigint is numeric: exact, never overflows; read it as text.
            let sql = SpendSQL.query(grouping, placeholder: "$1", asText: true)
            var binds = PostgresBindings()
            binds.append(since?.unixMilliseconds ?? Int64.min)
            var result: [SpendRow] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
                let r = row.makeRandomAccess()
                let group: String?
                if grouping == .day {
                    group = try r["grp"].decode(Int64?.self).map(String.utcDay)
                } else {
                    group = try r["grp"].decode(String?.self)
                }
                func big(_ name: String) throws -> Int128 { Int128(try r[name.lowercased()].decode(String?.self) ?? "0") ?? 0 }
                result.append(
                    SpendSQL.row(
                        group: group, requests: Int(try big("requests")), hits: Int(try big("hits")),
                        costMicros: try big("costMicros"), costFemtos: try big("costFemtos"),
                        savingMicros: try big("savingMicros"), savingFemtos: try big("savingFemtos"),
                        input: Int(try big("inputTokens")), output: Int(try big("outputTokens"))
                    ))
            }
            return result
        }
    }

    public func close() async throws {}

    /// Creates a database on the server of `url` (used for scratch databases in tests and first-time setup).
    public static func createDatabase(named name: String, host: String, port: Int, user: String, password: String?, maintenanceDatabase: String, logger: Logger) async throws {
        let ledger = PostgresLedger(host: host, port: port, user: user, password: password, database: maintenanceDatabase, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await ledger.run() }
            defer { group.cancelAll() }
            _ = try await ledger.perform("database creation") {
                try await ledger.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name.replacingOccurrences(of: "\"", with: ""))\""), logger: logger)
            }
        }
    }
}
