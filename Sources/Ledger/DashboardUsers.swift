import Foundation
import Synchronization

/// Per-user spend over a period, for the dashboard's distribution and top users.
///
/// A user's folded spend over `[A, B)` (A and B UTC day boundaries) is `cum(B) − cum(A)`, where
/// `cum(X)` is the user's newest row in the cumulative rollup (``DashboardRollup``) of a day before
/// `X`: one index seek per user. For a period that ends now (every folded row older than its
/// end) the upper side is the user's running total (`dashboardUserTotal`), read in one pass.
///
/// `cum(X)` of a past day boundary no longer changes once the fold has passed `X`: later rows are
/// newer. So the seeks for a bound run once, and their result is kept in memory
/// (``DashboardCumulativeCache``) for as long as the fold's **late generation** (table
/// `dashboardLate`) is unchanged: the fold bumps it whenever it folds a row of a day earlier than
/// the newest day it had folded, the only way a `cum(X)` with `X` at or before that day can move.
/// Every figure stays exact; a page costs one pass over the users' totals plus the rows read from
/// `request` (the period's ragged edges and the rows written since the fold).
enum DashboardUsers {
    /// Integer columns of each row: the part (``Part``), ``DashboardRollup/userColumns`` and `lastMs`.
    static var width: Int { DashboardRollup.userColumns.count + 2 }

    /// What a row of a per-user query holds (its first integer column).
    enum Part: Int64 {
        /// The late generation and the newest folded time (key NULL).
        case header = 0
        /// A user's running total (`dashboardUserTotal`) or `cum(X)`.
        case rollup = 1
        /// A user's rows read from `request`, summed.
        case request = 2
    }

    /// The day boundaries of a filter and the rollup dimension it reads, or nil when the rollup
    /// cannot serve it (a user filter, both a feature and a model, or a range shorter than about a day).
    struct Plan: Sendable {
        /// The day boundary nearest `from`.
        var a: Int64
        /// The last day boundary at or before `to`.
        var b: Int64
        var from: Int64
        var to: Int64
        var dimension: String
        var subject: String

        init?(_ filter: DashboardFilter) {
            guard filter.user == nil, filter.feature == nil || filter.model == nil else { return nil }
            let day = DashboardRollup.dayMs
            from = filter.from.unixMilliseconds
            to = filter.to.unixMilliseconds
            let down = DashboardRollup.floorDiv(from, day) * day
            a = from - down <= day / 2 ? down : down + day
            b = DashboardRollup.floorDiv(to, day) * day
            guard to > from, a <= b else { return nil }
            dimension = filter.feature != nil ? "feature" : filter.model != nil ? "model" : ""
            subject = filter.feature ?? filter.model ?? ""
        }
    }

    /// The header row every per-user query starts with: key NULL, then the late generation and the
    /// newest folded time (the other columns zero).
    static var header: String {
        "SELECT CAST(NULL AS TEXT), \(Part.header.rawValue), (SELECT generation FROM dashboardLate WHERE id = 1), \(DashboardLedgerSQL.newestFolded)"
            + String(repeating: ", 0", count: width - 3)
    }

    /// The page's statement: the header; every user's running total when the period ends after the
    /// newest folded row; and, summed per user, the rows read from `request`: `[B, to)` otherwise,
    /// the rows written since the fold, and the rows between `from` and `A` (added or subtracted).
    static func pageQuery(_ plan: Plan, filter: DashboardFilter) -> DashboardQuery {
        let columns = DashboardRollup.userColumns
        var arguments: [DashboardQuery.Argument] = [.text(plan.dimension), .text(plan.subject), .int(plan.a), .int(plan.to)]
        let totals = "SELECT t.userName, \(Part.rollup.rawValue), \((columns + ["lastMs"]).map { "t.\($0)" }.joined(separator: ", ")) FROM dashboardUserTotal t"
            + " WHERE t.dimension = ? AND t.subject = ? AND t.lastMs >= ? AND \(DashboardLedgerSQL.newestFolded) < ?"
        var raw: [String] = []
        func rows(_ sign: Int, _ conditions: [String], byID: Bool = false) {
            let signed = ["1", "cacheHit", "CASE WHEN status >= 400 THEN 1 ELSE 0 END"] + DashboardRollup.userSums
            let filters = conditions + ["userName IS NOT NULL"] + DashboardLedgerSQL.featureAndModel(filter, byID: byID, &arguments)
            raw.append("SELECT userName, \(zip(signed, columns).map { "\(sign) * \($0) AS \($1)" }.joined(separator: ", ")), \(sign > 0 ? "timeMs" : "0") AS lastMs FROM request WHERE \(filters.joined(separator: " AND "))")
        }
        let newest = DashboardLedgerSQL.newestFolded
        arguments += [.int(plan.b), .int(plan.to), .int(plan.to)]
        rows(1, ["timeMs >= ?", "timeMs < ?", "\(newest) >= ?"])
        arguments += [.int(plan.a), .int(plan.to), .int(plan.to), .int(plan.b)]
        rows(1, [DashboardLedgerSQL.unfolded, "+timeMs >= ?", "+timeMs < CASE WHEN \(newest) < ? THEN ? ELSE ? END"], byID: true)
        if plan.a != plan.from {
            arguments += [.int(min(plan.a, plan.from)), .int(max(plan.a, plan.from))]
            rows(plan.a > plan.from ? 1 : -1, ["timeMs >= ?", "timeMs < ?"])
        }
        let sums = (columns.map { "CAST(SUM(\($0)) AS BIGINT)" } + ["MAX(lastMs)"]).joined(separator: ", ")
        let grouped = "SELECT userName, \(Part.request.rawValue), \(sums) FROM (\(raw.joined(separator: "\nUNION ALL\n"))) AS r GROUP BY userName"
        return DashboardQuery(sql: [header, totals, grouped].joined(separator: "\nUNION ALL\n"), arguments: arguments)
    }

