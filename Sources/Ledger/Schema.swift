import TokenomicsCore
/// The ledger's tables, one migration per version, in SQLite's and PostgreSQL's dialects.
///
/// Tables and columns are singular camelCase (PostgreSQL folds the unquoted names to lower case, so
/// the same SQL works on both). Money in budgets and reservations is exact (`TEXT` decimal in SQLite,
/// `numeric(39,21)` in PostgreSQL); money in request rows is two integer columns, `…Micros` and
/// `…Femtos` (see ``StoredMoney``), identical on both, so dashboard SQL such as
/// `SUM(costMicros), SUM(costFemtos) … GROUP BY userName` runs unchanged on either and never overflows.
enum Schema {
    enum Dialect { case sqlite, postgres }

    /// Migrations in order; the version of each is its index + 1.
    static func migrations(_ dialect: Dialect) -> [[String]] {
        let int = dialect == .sqlite ? "INTEGER" : "bigint"
        let money = dialect == .sqlite ? "TEXT" : "numeric(39,21)"
        let serial = dialect == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "bigserial PRIMARY KEY"
        let v1 = [
            "CREATE TABLE userAccount (name TEXT PRIMARY KEY, createdAtMs \(int) NOT NULL)",
            """
            CREATE TABLE apiKey (
                id TEXT PRIMARY KEY, secretHash TEXT NOT NULL, userName TEXT NOT NULL REFERENCES userAccount(name),
                feature TEXT, rpm \(int), tpm \(int), createdAtMs \(int) NOT NULL, revokedAtMs \(int))
            """,
            "CREATE INDEX apiKey_userName ON apiKey(userName)",
            """
            CREATE TABLE budget (
                scope TEXT NOT NULL, subject TEXT NOT NULL, period TEXT NOT NULL,
                limitUSD \(money) NOT NULL, spentUSD \(money) NOT NULL, reservedUSD \(money) NOT NULL,
                softPercent \(int) NOT NULL, periodStartMs \(int) NOT NULL, PRIMARY KEY (scope, subject))
            """,
            """
            CREATE TABLE reservation (
                id TEXT PRIMARY KEY, keyID TEXT, userName TEXT, feature TEXT, model TEXT NOT NULL, endpoint TEXT NOT NULL,
                amountUSD \(money) NOT NULL, heldBudgets TEXT NOT NULL, createdAtMs \(int) NOT NULL)
            """,
            "CREATE INDEX reservation_createdAtMs ON reservation(createdAtMs)",
            """
            CREATE TABLE request (
                id \(serial), reservationID TEXT UNIQUE, timeMs \(int) NOT NULL,
                keyID TEXT, userName TEXT, feature TEXT, endpoint TEXT NOT NULL,
                modelRequested TEXT NOT NULL, modelServed TEXT, upstream TEXT,
                inputTokens \(int) NOT NULL, outputTokens \(int) NOT NULL, cachedInputTokens \(int) NOT NULL,
                cacheWriteTokens \(int) NOT NULL, cacheWrite1hTokens \(int) NOT NULL, reasoningTokens \(int) NOT NULL,
                audioInputTokens \(int) NOT NULL, audioOutputTokens \(int) NOT NULL,
                costMicros \(int) NOT NULL, costFemtos \(int) NOT NULL, savingMicros \(int) NOT NULL, savingFemtos \(int) NOT NULL,
                cacheHit \(int) NOT NULL, status \(int) NOT NULL, errorCode TEXT,
                latencyMicros \(int) NOT NULL, upstreamLatencyMicros \(int), estimated \(int) NOT NULL, stream \(int) NOT NULL)
            """,
            "CREATE INDEX request_timeMs ON request(timeMs)",
            "CREATE INDEX request_userName_timeMs ON request(userName, timeMs)",
            "CREATE INDEX request_feature_timeMs ON request(feature, timeMs)",
            "CREATE INDEX request_modelServed_timeMs ON request(modelServed, timeMs)",
            "CREATE INDEX request_keyID_timeMs ON request(keyID, timeMs)",
        ]
        // The dashboard's recent refusals and failures: only rows with an error status are indexed,
        // with the columns its filters test, so the gateway's usual inserts do not touch it.
        let v2 = ["CREATE INDEX request_failed_timeMs ON request(timeMs, userName, feature, modelServed) WHERE status >= 400"]
        // The reservation table holds only requests in flight (a few hundred rows at most); its
        // index on createdAtMs made every reservation and every settle write one more B-tree page.
        let v3 = ["DROP INDEX reservation_createdAtMs"]
        return [v1, v2, v3]
    }

    /// Column list of `request`, in insert order (without `id`).
    static let requestColumns = [
        "reservationID", "timeMs", "keyID", "userName", "feature", "endpoint", "modelRequested", "modelServed", "upstream",
        "inputTokens", "outputTokens", "cachedInputTokens", "cacheWriteTokens", "cacheWrite1hTokens", "reasoningTokens",
        "audioInputTokens", "audioOutputTokens", "costMicros", "costFemtos", "savingMicros", "savingFemtos",
        "cacheHit", "status", "errorCode", "latencyMicros", "upstreamLatencyMicros", "estimated", "stream",
    ]

    /// Encodes the budgets a reservation holds as `scope:subject` lines.
    static func encodeHeld(_ held: [(BudgetScope, String)]) -> String {
        held.map { "\($0.0.rawValue):\($0.1)" }.joined(separator: "\n")
    }

    static func decodeHeld(_ text: String) -> [(BudgetScope, String)] {
        text.split(separator: "\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":"), let scope = BudgetScope(rawValue: String(line[..<colon])) else { return nil }
            return (scope, String(line[colon...].dropFirst()))
        }
    }
}
