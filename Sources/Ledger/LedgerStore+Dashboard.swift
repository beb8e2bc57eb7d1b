import CostModel
public import Foundation
public import Pricing
public import TokenomicsCore

/// The dashboard's read-only aggregate queries over the ledger's `request` rows.
///
/// Every figure is computed in the database with `SUM`/`MAX … GROUP BY`: whole hours (or days, for
/// the per-user figures) come from the rollup tables ``DashboardRollup`` keeps, partial hours at a
/// range's edges from `request` through its `timeMs` index (or `userName, timeMs` and the others
/// when a filter names a user, feature or model). Money is summed
/// exactly from the split integer columns (see ``StoredMoney``): `SUM(costMicros)` and
/// `SUM(costFemtos)` come back as decimal text and are joined in `Int128`, never through `Double`.
///
/// The SQL is the same on SQLite and PostgreSQL; a store only runs it (``runDashboardQuery(_:)``).
///
/// ```swift
/// guard let ledger = ledger as? any DashboardLedger else { … }
/// let filter = DashboardFilter(from: monthStart, to: now)
/// let byModel = try await ledger.breakdown(filter, by: .model)
/// ```
public protocol DashboardLedger: LedgerStore {
    /// Runs one dashboard query and returns its rows, every column as text (nil for SQL NULL).
    func runDashboardQuery(_ query: DashboardQuery) async throws -> [[String?]]

    /// Runs a dashboard query whose first column is text (or NULL) and whose other `width` columns
    /// are 64-bit integers, reading the integers as they are (no text round trip: the per-user
    /// query returns a row per user).
    func runDashboardIntegerQuery(_ query: DashboardQuery, width: Int) async throws -> DashboardIntegerRows

    /// The per-user cumulative sums this store has read for past day boundaries (see ``DashboardCumulativeCache``).
    var dashboardCache: DashboardCumulativeCache { get }

    /// Creates the dashboard's rollup tables if needed and folds the request rows written since the
    /// last call into them (in chunks, each its own transaction). Call it before a page's queries.
    ///
    /// The first call on a large ledger reads every row once (tens of seconds per million rows, in
    /// chunks of 100,000 rows so the gateway's writes wait at most a few seconds); later calls read
    /// only new rows.
    func refreshDashboardRollups() async throws
}

/// A dashboard query: SQL text with positional arguments, built only by this module.
public struct DashboardQuery: Sendable, Hashable {
    /// One bound argument.
    public enum Argument: Sendable, Hashable {
        case int(Int64)
        case text(String)
    }

    /// The SQL with `?` placeholders (SQLite); ``postgresSQL`` numbers them `$1, $2, …`.
    public let sql: String
    public let arguments: [Argument]
    /// PostgreSQL's text where it differs from ``sql`` (same placeholders, same arguments).
    let postgres: String?

    init(sql: String, arguments: [Argument], postgres: String? = nil) {
        self.sql = sql
        self.arguments = arguments
        self.postgres = postgres
    }

    /// The SQL with PostgreSQL's numbered placeholders.
    public var postgresSQL: String {
        var out = ""
        var index = 0
        for character in postgres ?? sql {
            if character == "?" {
                index += 1
                out += "$\(index)"
            } else {
                out.append(character)
            }
        }
        return out
    }
}

/// SQL fragments shared by the dashboard's queries.
enum DashboardLedgerSQL {
    /// The rows written since the last fold (read in the same statement as the rollups, so exact).
    static var unfolded: String { "id > (SELECT lastRequestID FROM dashboardFold WHERE id = 1)" }
    /// The newest folded row's time.
    static var newestFolded: String { "(SELECT maxTimeMs FROM dashboardFold WHERE id = 1)" }