    /// The header and `cum(bound)` of every user of a dimension and subject who has a folded row
    /// of a day before `bound`: one index seek per user (SQLite: a correlated `MAX`, with `CROSS
    /// JOIN` keeping the users as the outer loop; PostgreSQL: a `LATERAL` join).
    static func cumulativeQuery(dimension: String, subject: String, before bound: Int64) -> DashboardQuery {
        let columns = (DashboardRollup.userColumns + ["lastMs"])
        let match = "m.dimension = t.dimension AND m.subject = t.subject AND m.userName = t.userName AND m.dayMs < ?"
        let select = "SELECT t.userName, \(Part.rollup.rawValue), \(columns.map { "c.\($0)" }.joined(separator: ", ")) FROM dashboardUserTotal t"
        let sqlite = select
            + " CROSS JOIN dashboardUserCum c ON c.dimension = t.dimension AND c.subject = t.subject AND c.userName = t.userName"
            + " AND c.dayMs = (SELECT MAX(m.dayMs) FROM dashboardUserCum m WHERE \(match)) WHERE t.dimension = ? AND t.subject = ?"
        let postgres = select
            + " JOIN LATERAL (SELECT \(columns.joined(separator: ", ")) FROM dashboardUserCum m WHERE \(match) ORDER BY m.dayMs DESC LIMIT 1) c ON true"
            + " WHERE t.dimension = ? AND t.subject = ?"
        return DashboardQuery(
            sql: header + "\nUNION ALL\n" + sqlite, arguments: [.int(bound), .text(dimension), .text(subject)],
            postgres: header + "\nUNION ALL\n" + postgres)
    }

    /// The late generation and newest folded time of a per-user query's header row.
    static func header(of rows: DashboardIntegerRows) throws -> (generation: Int64, newestFolded: Int64) {
        guard let row = (0..<rows.count).first(where: { rows[$0, 0] == Part.header.rawValue }) else {
            throw LedgerError.corrupt(table: "dashboardLate", field: "generation", value: "missing")
        }
        return (rows[row, 1], rows[row, 2])
    }
}

/// `cum(X)` per user for recent bounds, each valid for one late generation (see ``DashboardUsers``).
///
/// Shared by the requests of one ledger store; a handful of bounds (one per period, filter and
/// day) at about 2.6 MB each at 20,000 users by their layout (80 bytes of integers, a name and an
/// index entry per user), bounded by ``capacity`` and ``maximumRows``.
public final class DashboardCumulativeCache: Sendable {
    struct Key: Hashable {
        var dimension: String
        var subject: String
        var bound: Int64
    }

    /// One bound's rows with an index by user.
    struct Entry: Sendable, Equatable {
        var generation: Int64
        var rows: DashboardIntegerRows
        var index: [String: Int]
        var used: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    private let tablesReady = Atomic<Bool>(false)
    private let newestFolded = Atomic<Int64>(.min)
    /// Bounds kept at most, and user rows kept at most over all bounds (about 130 bytes each by layout);
    /// the least recently used bound goes first.
    let capacity: Int
    let maximumRows: Int

