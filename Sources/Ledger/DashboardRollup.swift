/// Rollup tables that keep the dashboard fast at millions of ledger rows.
///
/// - `dashboardHour` sums request rows per UTC hour, feature, model, error code and failure flag;
///   `dashboardDay` the same per UTC day, so long periods read a few rows per day instead of per hour.
/// - `dashboardUserCum` holds **cumulative** per-user sums: the row for (user, day) sums every
///   folded request of that user up to the end of that UTC day, so the user's spend over any run of
///   whole days is the difference of two rows, found with two index seeks, whatever the period's
///   length. It keeps rows for each user on their own (`dimension` ''), per user and feature
///   (`'feature'`) and per user and serving model (`'model'`), so a feature or model filter is as cheap.
///   Rows exist only for days on which the user made a request.
/// - `dashboardUserTotal` holds each user's sums over every folded row (the newest cumulative row).
///
/// - `dashboardLate` holds the **late generation**, bumped when a fold meets a row of a day before
///   the newest day folded so far (see ``DashboardUsers``).
///
/// All are folded forward incrementally from the `request` table by row id
/// (``DashboardLedger/refreshDashboardRollups()``), so the gateway's write path is untouched.
/// `dashboardFold` records the last folded id and the newest folded time: queries add the rows
/// written after the last fold (`id > lastRequestID`, read in the same statement) and read the
/// partial buckets at a range's edges from `request` itself, through the same SQL on SQLite and
/// PostgreSQL. Sums are exact integers (money as ``StoredMoney`` micro- and femto-dollar columns).
///
/// NULL feature, model and error code are stored as the empty string in `dashboardHour`; requests
/// without a user, feature or model are not in the per-user tables under that dimension.
enum DashboardRollup {
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 86_400_000
    /// Request ids folded per transaction, so a first catch-up never holds the write lock for long.
    static let chunk: Int64 = 100_000

    static let sums = [
        "costMicros", "costFemtos", "savingMicros", "savingFemtos",
        "inputTokens", "outputTokens", "cachedInputTokens", "cacheWriteTokens", "cacheWrite1hTokens", "reasoningTokens", "audioInputTokens", "audioOutputTokens",
    ]
    static let userSums = ["costMicros", "costFemtos", "savingMicros", "savingFemtos"]
    /// The summed columns of the per-user tables, in order.
    static let userColumns = ["requests", "hits", "errors"] + userSums

    /// The per-user dimensions: '' (the user alone) and the request column a filter can name.
    static let userDimensions: [(name: String, column: String?)] = [("", nil), ("feature", "feature"), ("model", "modelServed")]

    static var userColumnDefinitions: String { (userColumns + ["lastMs"]).map { "\($0) BIGINT NOT NULL" }.joined(separator: ", ") }