    /// Conditions on `request` rows for a filter's user, feature and model and `onlyErrors`,
    /// appending their arguments.
    ///
    /// - Parameters:
    ///   - user: include the filter's user (the per-user rollups are already per user).
    ///   - byID: the rows are read by id (those written since the fold): the conditions are
    ///     written so that no index can serve them, since a planner that cannot see how few rows
    ///     `id > (SELECT lastRequestID …)` selects would otherwise walk a whole feature's or model's rows.
    static func rowConditions(
        _ filter: DashboardFilter, user: Bool = true, onlyErrors: Bool = false, byID: Bool = false, _ arguments: inout [DashboardQuery.Argument]
    ) -> [String] {
        var conditions: [String] = []
        for (column, value) in [("userName", user ? filter.user : nil), ("feature", filter.feature), ("modelServed", filter.model)] {
            guard let value else { continue }
            conditions.append(byID ? "(\(column) || '') = ?" : "\(column) = ?")
            arguments.append(.text(value))
        }
        if onlyErrors { conditions.append(byID ? "(status + 0) >= 400" : "status >= 400") }
        return conditions
    }

    /// The `feature = ?` and `modelServed = ?` conditions of a filter (``rowConditions(_:user:onlyErrors:byID:_:)`` without the user).
    static func featureAndModel(_ filter: DashboardFilter, byID: Bool = false, _ arguments: inout [DashboardQuery.Argument]) -> [String] {
        rowConditions(filter, user: false, byID: byID, &arguments)
    }
}

/// The rows of ``DashboardLedger/runDashboardIntegerQuery(_:width:)``: a text key and `width`
/// integers per row, stored flat.
public struct DashboardIntegerRows: Sendable, Hashable {
    /// The first column of each row (nil for SQL NULL).
    public var keys: [String?] = []
    /// The integer columns, row after row.
    public var values: [Int64] = []
    /// Integer columns per row.
    public let width: Int

    public init(width: Int) { self.width = width }

    /// The number of rows.
    public var count: Int { keys.count }

    /// Integer column `column` of row `row`.
    public subscript(row: Int, column: Int) -> Int64 { values[row * width + column] }

    /// Appends a row; `integers` must hold `width` values.
    public mutating func append(key: String?, integers: some Sequence<Int64>) {
        keys.append(key)
        values.append(contentsOf: integers)
    }
}

/// Which rows a dashboard query covers: a half-open time range and optional user, feature and model.
public struct DashboardFilter: Sendable, Hashable {
    /// The first instant included.
    public var from: Date
    /// The first instant excluded.
    public var to: Date
    public var user: String?
    public var feature: String?
    /// The model that served the request (``RequestRecord/modelServed``).
    public var model: String?

    public init(from: Date, to: Date, user: String? = nil, feature: String? = nil, model: String? = nil) {
        self.from = from
        self.to = to
        self.user = user
        self.feature = feature
        self.model = model
    }

    /// The same filter over another time range.
    public func over(_ from: Date, _ to: Date) -> DashboardFilter {
        var copy = self
        copy.from = from
        copy.to = to
        return copy
    }
}

/// What ``DashboardLedger/breakdown(_:by:)`` groups by.
public enum DashboardDimension: String, Sendable, Hashable, CaseIterable {
    case user, feature, model, key, errorCode, endpoint

    var column: String {
        switch self {
        case .user: "userName"
        case .feature: "feature"
        case .model: "modelServed"
        case .key: "keyID"
        case .errorCode: "errorCode"
        case .endpoint: "endpoint"
        }
    }
}

/// The width of a bucket in ``DashboardLedger/series(_:bucket:stackBy:)``.
public enum DashboardBucket: String, Sendable, Hashable, CaseIterable {
    case hour, day

    /// The bucket's length in milliseconds.
    public var milliseconds: Int64 { self == .hour ? 3_600_000 : 86_400_000 }
}

/// Sums over a set of request rows.
public struct DashboardTotals: Sendable, Hashable {
    public var requests: Int = 0
    /// Requests answered from the gateway's result cache.
    public var cacheHits: Int = 0
    /// Requests answered with an HTTP status of 400 or more.
    public var errors: Int = 0
    /// Exact spend (the sum of the rows' femto-dollar-rounded costs).
    public var cost: Money = .zero
    /// Exact spend the result cache avoided.
    public var saving: Money = .zero
    /// Tokens by class (input includes cached input and cache writes; output includes reasoning).
    public var tokens: [TokenClass: Int] = [:]
    /// The newest row's time, if any row matched.
    public var lastSeen: Date?