    /// The newest folded request time the last per-user query saw (`Int64.min` before the first).
    var newestFoldedSeen: Int64 {
        get { newestFolded.load(ordering: .relaxed) }
        set { newestFolded.store(newValue, ordering: .relaxed) }
    }

    /// Whether this store has created the rollup tables (and filled `dashboardDay` from
    /// `dashboardHour` where needed), so a refresh can skip those statements.
    var rollupTablesReady: Bool {
        get { tablesReady.load(ordering: .acquiring) }
        set { tablesReady.store(newValue, ordering: .releasing) }
    }

    public init(capacity: Int = 32, maximumRows: Int = 1_000_000) {
        self.capacity = capacity
        self.maximumRows = maximumRows
    }

    func entry(_ key: Key, generation: Int64) -> Entry? {
        state.withLock { state in
            guard var entry = state.entries[key], entry.generation == generation else {
                state.entries[key] = nil
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.clock += 1
            entry.used = state.clock
            state.entries[key] = entry
            return entry
        }
    }

    func store(_ key: Key, generation: Int64, rows: DashboardIntegerRows) -> Entry {
        var index: [String: Int] = [:]
        index.reserveCapacity(rows.count)
        for (row, name) in rows.keys.enumerated() { if let name { index[name] = row } }
        return state.withLock { state in
            state.clock += 1
            let entry = Entry(generation: generation, rows: rows, index: index, used: state.clock)
            state.entries = state.entries.filter { $0.value.generation == generation }
            state.entries[key] = nil
            var rows = state.entries.values.reduce(0) { $0 + $1.rows.count }
            while !state.entries.isEmpty, state.entries.count >= capacity || rows + entry.rows.count > maximumRows,
                let oldest = state.entries.min(by: { $0.value.used < $1.value.used })
            {
                rows -= oldest.value.rows.count
                state.entries[oldest.key] = nil
            }
            state.entries[key] = entry
            return entry
        }
    }

    /// Whether sums for `key` are held, of any generation (no lookup is counted).
    func holds(_ key: Key) -> Bool { state.withLock { $0.entries[key] != nil } }

    /// Drops every entry (tests, and a store that rebuilt its rollups).
    public func removeAll() { state.withLock { $0.entries = [:] } }

    /// The number of bounds held.
    public var count: Int { state.withLock { $0.entries.count } }
    /// Reads served from memory, and reads that ran the seeks (a new bound, or a new late generation).
    public var lookups: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }
}

/// Adds up per-user rows by name: integer columns as `Int128`, `lastMs` as the maximum.
struct DashboardUserSums {
    private(set) var names: [String] = []
    private var sums: [Int128] = []
    private var last: [Int64] = []
    private var index: [String: Int] = [:]
    private let columns = DashboardRollup.userColumns.count

    init(capacity: Int) {
        names.reserveCapacity(capacity)
        sums.reserveCapacity(capacity * columns)
        last.reserveCapacity(capacity)
        index.reserveCapacity(capacity)
    }

    /// Adds `sign ×` row `row` of `rows` to user `name`; `lastMs` counts only when adding.
    mutating func add(_ name: String, _ rows: DashboardIntegerRows, row: Int, sign: Int128 = 1) {
        let slot: Int
        if let existing = index[name] {
            slot = existing
        } else {
            slot = names.count
            index[name] = slot
            names.append(name)
            sums.append(contentsOf: repeatElement(0, count: columns))
            last.append(0)
        }
        // Column 0 is the part.
        for column in 0..<columns { sums[slot * columns + column] += sign * Int128(rows[row, column + 1]) }
        if sign > 0 { last[slot] = max(last[slot], rows[row, columns + 1]) }
    }

