import LedgerTestSupport
import Foundation
import Ledger
import Pricing
import Testing

/// The per-user breakdown, read from the cumulative per-user rollup, against the rows themselves:
/// ranges that start and end mid-day, mid-week and mid-month, ranges that end now or in the past,
/// feature and model filters, rows folded out of time order, rows written after the last fold, and
/// rows stamped later than the range's end.
struct DashboardUserRollupTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // Thursday 2026-05-28, 20:26 UTC
    static let day: TimeInterval = 86_400

    /// Start of the UTC day `days` before today's, plus `hours`.
    static func at(days: Int, hours: Double = 0) -> Date {
        let today = (now.timeIntervalSince1970 / day).rounded(.down) * day
        return Date(timeIntervalSince1970: today - Double(days) * day + hours * 3600)
    }

    static let ranges: [(String, Date, Date)] = [
        ("30 whole days to now", at(days: 29), now),
        ("today", at(days: 0), now),
        ("24 hours, starting late in a day", now.addingTimeInterval(-day), now),
        ("from early in a day to now", at(days: 9, hours: 4.5), now),
        ("mid-week to mid-week, in the past", at(days: 12, hours: 13), at(days: 3, hours: 7.25)),
        ("mid-month to the start of a day", at(days: 40, hours: 19), at(days: 11)),
        ("whole days in the past", at(days: 20), at(days: 5)),
        ("past the newest row", at(days: 59, hours: 2), now.addingTimeInterval(3 * day)),
        ("within one day", at(days: 2, hours: 1), at(days: 2, hours: 23)),
    ]

    static func expected(_ records: [RequestRecord], _ filter: DashboardFilter) -> [String: ExpectedTotals] {
        Dictionary(grouping: records.filter { $0.inside(filter) && $0.user != nil }, by: { $0.user! }).mapValues { rows in
            var totals = ExpectedTotals(rows)
            (totals.input, totals.output, totals.cached, totals.reasoning) = (0, 0, 0, 0)
            return totals
        }
    }

    func check(_ ledger: any DashboardLedger, _ records: [RequestRecord], _ note: String) async throws {
        for (name, from, to) in Self.ranges {
            for filter in [
                DashboardFilter(from: from, to: to), DashboardFilter(from: from, to: to, feature: "chat"),
                DashboardFilter(from: from, to: to, model: "gpt-4o"),
            ] {
                let groups = try await ledger.breakdown(filter, by: .user)
                let got = Dictionary(uniqueKeysWithValues: groups.map { ($0.key ?? "-", ExpectedTotals($0.totals)) })
                let expected = Self.expected(records, filter)
                #expect(got == expected, "\(note): \(name), feature \(filter.feature ?? "-"), model \(filter.model ?? "-")")
                #expect(!expected.isEmpty, "\(name): the traffic covers the range")
            }
        }
    }

    @Test(arguments: Backend.available)
    func perUserSumsMatchTheRows(_ backend: Backend) async throws {
        let records = DashboardTraffic.records(count: 1200, days: 60, now: Self.now, seed: 7)
        try await backend.withLedger { store in
            let ledger = try #require(store as? any DashboardLedger)
            // The generated rows are in random time order, so later folds land on earlier days too.
            try await ledger.settle(Array(records[0..<500]))
            try await ledger.refreshDashboardRollups()
            try await ledger.settle(Array(records[500..<1000]))
            try await ledger.refreshDashboardRollups()
            try await self.check(ledger, Array(records[0..<1000]), "folded")
            // Rows written after the last fold are counted too.
            try await ledger.settle(Array(records[1000...]))
            try await self.check(ledger, records, "not yet folded")
            try await ledger.refreshDashboardRollups()
            try await self.check(ledger, records, "folded again")
            // A row stamped after the end of "now" ranges (another instance's clock): they read the rollup up to the last whole day.
            var late = records[3]
            late.time = Self.now.addingTimeInterval(2 * 3600)
            late.user = "user1"
            try await ledger.settle([late])
            try await ledger.refreshDashboardRollups()
            try await self.check(ledger, records + [late], "with a future row")
        }
    }

    /// `cum(A)` of a past day boundary is read once and kept while rows arrive in time order; a row
    /// of an earlier day (another instance's clock, a retried write) makes the fold start a new late
    /// generation, and the next read runs the seeks again. Every answer matches the rows.
    @Test(arguments: Backend.available)
    func cumulativeSumsAreKeptUntilALateRowArrives(_ backend: Backend) async throws {
        let records = DashboardTraffic.records(count: 600, days: 30, now: Self.now, seed: 11).sorted { $0.time < $1.time }
        var today = records[5]
        today.time = Self.now.addingTimeInterval(-60)
        today.user = "user3"
        var old = records[7]
        old.time = Self.at(days: 25, hours: 3)
        old.user = "user3"
        try await backend.withLedger { [today, old] store in
            let ledger = try #require(store as? any DashboardLedger)
            try await ledger.settle(records)
            try await ledger.refreshDashboardRollups()
            let filter = DashboardFilter(from: Self.at(days: 20), to: Self.now)
            func check(_ rows: [RequestRecord], _ note: String) async throws {
                let groups = try await ledger.breakdown(filter, by: .user)
                let got = Dictionary(uniqueKeysWithValues: groups.map { ($0.key ?? "-", ExpectedTotals($0.totals)) })
                #expect(got == Self.expected(rows, filter), "\(note)")
            }
            try await check(records, "first read")
            #expect(ledger.dashboardCache.lookups.misses == 1)

            try await ledger.settle([today])
            try await check(records + [today], "a new row, not folded yet")
            try await ledger.refreshDashboardRollups()
            try await check(records + [today], "a new row of the newest day, folded")
            #expect(ledger.dashboardCache.lookups.misses == 1, "rows in time order keep cum(A)")
            #expect(ledger.dashboardCache.lookups.hits == 2)

            try await ledger.settle([old])
            try await ledger.refreshDashboardRollups()
            try await check(records + [today, old], "a row of an earlier day, folded")
            #expect(ledger.dashboardCache.lookups.misses == 2, "a late row starts a new generation")
        }
    }
}
