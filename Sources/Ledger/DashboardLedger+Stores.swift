import GRDB
import PostgresNIO

extension SQLiteLedger: DashboardLedger {
    /// Runs a dashboard query on a reader connection (WAL: it never blocks the gateway's writes).
    public func runDashboardQuery(_ query: DashboardQuery) async throws -> [[String?]] {
        try await readDashboard(query) { rows in
            var result: [[String?]] = []
            while let row = try rows.next() { result.append((0..<row.count).map { row[$0] as String? }) }
            return result
        }
    }

    public func runDashboardIntegerQuery(_ query: DashboardQuery, width: Int) async throws -> DashboardIntegerRows {
        try await readDashboard(query) { rows in
            var result = DashboardIntegerRows(width: width)
            while let row = try rows.next() {
                guard row.count == width + 1 else { throw LedgerError.corrupt(table: "dashboard", field: "columns", value: "\(row.count)") }
                var integers: [Int64] = []
                integers.reserveCapacity(width)
                for column in 1...width {
                    // `as Int64` would stop the process on NULL.
                    guard let value = row[column] as Int64? else { throw LedgerError.corrupt(table: "dashboard", field: "column \(column)", value: "NULL") }
                    integers.append(value)
                }
                result.append(key: row[0], integers: integers)
            }
            return result
        }
    }

    /// Runs a query on a reader connection and hands its rows to `read`.
    private func readDashboard<T: Sendable>(_ query: DashboardQuery, _ read: @escaping @Sendable (RowCursor) throws -> T) async throws -> T {
        let arguments = StatementArguments(query.arguments.map { argument -> (any DatabaseValueConvertible)? in
            switch argument {
            case .int(let value): value
            case .text(let value): value
            }
        })
        return try await self.read("dashboard query") { db in try read(try Row.fetchCursor(db, sql: query.sql, arguments: arguments)) }
    }
}

extension PostgresLedger: DashboardLedger {
    /// The dashboard's planner settings for one transaction, in one round trip: no JIT compilation
    /// (it costs more than these queries take), no parallel workers (the planner cannot see how few
    /// rows `id > (SELECT lastRequestID …)` selects, and starting workers costs more than the whole
    /// query), no memoize (it never hits on the per-user seeks, one per user, and only adds work).
    static let dashboardSettings: PostgresQuery = """
        SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true), set_config('enable_memoize', 'off', true)
        """

    /// Runs a dashboard query on a pooled connection, in a transaction with the dashboard's planner
    /// settings (``dashboardSettings``).
    public func runDashboardQuery(_ query: DashboardQuery) async throws -> [[String?]] {
        try await readDashboard(query, into: []) { result, row in
            var values: [String?] = []
            values.reserveCapacity(row.count)
            for cell in row { values.append(try cell.decode(String?.self)) }
            result.append(values)
        }
    }

    public func runDashboardIntegerQuery(_ query: DashboardQuery, width: Int) async throws -> DashboardIntegerRows {
        try await readDashboard(query, into: DashboardIntegerRows(width: width)) { result, row in
            guard row.count == width + 1 else { throw LedgerError.corrupt(table: "dashboard", field: "columns", value: "\(row.count)") }
            var cells = row.makeIterator()
            let key = try cells.next()?.decode(String?.self) ?? nil
            var integers: [Int64] = []
            integers.reserveCapacity(width)
            while let cell = cells.next() { integers.append(try cell.decode(Int64.self)) }
            result.append(key: key, integers: integers)
        }
    }

    /// Runs a query in a dashboard transaction, folding its rows into `initial` with `add`.
    private func readDashboard<T: Sendable>(_ query: DashboardQuery, into initial: T, _ add: @escaping @Sendable (inout T, PostgresRow) throws -> Void) async throws -> T {
        var binds = PostgresBindings(capacity: query.arguments.count)
        for argument in query.arguments {
            switch argument {
            case .int(let value): binds.append(value)
            case .text(let value): binds.append(value)
            }
        }
        let sql = query.postgresSQL
        let logger = self.logger
        return try await transaction("dashboard query") { connection in
            try await connection.query(PostgresLedger.dashboardSettings, logger: logger)
            var result = initial
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) { try add(&result, row) }
            return result
        }
    }
}

extension SQLiteLedger {
    /// Folds new request rows into the rollups; SQLite's single writer makes every id up to `MAX(id)` final.
    public func refreshDashboardRollups() async throws {
        while true {
            let ready = dashboardCache.rollupTablesReady
            let more = try await write("dashboard rollup") { db -> Bool in
                if !ready {
                    for sql in DashboardRollup.create { try db.execute(sql: sql) }
                }
                guard let last = try Int64.fetchOne(db, sql: "SELECT lastRequestID FROM dashboardFold WHERE id = 1") else {
                    for sql in DashboardRollup.reset { try db.execute(sql: sql) }
                    return true
                }
                if !ready { try db.execute(sql: DashboardRollup.backfillDays) }
                let top = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM request") ?? 0
                guard top > last else { return false }
                let upper = min(top, last + DashboardRollup.chunk)
                for statement in DashboardRollup.fold(lower: last, upper: upper) {
                    try db.execute(sql: statement.sql, arguments: StatementArguments(statement.arguments))
                }
                return upper < top
            }
            dashboardCache.rollupTablesReady = true
            if !more { return }
        }
    }
}

extension PostgresLedger {
    /// Folds new request rows into the rollups.
    ///
    /// `LOCK TABLE request IN SHARE MODE` waits for the transactions inserting request rows to end
    /// (and holds new ones for a moment), so every id up to the `MAX(id)` read under it is final: a
    /// row committed later with a smaller id cannot be skipped. An advisory lock serialises gateway instances.
    public func refreshDashboardRollups() async throws {
        let logger = self.logger
        let ready = dashboardCache.rollupTablesReady
        let (top, last): (Int64, Int64) = try await transaction("dashboard rollup") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(72420002)", logger: logger)
            if !ready {
                for sql in DashboardRollup.create { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
            }
            var last: Int64?
            for try await value in try await connection.query("SELECT lastRequestID FROM dashboardFold WHERE id = 1", logger: logger).decode(Int64.self) { last = value }
            if last == nil {
                for sql in DashboardRollup.reset { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
            }
            if !ready { try await connection.query(PostgresQuery(unsafeSQL: DashboardRollup.backfillDays), logger: logger) }
            try await connection.query("LOCK TABLE request IN SHARE MODE", logger: logger)
            var top: Int64 = 0
            for try await value in try await connection.query("SELECT COALESCE(MAX(id), 0) FROM request", logger: logger).decode(Int64.self) { top = value }
            return (top, last ?? 0)
        }
        dashboardCache.rollupTablesReady = true
        guard top > last else { return }
        while true {
            let more: Bool = try await transaction("dashboard rollup") { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(72420002)", logger: logger)
                var last: Int64 = 0
                for try await value in try await connection.query("SELECT lastRequestID FROM dashboardFold WHERE id = 1", logger: logger).decode(Int64.self) {
                    last = value
                }
                guard top > last else { return false }
                let upper = min(top, last + DashboardRollup.chunk)
                for statement in DashboardRollup.fold(lower: last, upper: upper, analyze: true) {
                    var binds = PostgresBindings(capacity: statement.arguments.count)
                    for argument in statement.arguments { binds.append(argument) }
                    let sql = DashboardQuery(sql: statement.sql, arguments: []).postgresSQL
                    try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                }
                return upper < top
            }
            if !more { return }
        }
    }
}