    /// The users with at least one request, as dashboard groups.
    func groups() -> [DashboardGroup] {
        var groups: [DashboardGroup] = []
        groups.reserveCapacity(names.count)
        for (slot, name) in names.enumerated() {
            func at(_ column: Int) -> Int128 { sums[slot * columns + column] }
            guard at(0) > 0 else { continue }
            var totals = DashboardTotals()
            totals.requests = Int(at(0))
            totals.cacheHits = Int(at(1))
            totals.errors = Int(at(2))
            totals.cost = StoredMoney.money(micros: at(3), femtos: at(4))
            totals.saving = StoredMoney.money(micros: at(5), femtos: at(6))
            if last[slot] > 0 { totals.lastSeen = Date(unixMilliseconds: last[slot]) }
            groups.append(DashboardGroup(key: name, totals: totals))
        }
        return groups
    }
}

extension DashboardLedger {
    /// Per-user sums over a filter's range from the cumulative rollup (see ``DashboardUsers``), or
    /// nil when the rollup cannot serve the filter.
    func userGroups(_ filter: DashboardFilter) async throws -> [DashboardGroup]? {
        guard let plan = DashboardUsers.Plan(filter) else { return nil }
        let width = DashboardUsers.width
        let rollup = DashboardUsers.Part.rollup.rawValue, request = DashboardUsers.Part.request.rawValue
        // A fold of late rows between the page's statement and a seek statement makes their
        // generations differ: read again (such folds are rare; three tries are plenty).
        for attempt in 0..<3 {
            // No sums held for A at all (a new day boundary, a filter not seen yet): read them
            // beside the page's statement rather than after it.
            let lowerKey = DashboardCumulativeCache.Key(dimension: plan.dimension, subject: plan.subject, bound: plan.a)
            // Only when A is at or before the newest folded day last seen: past it, cum(A) is every
            // user's total and is never read (a quiet night keeps "today" there for hours).
            let seen = dashboardCache.newestFoldedSeen
            let early = attempt == 0 && seen != .min && plan.a <= DashboardRollup.floorDiv(seen, DashboardRollup.dayMs) * DashboardRollup.dayMs
                && !dashboardCache.holds(lowerKey)
            async let earlyRows: DashboardIntegerRows? = {
                guard early else { return nil }
                return try await self.runDashboardIntegerQuery(
                    DashboardUsers.cumulativeQuery(dimension: plan.dimension, subject: plan.subject, before: plan.a), width: width)
            }()
            let page = try await runDashboardIntegerQuery(DashboardUsers.pageQuery(plan, filter: filter), width: width)
            // A failed early read is read again below (and its error reported there).
            let earlyRead = (try? await earlyRows) ?? nil
            let (generation, newestFolded) = try DashboardUsers.header(of: page)
            dashboardCache.newestFoldedSeen = newestFolded
            let newestDay = DashboardRollup.floorDiv(newestFolded, DashboardRollup.dayMs) * DashboardRollup.dayMs
            /// `cum(bound)` at this generation; nil when the generation moved meanwhile.
            func cumulative(_ bound: Int64) async throws -> DashboardCumulativeCache.Entry? {
                let key = DashboardCumulativeCache.Key(dimension: plan.dimension, subject: plan.subject, bound: bound)
                if let entry = dashboardCache.entry(key, generation: generation) { return entry }
                let rows: DashboardIntegerRows
                if key == lowerKey, let read = earlyRead {
                    rows = read
                } else {
                    rows = try await runDashboardIntegerQuery(
                        DashboardUsers.cumulativeQuery(dimension: plan.dimension, subject: plan.subject, before: bound), width: width)
                }
                guard try DashboardUsers.header(of: rows).generation == generation else { return nil }
                return dashboardCache.store(key, generation: generation, rows: rows)
            }
            var sums = DashboardUserSums(capacity: page.count)
            // `cum(X)` is a user's total when no folded row is of day X or later: then it is not read.
            if newestFolded < plan.to {
                // The period ends after every folded row: total − cum(A) for the users active since A.
                if plan.a <= newestDay {
                    guard let lower = try await cumulative(plan.a) else { continue }
                    for row in 0..<page.count where page[row, 0] == rollup {
                        guard let name = page.keys[row] else { continue }
                        sums.add(name, page, row: row)
                        if let previous = lower.index[name] { sums.add(name, lower.rows, row: previous, sign: -1) }
                    }
                }
            } else {
                // cum(B) − cum(A) for the users with a folded row in [A, B) (B <= the newest folded day).
                guard let upper = try await cumulative(plan.b) else { continue }
                var lower: DashboardCumulativeCache.Entry?
                if plan.a <= newestDay {
                    guard let entry = try await cumulative(plan.a) else { continue }
                    lower = entry
                }
                for row in 0..<upper.rows.count where upper.rows[row, 0] == rollup {
                    guard let name = upper.rows.keys[row], upper.rows[row, width - 1] >= plan.a else { continue }
                    sums.add(name, upper.rows, row: row)
                    if let lower, let previous = lower.index[name] { sums.add(name, lower.rows, row: previous, sign: -1) }
                }
            }
            for row in 0..<page.count where page[row, 0] == request {
                if let name = page.keys[row] { sums.add(name, page, row: row) }
            }
            return sums.groups()
        }
        throw LedgerError.corrupt(table: "dashboardLate", field: "generation", value: "changed on every read; the rollups are being rebuilt")
    }
}