    public init() {}

    /// Average cost per request (zero without requests).
    public var averageCost: Money { requests > 0 ? cost.divided(by: requests) : .zero }
    /// Share of requests served from the result cache, 0 … 1.
    public var cacheHitRate: Double { requests > 0 ? Double(cacheHits) / Double(requests) : 0 }
    /// Tokens of one class.
    public subscript(_ tokenClass: TokenClass) -> Int { tokens[tokenClass] ?? 0 }
}

/// One group of ``DashboardLedger/breakdown(_:by:)``.
public struct DashboardGroup: Sendable, Hashable {
    /// The group's value; nil when the column is NULL (no user, feature or model).
    public var key: String?
    public var totals: DashboardTotals
}

/// One stacked cell of ``DashboardLedger/series(_:bucket:stackBy:)``.
public struct DashboardSeriesPoint: Sendable, Hashable {
    /// Start of the bucket.
    public var bucket: Date
    /// The stack's value (model or feature); nil when NULL.
    public var stack: String?
    public var requests: Int
    public var cost: Money
}

/// Spend in a list of time ranges.
public struct DashboardPeriodSpend: Sendable, Hashable {
    public var from: Date
    public var to: Date
    public var cost: Money
    public var requests: Int
}

extension DashboardLedger {
    static var aggregateColumns: [String] {
        ["SUM(requests)", "SUM(hits)", "SUM(errors)"] + DashboardRollup.sums.map { "SUM(\($0))" } + ["MAX(lastMs)"]
    }

    static var tokenOrder: [TokenClass] { [.input, .output, .cachedInput, .cacheWrite, .cacheWrite1h, .reasoning, .audioInput, .audioOutput] }

    static func ranges(_ column: String, _ ranges: [(Int64, Int64)], _ arguments: inout [DashboardQuery.Argument]) -> String {
        "(" + ranges.map { range in
            arguments += [.int(range.0), .int(range.1)]
            return "(\(column) >= ? AND \(column) < ?)"
        }.joined(separator: " OR ") + ")"
    }

    /// `request` rows in a source's columns.
    static func rawRows(_ conditions: [String]) -> String {
        """
        SELECT timeMs AS t, COALESCE(userName, '') AS userName, COALESCE(feature, '') AS feature, COALESCE(modelServed, '') AS modelServed,
            COALESCE(errorCode, '') AS errorCode, COALESCE(keyID, '') AS keyID, endpoint, CASE WHEN status >= 400 THEN 1 ELSE 0 END AS failed,
            1 AS requests, cacheHit AS hits, CASE WHEN status >= 400 THEN 1 ELSE 0 END AS errors,
            \(DashboardRollup.sums.joined(separator: ", ")), timeMs AS lastMs
        FROM request WHERE \(conditions.joined(separator: " AND "))
        """
    }