    /// Creates the tables (safe to run on every refresh, on both databases).
    static let create = [
        "CREATE TABLE IF NOT EXISTS dashboardFold (id INTEGER PRIMARY KEY, lastRequestID BIGINT NOT NULL, maxTimeMs BIGINT NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS dashboardHour (
            hourMs BIGINT NOT NULL, feature TEXT NOT NULL, modelServed TEXT NOT NULL, errorCode TEXT NOT NULL, failed INTEGER NOT NULL,
            requests BIGINT NOT NULL, hits BIGINT NOT NULL, \(sums.map { "\($0) BIGINT NOT NULL" }.joined(separator: ", ")), lastMs BIGINT NOT NULL,
            PRIMARY KEY (hourMs, feature, modelServed, errorCode, failed))
        """,
        """
        CREATE TABLE IF NOT EXISTS dashboardDay (
            dayMs BIGINT NOT NULL, feature TEXT NOT NULL, modelServed TEXT NOT NULL, errorCode TEXT NOT NULL, failed INTEGER NOT NULL,
            requests BIGINT NOT NULL, hits BIGINT NOT NULL, \(sums.map { "\($0) BIGINT NOT NULL" }.joined(separator: ", ")), lastMs BIGINT NOT NULL,
            PRIMARY KEY (dayMs, feature, modelServed, errorCode, failed))
        """,
        """
        CREATE TABLE IF NOT EXISTS dashboardUserCum (
            dimension TEXT NOT NULL, subject TEXT NOT NULL, userName TEXT NOT NULL, dayMs BIGINT NOT NULL, \(userColumnDefinitions),
            PRIMARY KEY (dimension, subject, userName, dayMs))
        """,
        """
        CREATE TABLE IF NOT EXISTS dashboardUserTotal (
            dimension TEXT NOT NULL, subject TEXT NOT NULL, userName TEXT NOT NULL, \(userColumnDefinitions),
            PRIMARY KEY (dimension, subject, userName))
        """,
        "CREATE TABLE IF NOT EXISTS dashboardLate (id INTEGER PRIMARY KEY, generation BIGINT NOT NULL)",
        "INSERT INTO dashboardLate (id, generation) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM dashboardLate)",
        """
        CREATE TABLE IF NOT EXISTS dashboardFoldDelta (
            dimension TEXT NOT NULL, subject TEXT NOT NULL, userName TEXT NOT NULL, dayMs BIGINT NOT NULL, \(userColumnDefinitions),
            late INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (dimension, subject, userName, dayMs))
        """,
    ]

    /// Run when `dashboardFold` has no row yet: drops the rollups of earlier versions and starts from id 0.
    static let reset = [
        "DROP TABLE IF EXISTS dashboardUserDay",
        "DROP TABLE IF EXISTS dashboardRollupState",
        "DELETE FROM dashboardHour",
        "DELETE FROM dashboardDay",
        "DELETE FROM dashboardUserCum",
        "DELETE FROM dashboardUserTotal",
        "INSERT INTO dashboardFold (id, lastRequestID, maxTimeMs) VALUES (1, 0, 0)",
        "UPDATE dashboardLate SET generation = generation + 1 WHERE id = 1",
    ]

    static func later(_ table: String, _ other: String = "excluded") -> String {
        "lastMs = CASE WHEN \(other).lastMs > \(table).lastMs THEN \(other).lastMs ELSE \(table).lastMs END"
    }

    static let key = "dimension, subject, userName"

    /// The statements that fold request rows with `lower < id <= upper` into the rollups, with their arguments.
    ///
    /// - Parameter analyze: refresh the planner's statistics of the chunk's sums before joining from
    ///   them (PostgreSQL; SQLite's `CROSS JOIN` fixes the join order instead).
    /// The time-bucket rollups: the table and the length of its buckets.
    static let buckets: [(table: String, column: String, unit: Int64)] = [("dashboardHour", "hourMs", hourMs), ("dashboardDay", "dayMs", dayMs)]

    /// Adds the request rows with `lower < id <= upper` to a time-bucket rollup.
    static func foldBuckets(_ bucket: (table: String, column: String, unit: Int64)) -> String {
        let (table, column, unit) = bucket
        return """
            INSERT INTO \(table) (\(column), feature, modelServed, errorCode, failed, requests, hits, \(sums.joined(separator: ", ")), lastMs)
            SELECT (timeMs / \(unit)) * \(unit), COALESCE(feature, ''), COALESCE(modelServed, ''), COALESCE(errorCode, ''),
                CASE WHEN status >= 400 THEN 1 ELSE 0 END, COUNT(*), SUM(cacheHit), \(sums.map { "SUM(\($0))" }.joined(separator: ", ")), MAX(timeMs)
            FROM request WHERE id > ? AND id <= ?
            GROUP BY (timeMs / \(unit)), COALESCE(feature, ''), COALESCE(modelServed, ''), COALESCE(errorCode, ''), CASE WHEN status >= 400 THEN 1 ELSE 0 END
            ON CONFLICT (\(column), feature, modelServed, errorCode, failed) DO UPDATE SET
                requests = \(table).requests + excluded.requests, hits = \(table).hits + excluded.hits,
                \(sums.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", ")), \(later(table))
            """
    }

    /// Fills `dashboardDay` from `dashboardHour` when the day table is new on a ledger folded before
    /// it existed (both are folded in the same transaction afterwards, so an empty day table next to
    /// a non-empty hour table means exactly that). A no-op otherwise.
    static let backfillDays = """
        INSERT INTO dashboardDay (dayMs, feature, modelServed, errorCode, failed, requests, hits, \(sums.joined(separator: ", ")), lastMs)
        SELECT (hourMs / \(dayMs)) * \(dayMs), feature, modelServed, errorCode, failed, SUM(requests), SUM(hits), \(sums.map { "SUM(\($0))" }.joined(separator: ", ")), MAX(lastMs)
        FROM dashboardHour WHERE NOT EXISTS (SELECT 1 FROM dashboardDay)
        GROUP BY (hourMs / \(dayMs)), feature, modelServed, errorCode, failed
        """

    static func fold(lower: Int64, upper: Int64, analyze: Bool = false) -> [(sql: String, arguments: [Int64])] {
        var statements: [(String, [Int64])] = buckets.map { (foldBuckets($0), [lower, upper]) }
        statements.append(("DELETE FROM dashboardFoldDelta", []))
        // The chunk's sums per user and day, under each dimension.
        for dimension in userDimensions {
            let subject = dimension.column ?? "''"
            let condition = dimension.column.map { " AND \($0) IS NOT NULL" } ?? ""
            statements.append((
                """
                INSERT INTO dashboardFoldDelta (\(key), dayMs, \(userColumns.joined(separator: ", ")), lastMs)
                SELECT '\(dimension.name)', \(subject), userName, (timeMs / \(dayMs)) * \(dayMs), COUNT(*), SUM(cacheHit), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
                    \(userSums.map { "SUM(\($0))" }.joined(separator: ", ")), MAX(timeMs)
                FROM request WHERE id > ? AND id <= ? AND userName IS NOT NULL\(condition)
                GROUP BY \(dimension.column.map { "\($0), " } ?? "")userName, (timeMs / \(dayMs))
                """, [lower, upper]
            ))
        }
        let match = { (a: String, b: String) in "\(a).dimension = \(b).dimension AND \(a).subject = \(b).subject AND \(a).userName = \(b).userName" }
        statements += [
            // A user (under a dimension) is late when some of the chunk's days are not after the
            // newest day already folded for them: their rows take the general path below.
            (
                """
                UPDATE dashboardFoldDelta SET late = 1 WHERE EXISTS (
                    SELECT 1 FROM dashboardUserTotal t WHERE \(match("t", "dashboardFoldDelta"))
                        AND t.lastMs >= (SELECT MIN(m.dayMs) FROM dashboardFoldDelta m WHERE \(match("m", "dashboardFoldDelta"))))
                """, []
            ),
        ]
        // A row of a day before the newest folded day can change `cum(X)` of a past day boundary:
        // a new late generation tells readers that kept such sums (`DashboardCumulativeCache`).
        statements.append((
            """
            UPDATE dashboardLate SET generation = generation + 1 WHERE id = 1 AND EXISTS (
                SELECT 1 FROM dashboardFoldDelta WHERE dimension = '' AND dayMs < (SELECT (maxTimeMs / \(dayMs)) * \(dayMs) FROM dashboardFold WHERE id = 1))
            """, []
        ))
        if analyze { statements.append(("ANALYZE dashboardFoldDelta", [])) }
        let window = "PARTITION BY d.dimension, d.subject, d.userName ORDER BY d.dayMs"
        statements += [
            // Users whose days all come after their newest folded day (time-ordered rows, the usual
            // case): each new row is their total so far plus a running sum over the chunk's days.
            (
                """
                INSERT INTO dashboardUserCum (\(key), dayMs, \(userColumns.joined(separator: ", ")), lastMs)
                SELECT d.dimension, d.subject, d.userName, d.dayMs, \(userColumns.map { "COALESCE(t.\($0), 0) + SUM(d.\($0)) OVER (\(window))" }.joined(separator: ", ")),
                    MAX(d.lastMs) OVER (\(window))
                FROM dashboardFoldDelta d LEFT JOIN dashboardUserTotal t ON \(match("t", "d"))
                WHERE d.late = 0
                """, []
            ),
            // Late users: new (user, day) rows start from the user's previous cumulative row…
            (
                """
                INSERT INTO dashboardUserCum (\(key), dayMs, \(userColumns.joined(separator: ", ")), lastMs)
                SELECT d.dimension, d.subject, d.userName, d.dayMs, \(userColumns.map { "COALESCE(p.\($0), 0)" }.joined(separator: ", ")), COALESCE(p.lastMs, 0)
                FROM dashboardFoldDelta d LEFT JOIN dashboardUserCum p ON \(match("p", "d"))
                    AND p.dayMs = (SELECT MAX(m.dayMs) FROM dashboardUserCum m WHERE \(match("m", "d")) AND m.dayMs < d.dayMs)
                WHERE d.late = 1 AND NOT EXISTS (SELECT 1 FROM dashboardUserCum e WHERE \(match("e", "d")) AND e.dayMs = d.dayMs)
                """, []
            ),
            // …then every row on or after one of their chunk days adds the chunk's sums up to its day
            // (one row per user in steady state: today's).
            (
                """
                UPDATE dashboardUserCum SET \(userColumns.map { "\($0) = dashboardUserCum.\($0) + x.\($0)" }.joined(separator: ", ")), \(later("dashboardUserCum", "x"))
                FROM (SELECT c.dimension AS dimension, c.subject AS subject, c.userName AS userName, c.dayMs AS dayMs,
                        \(userColumns.map { "SUM(d.\($0)) AS \($0)" }.joined(separator: ", ")), MAX(d.lastMs) AS lastMs
                    FROM dashboardFoldDelta d CROSS JOIN dashboardUserCum c
                    WHERE d.late = 1 AND \(match("c", "d")) AND c.dayMs >= d.dayMs
                    GROUP BY c.dimension, c.subject, c.userName, c.dayMs) AS x
                WHERE \(match("dashboardUserCum", "x")) AND dashboardUserCum.dayMs = x.dayMs
                """, []
            ),
            (
                """
                INSERT INTO dashboardUserTotal (\(key), \(userColumns.joined(separator: ", ")), lastMs)
                SELECT \(key), \(userColumns.map { "SUM(\($0))" }.joined(separator: ", ")), MAX(lastMs) FROM dashboardFoldDelta WHERE 1 = 1 GROUP BY \(key)
                ON CONFLICT (\(key)) DO UPDATE SET
                    \(userColumns.map { "\($0) = dashboardUserTotal.\($0) + excluded.\($0)" }.joined(separator: ", ")), \(later("dashboardUserTotal"))
                """, []
            ),
            (
                """
                UPDATE dashboardFold SET lastRequestID = ?,
                    maxTimeMs = COALESCE((SELECT CASE WHEN MAX(timeMs) > dashboardFold.maxTimeMs THEN MAX(timeMs) ELSE dashboardFold.maxTimeMs END FROM request WHERE id > ? AND id <= ?), maxTimeMs)
                WHERE id = 1
                """, [upper, lower, upper]
            ),
        ]
        return statements
    }

    /// Splits `[from, to)` into whole buckets of `unit` (read from a rollup) and the rest (read from
    /// `request`). A bucket containing an unaligned `cut` (another range's edge) is read raw too.
    static func partition(from: Int64, to: Int64, unit: Int64, cuts: [Int64] = []) -> (rollup: [(Int64, Int64)], raw: [(Int64, Int64)]) {
        guard to > from else { return ([], []) }
        let first = ceilDiv(from, unit) * unit
        let last = floorDiv(to, unit) * unit
        guard first < last else { return ([], [(from, to)]) }
        var raw: [(Int64, Int64)] = []
        if from < first { raw.append((from, first)) }
        if last < to { raw.append((last, to)) }
        let split = Set(cuts.filter { $0 > first && $0 < last && $0 % unit != 0 }.map { floorDiv($0, unit) * unit }).sorted()
        var rollup: [(Int64, Int64)] = []
        var start = first
        for bucket in split {
            if bucket > start { rollup.append((start, bucket)) }
            raw.append((bucket, bucket + unit))
            start = bucket + unit
        }
        if start < last { rollup.append((start, last)) }
        return (rollup, merge(raw))
    }

    static func merge(_ ranges: [(Int64, Int64)]) -> [(Int64, Int64)] {
        var result: [(Int64, Int64)] = []
        for range in ranges.sorted(by: { $0.0 < $1.0 }) {
            if let previous = result.last, range.0 <= previous.1 {
                result[result.count - 1].1 = max(previous.1, range.1)
            } else {
                result.append(range)
            }
        }
        return result
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
    static func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { -floorDiv(-a, b) }
}
