import CostModel
public import Foundation
import GRDB
import Pricing
import TokenomicsCore

/// The ledger in one SQLite file (GRDB `DatabasePool`, WAL mode): the embedded default.
///
/// Writes are serialised by GRDB's single writer connection (GRDB 7 opens them as `IMMEDIATE` transactions),
/// so a reservation's check-and-hold is atomic within this process and across processes that share
/// the file (the CLI's `keys` and `budgets` commands while `serve` runs). `synchronous = NORMAL` in
/// WAL mode makes every committed transaction survive a killed process (not a power cut).
public final class SQLiteLedger: LedgerStore {
    let pool: DatabasePool
    public let path: String
    public var backend: String { "sqlite" }
    /// The dashboard's per-user sums of past day boundaries.
    public let dashboardCache = DashboardCumulativeCache()
    /// Checkpoints of the write-ahead log off the writer (``checkpointInBackground(every:)``).
    private let checkpointer = WALCheckpointer()
    /// With background checkpoints, the writer still checkpoints by itself past this many WAL
    /// pages (32 MiB of 4 KiB pages): the bound on the WAL if the background falls behind.
    static let fallbackCheckpointPages = 8192

    /// Opens (creating if needed) the ledger file at `path`. Call ``migrate()`` before use.
    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty, !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw LedgerError.badURL(
                "sqlite:\(path)", reason: "the directory '\(directory)' does not exist; create it first")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw LedgerError.storage(operation: "open of \(path)", reason: "\(error)")
        }
    }

    func write<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.storage(operation: operation, reason: "\(error)")
        }
    }

    /// Runs a short write transaction on the calling thread. GRDB's async `write` hops to its writer
    /// queue and back, two thread switches per call; the reservation on the request path is short
    /// enough to run where the request already is (waiting only while another write holds the lock).
    func writeHere<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.storage(operation: operation, reason: "\(error)")
        }
    }

    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.storage(operation: operation, reason: "\(error)")
        }
    }

    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        for (index, statements) in Schema.migrations(.sqlite).enumerated() {
            migrator.registerMigration("v\(index + 1)") { db in
                for sql in statements { try db.execute(sql: sql) }
            }
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw LedgerError.storage(operation: "migration", reason: "\(error)")
        }
    }

    // MARK: Keys

    public func createKey(_ key: NewKey, now: Date) async throws -> IssuedKey {
        let (id, secret) = KeySecret.generate()
        let info = KeyInfo(id: id, user: key.user, feature: key.feature, rpm: key.rpm, tpm: key.tpm, createdAt: Date(unixMilliseconds: now.unixMilliseconds))
        try await write("key creation") { db in
            try db.execute(sql: "INSERT INTO userAccount (name, createdAtMs) VALUES (?, ?) ON CONFLICT(name) DO NOTHING", arguments: [key.user, now.unixMilliseconds])
            try db.execute(
                sql: "INSERT INTO apiKey (id, secretHash, userName, feature, rpm, tpm, createdAtMs) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [id, KeySecret.hash(secret), key.user, key.feature, key.rpm, key.tpm, now.unixMilliseconds]
            )
            if let budget = key.budget {
                try Self.upsertBudget(db, BudgetSetting(scope: .key, subject: id, limit: budget, period: key.period), now: now)
            }
        }
        return IssuedKey(secret: secret, info: info)
    }

    static func keyInfo(_ row: Row) -> KeyInfo {
        let revoked: Int64? = row["revokedAtMs"]
        return KeyInfo(
            id: row["id"], user: row["userName"], feature: row["feature"], rpm: row["rpm"], tpm: row["tpm"],
            createdAt: Date(unixMilliseconds: row["createdAtMs"]), revokedAt: revoked.map(Date.init(unixMilliseconds:))
        )
    }

    public func keys(user: String?) async throws -> [KeyInfo] {
        try await read("key listing") { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM apiKey WHERE (? IS NULL OR userName = ?) ORDER BY createdAtMs DESC, id", arguments: [user, user])
            return rows.map(Self.keyInfo)
        }
    }

    public func revokeKey(id: String, now: Date) async throws -> Bool {
        try await write("key revocation") { db in
            try db.execute(sql: "UPDATE apiKey SET revokedAtMs = COALESCE(revokedAtMs, ?) WHERE id = ?", arguments: [now.unixMilliseconds, id])
            return db.changesCount > 0
        }
    }

    public func authenticate(secret: String) async throws -> KeyInfo? {
        guard let id = KeySecret.keyID(of: secret) else { return nil }
        let presented = KeySecret.hash(secret)
        return try await read("key lookup") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM apiKey WHERE id = ?", arguments: [id]) else { return nil }
            let stored: String = row["secretHash"]
            return KeySecret.constantTimeEqual(stored, presented) ? Self.keyInfo(row) : nil
        }
    }

    // MARK: Budgets

    static func money(_ row: Row, _ column: String, table: String) throws -> Money {
        try money(row[column] as String, column, table: table)
    }

    static func money(_ text: String, _ column: String, table: String) throws -> Money {
        do { return try Money(exactly: text) } catch { throw LedgerError.corrupt(table: table, field: column, value: text) }
    }

    /// The columns ``budgetStatus(_:)`` reads, in its order. Rows are read by position: GRDB's
    /// lookup by name compares lower-cased names, a cost the reservation paid eight times a budget.
    static let budgetColumns = "scope, subject, period, limitUSD, spentUSD, reservedUSD, softPercent, periodStartMs"

    static func budgetStatus(_ row: Row) throws -> BudgetStatus {
        let scopeText: String = row[0], periodText: String = row[2]
        guard let scope = BudgetScope(rawValue: scopeText) else { throw LedgerError.corrupt(table: "budget", field: "scope", value: scopeText) }
        guard let period = BudgetPeriod(rawValue: periodText) else { throw LedgerError.corrupt(table: "budget", field: "period", value: periodText) }
        return BudgetStatus(
            scope: scope, subject: row[1], period: period,
            limit: try money(row[3] as String, "limitUSD", table: "budget"), spent: try money(row[4] as String, "spentUSD", table: "budget"),
            reserved: try money(row[5] as String, "reservedUSD", table: "budget"), softPercent: row[6], periodStart: row[7]
        )
    }

    static func upsertBudget(_ db: Database, _ budget: BudgetSetting, now: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO budget (scope, subject, period, limitUSD, spentUSD, reservedUSD, softPercent, periodStartMs)
                VALUES (?, ?, ?, ?, '0', '0', ?, ?)
                ON CONFLICT(scope, subject) DO UPDATE SET period = excluded.period, limitUSD = excluded.limitUSD, softPercent = excluded.softPercent
                """,
            arguments: [budget.scope.rawValue, budget.subject, budget.period.rawValue, budget.limit.exactString, budget.softPercent, budget.period.start(containing: now)]
        )
    }

    static func saveBudget(_ db: Database, _ status: BudgetStatus) throws {
        // Cached statements: the request path runs these for every call; preparing them anew
        // (parsing, GRDB's authorizer) cost more than running them.
        try db.cachedStatement(sql: "UPDATE budget SET spentUSD = ?, reservedUSD = ?, periodStartMs = ? WHERE scope = ? AND subject = ?")
            .execute(arguments: [status.spent.exactString, status.reserved.exactString, status.periodStart, status.scope.rawValue, status.subject])
    }

    static func loadBudget(_ db: Database, _ scope: BudgetScope, _ subject: String) throws -> BudgetStatus? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(budgetColumns) FROM budget WHERE scope = ? AND subject = ?"), arguments: [scope.rawValue, subject]).map(budgetStatus)
    }

    public func setBudget(_ budget: BudgetSetting, now: Date) async throws {
        guard budget.limit >= .zero else { throw LedgerError.invalid("A budget cannot be negative (got \(budget.limit.exactString) USD).") }
        try await write("budget update") { db in try Self.upsertBudget(db, budget, now: now) }
    }

    public func budgets(scope: BudgetScope?, subject: String?, now: Date) async throws -> [BudgetStatus] {
        try await read("budget listing") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.budgetColumns) FROM budget WHERE (? IS NULL OR scope = ?) AND (? IS NULL OR subject = ?) ORDER BY scope, subject",
                arguments: [scope?.rawValue, scope?.rawValue, subject, subject]
            ).map { try Self.budgetStatus($0).rolled(to: now) }
        }
    }

    // MARK: Reservations

    public func reserve(_ request: ReservationRequest) async throws -> ReservationResult {
        let amount = StoredMoney.rounded(request.amount)
        return try writeHere("reservation") { db in
            var held: [BudgetStatus] = []
            for (scope, subject) in request.subjects {
                guard let budget = try Self.loadBudget(db, scope, subject)?.rolled(to: request.at) else { continue }
                if amount > budget.remaining || budget.spent + budget.reserved + amount > budget.limit {
                    return .refused(budget, needed: amount)
                }
                held.append(budget)
            }
            for index in held.indices {
                held[index].reserved += amount
                try Self.saveBudget(db, held[index])
            }
            try db.cachedStatement(
                sql: "INSERT INTO reservation (id, keyID, userName, feature, model, endpoint, amountUSD, heldBudgets, createdAtMs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ).execute(
                arguments: [
                    request.id, request.keyID, request.user, request.feature, request.model, request.endpoint, amount.exactString,
                    Schema.encodeHeld(held.map { ($0.scope, $0.subject) }), request.at.unixMilliseconds,
                ]
            )
            return .reserved(held: amount, budgets: held)
        }
    }

    public func settle(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        try await write("ledger flush") { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO request (\(Schema.requestColumns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: Schema.requestColumns.count).joined(separator: ", "))) ON CONFLICT(reservationID) DO NOTHING"
            )
            // Each budget is read once and written once per batch, however many of its requests
            // settle in it: the settlements apply in order in memory, as they would row by row.
            var budgets = BatchBudgets()
            for record in records {
                if let reservationID = record.reservationID,
                    let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT amountUSD, heldBudgets FROM reservation WHERE id = ?"), arguments: [reservationID])
                {
                    let amount = try Self.money(row[0] as String, "amountUSD", table: "reservation")
                    let cost = StoredMoney.rounded(record.cost)
                    for (scope, subject) in Schema.decodeHeld(row[1]) {
                        try budgets.update(scope, subject, load: { try Self.loadBudget(db, scope, subject) }) { $0.settled(held: amount, cost: cost, at: record.time) }
                    }
                    try db.cachedStatement(sql: "DELETE FROM reservation WHERE id = ?").execute(arguments: [reservationID])
                }
                try insert.execute(arguments: StatementArguments(Self.values(record)))
            }
            for budget in budgets.changed { try Self.saveBudget(db, budget) }
        }
    }

    static func values(_ record: RequestRecord) -> [(any DatabaseValueConvertible)?] {
        let cost = StoredMoney(record.cost), saving = StoredMoney(record.saving), u = record.usage
        return [
            record.reservationID, record.time.unixMilliseconds, record.keyID, record.user, record.feature, record.endpoint,
            record.modelRequested, record.modelServed, record.upstream,
            u.input, u.output, u.cachedInput, u.cacheWrite, u.cacheWrite1h, u.reasoning, u.audioInput, u.audioOutput,
            cost.micros, cost.femtos, saving.micros, saving.femtos,
            record.cacheHit ? 1 : 0, record.status, record.errorCode, record.latencyMicros, record.upstreamLatencyMicros,
            record.estimated ? 1 : 0, record.stream ? 1 : 0,
        ]
    }

    static func openReservation(_ row: Row) throws -> OpenReservation {
        OpenReservation(
            id: row["id"], keyID: row["keyID"], user: row["userName"], feature: row["feature"], model: row["model"], endpoint: row["endpoint"],
            amount: try money(row, "amountUSD", table: "reservation"), at: Date(unixMilliseconds: row["createdAtMs"])
        )
    }

    public func openReservations() async throws -> [OpenReservation] {
        try await read("reservation listing") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reservation ORDER BY createdAtMs, id").map(Self.openReservation)
        }
    }

    public func recoverReservations(openedBefore cutoff: Date) async throws -> Int {
        let stale = try await openReservations().filter { $0.at < cutoff }
        try await settle(stale.map(RequestRecord.recovered))
        return stale.count
    }

    // MARK: Reading the ledger

    static func record(_ row: Row) -> RequestRecord {
        RequestRecord(
            id: row["id"], reservationID: row["reservationID"], time: Date(unixMilliseconds: row["timeMs"]), keyID: row["keyID"],
            user: row["userName"], feature: row["feature"], endpoint: row["endpoint"], modelRequested: row["modelRequested"],
            modelServed: row["modelServed"], upstream: row["upstream"],
            usage: Usage(
                input: row["inputTokens"], output: row["outputTokens"], cachedInput: row["cachedInputTokens"], cacheWrite: row["cacheWriteTokens"],
                cacheWrite1h: row["cacheWrite1hTokens"], reasoning: row["reasoningTokens"], audioInput: row["audioInputTokens"],
                audioOutput: row["audioOutputTokens"]
            ),
            cost: StoredMoney.money(micros: Int128(row["costMicros"] as Int64), femtos: Int128(row["costFemtos"] as Int64)),
            saving: StoredMoney.money(micros: Int128(row["savingMicros"] as Int64), femtos: Int128(row["savingFemtos"] as Int64)),
            cacheHit: (row["cacheHit"] as Int64) != 0, status: row["status"], errorCode: row["errorCode"], latencyMicros: row["latencyMicros"],
            upstreamLatencyMicros: row["upstreamLatencyMicros"], estimated: (row["estimated"] as Int64) != 0, stream: (row["stream"] as Int64) != 0
        )
    }

    public func records(afterID: Int64, limit: Int) async throws -> [RequestRecord] {
        try await read("ledger read") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM request WHERE id > ? ORDER BY id LIMIT ?", arguments: [afterID, limit]).map(Self.record)
        }
    }

    public func spend(by grouping: SpendGrouping, since: Date?) async throws -> [SpendRow] {
        try await read("spend query") { db in
            try Row.fetchAll(db, sql: SpendSQL.query(grouping, placeholder: "?"), arguments: [since?.unixMilliseconds ?? Int64.min]).map { row in
                // SQLite's SUM of integers is exact up to 2⁶³; see StoredMoney for why these cannot reach it.
                SpendSQL.row(
                    group: grouping == .day ? (row["grp"] as Int64?).map(String.utcDay) : row["grp"], requests: row["requests"], hits: row["hits"],
                    costMicros: Int128(row["costMicros"] as Int64), costFemtos: Int128(row["costFemtos"] as Int64),
                    savingMicros: Int128(row["savingMicros"] as Int64), savingFemtos: Int128(row["savingFemtos"] as Int64),
                    input: row["inputTokens"], output: row["outputTokens"]
                )
            }
        }
    }

    /// Moves the checkpoints of the write-ahead log off the writer, for a long-running writer such
    /// as `serve`: a connection of its own checkpoints every `interval` (``WALCheckpointer``), and
    /// the writer's automatic checkpoint (by default at 1,000 pages, inside whichever commit
    /// crosses it, so inside a request) moves to ``fallbackCheckpointPages``. One-shot commands
    /// leave checkpoints to SQLite.
    public func checkpointInBackground(every interval: Duration = .milliseconds(100)) throws {
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.fallbackCheckpointPages)")
            }
            try checkpointer.start(path: path, every: interval)
        } catch {
            throw LedgerError.storage(operation: "start of background checkpoints on \(path)", reason: "\(error)")
        }
    }

    public func close() async throws {
        do {
            try await checkpointer.stop()
            try pool.close()
        } catch {
            throw LedgerError.storage(operation: "close", reason: "\(error)")
        }
    }
}

/// The spend query, identical on both databases.
enum SpendSQL {
    /// The query; `asText` wraps each aggregate in `CAST(… AS text)` (PostgreSQL's sums are `numeric`).
    static func query(_ grouping: SpendGrouping, placeholder: String, asText: Bool = false) -> String {
        func agg(_ expression: String, _ name: String) -> String { asText ? "CAST(\(expression) AS text) AS \(name)" : "\(expression) AS \(name)" }
        return """
            SELECT \(grouping.column) AS grp, \(agg("COUNT(*)", "requests")), \(agg("SUM(cacheHit)", "hits")),
                   \(agg("SUM(costMicros)", "costMicros")), \(agg("SUM(costFemtos)", "costFemtos")),
                   \(agg("SUM(savingMicros)", "savingMicros")), \(agg("SUM(savingFemtos)", "savingFemtos")),
                   \(agg("SUM(inputTokens)", "inputTokens")), \(agg("SUM(outputTokens)", "outputTokens"))
            FROM request WHERE timeMs >= \(placeholder)
            GROUP BY \(grouping.column) ORDER BY \(grouping.column)
            """
    }

    static func row(group: String?, requests: Int, hits: Int, costMicros: Int128, costFemtos: Int128, savingMicros: Int128, savingFemtos: Int128, input: Int, output: Int) -> SpendRow {
        SpendRow(
            group: group ?? "", requests: requests, cacheHits: hits,
            cost: StoredMoney.money(micros: costMicros, femtos: costFemtos), saving: StoredMoney.money(micros: savingMicros, femtos: savingFemtos),
            inputTokens: input, outputTokens: output
        )
    }
}

extension RequestRecord {
    /// The row written for a reservation left open by a crashed process: billed at the full reserved amount.
    static func recovered(_ reservation: OpenReservation) -> RequestRecord {
        RequestRecord(
            reservationID: reservation.id, time: reservation.at, keyID: reservation.keyID, user: reservation.user, feature: reservation.feature,
            endpoint: reservation.endpoint, modelRequested: reservation.model, modelServed: reservation.model, cost: reservation.amount,
            status: 0, errorCode: "recovered_after_crash", estimated: true
        )
    }
}