    /// A subquery with the same columns whichever table it reads: `t` (time or bucket start), the
    /// grouping columns (NULL as ''), `failed`, `requests`, `hits`, `errors`, the sums and `lastMs`.
    ///
    /// `.hourly` reads whole hours from `dashboardHour` (which has no user: callers pass it only
    /// without a user filter), the rows written since its last fold within them, and the partial
    /// hours at the edges from `request`; `.daily` reads the whole days among those hours from
    /// `dashboardDay` instead (a `t` of the day's start: not for hourly series); `.raw` reads
    /// `request` only. A bucket holding an unaligned cut (another range's edge) is split finer.
    static func source(_ filter: DashboardFilter, kind: DashboardSourceKind, onlyErrors: Bool = false, cuts: [Int64] = []) -> (String, [DashboardQuery.Argument]) {
        let from = filter.from.unixMilliseconds, to = filter.to.unixMilliseconds
        var (rollup, raw) = kind == .raw ? ([], [(from, to)]) : DashboardRollup.partition(from: from, to: to, unit: DashboardRollup.hourMs, cuts: cuts)
        if rollup.isEmpty && raw.isEmpty { raw = [(from, to)] }
        // Whole days of the whole hours come from the day rollup (unless a cut falls inside them).
        var days: [(Int64, Int64)] = []
        if kind == .daily {
            var hours: [(Int64, Int64)] = []
            for range in rollup {
                let split = DashboardRollup.partition(from: range.0, to: range.1, unit: DashboardRollup.dayMs, cuts: cuts)
                days += split.rollup
                hours += split.raw
            }
            rollup = DashboardRollup.merge(hours)
        }
        var parts: [String] = []
        var arguments: [DashboardQuery.Argument] = []
        for (table, column, bucketRanges) in [("dashboardDay", "dayMs", days), ("dashboardHour", "hourMs", rollup)] where !bucketRanges.isEmpty {
            var conditions = [ranges(column, bucketRanges, &arguments)]
            conditions += DashboardLedgerSQL.featureAndModel(filter, &arguments)
            if onlyErrors { conditions.append("failed = 1") }
            parts.append(
                """
                SELECT \(column) AS t, '' AS userName, feature, modelServed, errorCode, '' AS keyID, '' AS endpoint, failed, requests, hits,
                    CASE WHEN failed = 1 THEN requests ELSE 0 END AS errors, \(DashboardRollup.sums.joined(separator: ", ")), lastMs
                FROM \(table) WHERE \(conditions.joined(separator: " AND "))
                """)
        }
        let folded = DashboardRollup.merge(days + rollup)
        if !folded.isEmpty {
            // `+timeMs`: the planner must read these few rows by id, not the range by time.
            let within = ranges("+timeMs", folded, &arguments)
            parts.append(rawRows([DashboardLedgerSQL.unfolded, within] + DashboardLedgerSQL.rowConditions(filter, onlyErrors: onlyErrors, byID: true, &arguments)))
        }
        if !raw.isEmpty {
            let within = ranges("timeMs", raw, &arguments)
            parts.append(rawRows([within] + DashboardLedgerSQL.rowConditions(filter, onlyErrors: onlyErrors, &arguments)))
        }
        return ("(" + parts.joined(separator: "\nUNION ALL\n") + ") AS s", arguments)
    }

    static func text(_ expression: String) -> String { "CAST(\(expression) AS TEXT)" }

    static func integer(_ text: String?) throws -> Int128 {
        guard let text else { return 0 }
        guard let value = Int128(text) else { throw LedgerError.corrupt(table: "request", field: "aggregate", value: text) }
        return value
    }

    /// NULL columns come back from the sources as ''.
    static func key(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }

    /// Reads the ``aggregateColumns`` starting at `offset`.
    static func totals(_ row: [String?], from offset: Int) throws -> DashboardTotals {
        func at(_ index: Int) throws -> Int128 { try integer(row[offset + index]) }
        var totals = DashboardTotals()
        totals.requests = Int(try at(0))
        totals.cacheHits = Int(try at(1))
        totals.errors = Int(try at(2))
        totals.cost = StoredMoney.money(micros: try at(3), femtos: try at(4))
        totals.saving = StoredMoney.money(micros: try at(5), femtos: try at(6))
        for (index, tokenClass) in tokenOrder.enumerated() { totals.tokens[tokenClass] = Int(try at(7 + index)) }
        if let last = row[offset + 15], let ms = Int64(last) { totals.lastSeen = Date(unixMilliseconds: ms) }
        return totals
    }

    /// Requests, tokens by class, spend, savings, errors and last time over the rows a filter selects.
    ///
    /// Call ``refreshDashboardRollups()`` first: whole hours are read from the rollup.
    public func totals(_ filter: DashboardFilter) async throws -> DashboardTotals {
        let (source, arguments) = Self.source(filter, kind: filter.user == nil ? .daily : .raw)
        let sql = "SELECT \(Self.aggregateColumns.map(Self.text).joined(separator: ", ")) FROM \(source)"
        let rows = try await runDashboardQuery(DashboardQuery(sql: sql, arguments: arguments))
        guard let row = rows.first else { return DashboardTotals() }
        return try Self.totals(row, from: 0)
    }

