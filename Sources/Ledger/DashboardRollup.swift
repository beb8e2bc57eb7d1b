/// Rollup tables that keep the dashboard fast at millions of ledger rows.
///
/// `dashboardHour` sums request rows per UTC hour, feature, model, error code and failure flag;
/// `dashboardUserDay` sums them per UTC day and user. Both are folded forward incrementally from
/// the `request` table by row id (``DashboardLedger/refreshDashboardRollups()``), so the gateway's
/// write path is untouched. Queries read whole hours (or days) from a rollup and the partial
/// hours at a range's edges from `request` itself, through the same SQL on SQLite and PostgreSQL.
///
/// NULL user, feature, model and error code are stored as the empty string.
enum DashboardRollup {
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 86_400_000
    /// Request ids folded per transaction, so a first catch-up never holds the write lock for long.
    static let chunk: Int64 = 500_000

    static let sums = [
        "costMicros", "costFemtos", "savingMicros", "savingFemtos",
        "inputTokens", "outputTokens", "cachedInputTokens", "cacheWriteTokens", "cacheWrite1hTokens", "reasoningTokens", "audioInputTokens", "audioOutputTokens",
    ]
    static let userSums = ["costMicros", "costFemtos", "savingMicros", "savingFemtos"]

    /// Creates the tables (safe to run on every start, on both databases).
    static let create = [
        "CREATE TABLE IF NOT EXISTS dashboardRollupState (id INTEGER PRIMARY KEY, lastRequestID BIGINT NOT NULL)",
        "INSERT INTO dashboardRollupState (id, lastRequestID) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
        """
        CREATE TABLE IF NOT EXISTS dashboardHour (
            hourMs BIGINT NOT NULL, feature TEXT NOT NULL, modelServed TEXT NOT NULL, errorCode TEXT NOT NULL, failed INTEGER NOT NULL,
            requests BIGINT NOT NULL, hits BIGINT NOT NULL, \(sums.map { "\($0) BIGINT NOT NULL" }.joined(separator: ", ")), lastMs BIGINT NOT NULL,
            PRIMARY KEY (hourMs, feature, modelServed, errorCode, failed))
        """,
        """
        CREATE TABLE IF NOT EXISTS dashboardUserDay (
            dayMs BIGINT NOT NULL, userName TEXT NOT NULL, requests BIGINT NOT NULL, hits BIGINT NOT NULL, errors BIGINT NOT NULL,
            \(userSums.map { "\($0) BIGINT NOT NULL" }.joined(separator: ", ")), lastMs BIGINT NOT NULL,
            PRIMARY KEY (dayMs, userName))
        """,
    ]

    static func later(_ table: String) -> String {
        "lastMs = CASE WHEN excluded.lastMs > \(table).lastMs THEN excluded.lastMs ELSE \(table).lastMs END"
    }

    /// Folds request rows with `lower < id <= upper` into both rollups (two `?` each).
    static let fold = [
        """
        INSERT INTO dashboardHour (hourMs, feature, modelServed, errorCode, failed, requests, hits, \(sums.joined(separator: ", ")), lastMs)
        SELECT (timeMs / \(hourMs)) * \(hourMs), COALESCE(feature, ''), COALESCE(modelServed, ''), COALESCE(errorCode, ''),
            CASE WHEN status >= 400 THEN 1 ELSE 0 END, COUNT(*), SUM(cacheHit), \(sums.map { "SUM(\($0))" }.joined(separator: ", ")), MAX(timeMs)
        FROM request WHERE id > ? AND id <= ?
        GROUP BY (timeMs / \(hourMs)), COALESCE(feature, ''), COALESCE(modelServed, ''), COALESCE(errorCode, ''), CASE WHEN status >= 400 THEN 1 ELSE 0 END
        ON CONFLICT (hourMs, feature, modelServed, errorCode, failed) DO UPDATE SET
            requests = dashboardHour.requests + excluded.requests, hits = dashboardHour.hits + excluded.hits,
            \(sums.map { "\($0) = dashboardHour.\($0) + excluded.\($0)" }.joined(separator: ", ")), \(later("dashboardHour"))
        """,
        """
        INSERT INTO dashboardUserDay (dayMs, userName, requests, hits, errors, \(userSums.joined(separator: ", ")), lastMs)
        SELECT (timeMs / \(dayMs)) * \(dayMs), userName, COUNT(*), SUM(cacheHit), SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END),
            \(userSums.map { "SUM(\($0))" }.joined(separator: ", ")), MAX(timeMs)
        FROM request WHERE id > ? AND id <= ? AND userName IS NOT NULL
        GROUP BY (timeMs / \(dayMs)), userName
        ON CONFLICT (dayMs, userName) DO UPDATE SET
            requests = dashboardUserDay.requests + excluded.requests, hits = dashboardUserDay.hits + excluded.hits,
            errors = dashboardUserDay.errors + excluded.errors,
            \(userSums.map { "\($0) = dashboardUserDay.\($0) + excluded.\($0)" }.joined(separator: ", ")), \(later("dashboardUserDay"))
        """,
    ]

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
