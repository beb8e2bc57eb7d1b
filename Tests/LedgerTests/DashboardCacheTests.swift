import Testing

@testable import Ledger

/// The in-memory `cum(X)` sums: kept per late generation, bounded by count and by rows, least
/// recently used out.
struct DashboardCacheTests {
    static func rows(_ users: Int) -> DashboardIntegerRows {
        var rows = DashboardIntegerRows(width: DashboardUsers.width)
        for user in 0..<users { rows.append(key: "user\(user)", integers: (0..<Int64(DashboardUsers.width)).map { $0 + Int64(user) }) }
        return rows
    }

    static func key(_ bound: Int64) -> DashboardCumulativeCache.Key { .init(dimension: "", subject: "", bound: bound) }

    @Test func entriesLastForTheirGenerationOnly() {
        let cache = DashboardCumulativeCache()
        let stored = cache.store(Self.key(1), generation: 3, rows: Self.rows(4))
        #expect(stored.index["user2"] == 2)
        #expect(cache.entry(Self.key(1), generation: 3)?.rows == Self.rows(4))
        #expect(cache.entry(Self.key(1), generation: 4) == nil, "a new late generation drops it")
        #expect(cache.entry(Self.key(1), generation: 3) == nil, "and it is gone")
        #expect(cache.lookups.hits == 1 && cache.lookups.misses == 2)
    }

    @Test func theLeastRecentlyUsedBoundGoesFirst() {
        let cache = DashboardCumulativeCache(capacity: 2, maximumRows: 10)
        _ = cache.store(Self.key(1), generation: 0, rows: Self.rows(3))
        _ = cache.store(Self.key(2), generation: 0, rows: Self.rows(3))
        _ = cache.entry(Self.key(1), generation: 0)  // 2 is now the least recently used
        _ = cache.store(Self.key(3), generation: 0, rows: Self.rows(3))
        #expect(cache.count == 2)
        #expect(cache.entry(Self.key(2), generation: 0) == nil)
        #expect(cache.entry(Self.key(1), generation: 0) != nil)

        // Rows bound: 3 + 8 > 10, so the older entries make room.
        _ = cache.store(Self.key(4), generation: 0, rows: Self.rows(8))
        #expect(cache.count == 1)
        #expect(cache.entry(Self.key(4), generation: 0) != nil)
    }
}