    /// The same sums per user, feature, model, key, error code or endpoint, costliest first.
    ///
    /// Requests without a user are left out of the breakdown by user, which (read from the
    /// cumulative per-user rollup unless the filter names a user, or both a feature and a model, or
    /// `onlyErrors` is set) carries requests, hits, errors, spend, savings and last time but no token counts.
    /// Call ``refreshDashboardRollups()`` first.
    ///
    /// - Parameters:
    ///   - onlyErrors: keep rows with an HTTP status of 400 or more (refusals and failures).
    ///   - limit: at most this many groups (all when nil).
    public func breakdown(_ filter: DashboardFilter, by dimension: DashboardDimension, onlyErrors: Bool = false, limit: Int? = nil) async throws -> [DashboardGroup] {
        let kind: DashboardSourceKind
        switch dimension {
        case .user: kind = .raw
        case .feature, .model, .errorCode: kind = filter.user == nil ? .daily : .raw
        case .key, .endpoint: kind = .raw
        }
        let column = dimension.column
        let groups: [DashboardGroup]
        if dimension == .user, !onlyErrors, let users = try await userGroups(filter) {
            groups = users
        } else {
            let (source, sourceArguments) = Self.source(filter, kind: kind, onlyErrors: onlyErrors)
            var arguments = sourceArguments
            var sql = "SELECT \(column), \(Self.aggregateColumns.map(Self.text).joined(separator: ", ")) FROM \(source)"
            if dimension == .user { sql += " WHERE userName <> ''" }
            sql += " GROUP BY \(column) ORDER BY SUM(costMicros) * 1000000000 + SUM(costFemtos) DESC, SUM(requests) DESC, \(column)"
            if let limit {
                sql += " LIMIT ?"
                arguments.append(.int(Int64(max(0, limit))))
            }
            groups = try await runDashboardQuery(DashboardQuery(sql: sql, arguments: arguments)).map { row in
                DashboardGroup(key: Self.key(row[0]), totals: try Self.totals(row, from: 1))
            }
        }
        // The database orders by an exact (PostgreSQL) or near-exact (SQLite) amount, or not at all; make it exact.
        let sorted = groups.sorted { a, b in
            if a.totals.cost != b.totals.cost { return a.totals.cost > b.totals.cost }
            if a.totals.requests != b.totals.requests { return a.totals.requests > b.totals.requests }
            return (a.key ?? "") < (b.key ?? "")
        }
        return limit.map { Array(sorted.prefix(max(0, $0))) } ?? sorted
    }

    /// Spend per hour or day, split by model or feature (a stacked series), oldest bucket first.
    ///
    /// Call ``refreshDashboardRollups()`` first.
    public func series(_ filter: DashboardFilter, bucket: DashboardBucket, stackBy dimension: DashboardDimension) async throws -> [DashboardSeriesPoint] {
        let hourly = filter.user == nil && [.feature, .model, .errorCode].contains(dimension)
        let (source, arguments) = Self.source(filter, kind: !hourly ? .raw : bucket == .day ? .daily : .hourly)
        let width = bucket.milliseconds
        let column = dimension.column
        let sql = """
            SELECT \(Self.text("(t / \(width)) * \(width)")), \(column), \(Self.text("SUM(requests)")), \(Self.text("SUM(costMicros)")), \(Self.text("SUM(costFemtos)"))
            FROM \(source) GROUP BY (t / \(width)), \(column) ORDER BY (t / \(width)), \(column)
            """
        return try await runDashboardQuery(DashboardQuery(sql: sql, arguments: arguments)).map { row in
            DashboardSeriesPoint(
                bucket: Date(unixMilliseconds: Int64(try Self.integer(row[0]))), stack: Self.key(row[1]), requests: Int(try Self.integer(row[2])),
                cost: StoredMoney.money(micros: try Self.integer(row[3]), femtos: try Self.integer(row[4])))
        }
    }

    /// Spend and requests in each of several time ranges (today, yesterday, this week, …), in one query.
    ///
    /// Call ``refreshDashboardRollups()`` first.
    public func spend(in ranges: [(from: Date, to: Date)], filter: DashboardFilter) async throws -> [DashboardPeriodSpend] {
        guard let low = ranges.map(\.from).min(), let high = ranges.map(\.to).max() else { return [] }
        var columns: [String] = []
        var arguments: [DashboardQuery.Argument] = []
        for range in ranges {
            let inRange = "t >= ? AND t < ?"
            columns.append(Self.text("SUM(CASE WHEN \(inRange) THEN costMicros ELSE 0 END)"))
            columns.append(Self.text("SUM(CASE WHEN \(inRange) THEN costFemtos ELSE 0 END)"))
            columns.append(Self.text("SUM(CASE WHEN \(inRange) THEN requests ELSE 0 END)"))
            for _ in 0..<3 { arguments += [.int(range.from.unixMilliseconds), .int(range.to.unixMilliseconds)] }
        }
        let cuts = ranges.flatMap { [$0.from.unixMilliseconds, $0.to.unixMilliseconds] }
        let (source, sourceArguments) = Self.source(filter.over(low, high), kind: filter.user == nil ? .daily : .raw, cuts: cuts)
        let sql = "SELECT \(columns.joined(separator: ", ")) FROM \(source)"
        let row = try await runDashboardQuery(DashboardQuery(sql: sql, arguments: arguments + sourceArguments)).first ?? []
        return try ranges.enumerated().map { index, range in
            func at(_ i: Int) throws -> Int128 { row.count > 3 * index + i ? try Self.integer(row[3 * index + i]) : 0 }
            return DashboardPeriodSpend(from: range.from, to: range.to, cost: StoredMoney.money(micros: try at(0), femtos: try at(1)), requests: Int(try at(2)))
        }
    }

    /// The newest request rows a filter selects (metadata only: the ledger never stores prompt text).
    public func recentRequests(_ filter: DashboardFilter, onlyErrors: Bool = false, limit: Int = 50) async throws -> [RequestRecord] {
        var arguments: [DashboardQuery.Argument] = [.int(filter.from.unixMilliseconds), .int(filter.to.unixMilliseconds)]
        let conditions = ["timeMs >= ?", "timeMs < ?"] + DashboardLedgerSQL.rowConditions(filter, onlyErrors: onlyErrors, &arguments)
        let columns = ["id", "timeMs", "keyID", "userName", "feature", "endpoint", "modelRequested", "modelServed", "status", "errorCode"]
            + ["costMicros", "costFemtos", "inputTokens", "outputTokens", "cachedInputTokens", "cacheHit", "latencyMicros"]
        // `request.` names the integer columns, not the text ones of the select list (PostgreSQL would sort those, without the index).
        func sql(_ table: String) -> String {
            "SELECT \(columns.map(Self.text).joined(separator: ", ")) FROM \(table) WHERE \(conditions.joined(separator: " AND ")) ORDER BY request.timeMs DESC, request.id DESC LIMIT \(max(0, limit))"
        }
        // Refusals: SQLite's planner would walk a model's or feature's rows, most of which succeeded;
        // the partial index of failed rows holds user, feature and model. PostgreSQL's statistics
        // choose it without being told.
        let query = DashboardQuery(sql: sql(onlyErrors ? "request INDEXED BY request_failed_timeMs" : "request"), arguments: arguments, postgres: sql("request"))
        return try await runDashboardQuery(query).map { row in
            func int(_ i: Int) throws -> Int { Int(try Self.integer(row[i])) }
            return RequestRecord(
                id: Int64(try Self.integer(row[0])), time: Date(unixMilliseconds: Int64(try Self.integer(row[1]))), keyID: row[2], user: row[3],
                feature: row[4], endpoint: row[5] ?? "", modelRequested: row[6] ?? "", modelServed: row[7],
                usage: .init(input: try int(12), output: try int(13), cachedInput: try int(14)),
                cost: StoredMoney.money(micros: try Self.integer(row[10]), femtos: try Self.integer(row[11])),
                cacheHit: try int(15) != 0, status: try int(8), errorCode: row[9], latencyMicros: Int64(try Self.integer(row[16])))
        }
    }
}

/// Which rollups a dashboard query may read whole buckets from: none (`request` only), hours, or
/// days and hours (for sums whose grouping does not need hours).
enum DashboardSourceKind { case raw, hourly, daily }
