import LedgerTestSupport
import Foundation
import Ledger
import Pricing
import Testing
import TokenomicsCore

/// The dashboard's SQL aggregates against the same figures computed in Swift from the rows written.
struct DashboardQueryTests {
    static let now = Date(timeIntervalSince1970: 1_780_000_000)  // 2026-05-28

    func withTraffic(_ backend: Backend, _ body: @escaping @Sendable (any DashboardLedger, [RequestRecord]) async throws -> Void) async throws {
        let records = DashboardTraffic.records(count: 1500, days: 45, now: Self.now)
        try await backend.withLedger { store in
            let ledger = try #require(store as? any DashboardLedger)
            // Half the rows before the rollups are built, half after: both paths are exercised.
            try await ledger.settle(Array(records.prefix(records.count / 2)))
            try await ledger.refreshDashboardRollups()
            try await ledger.settle(Array(records.dropFirst(records.count / 2)))
            try await ledger.refreshDashboardRollups()
            try await body(ledger, records)
        }
    }

    @Test(arguments: Backend.available)
    func totalsMatchTheRows(_ backend: Backend) async throws {
        try await withTraffic(backend) { ledger, records in
            let filters = [
                DashboardFilter(from: Self.now.addingTimeInterval(-30 * 86_400), to: Self.now),
                DashboardFilter(from: Self.now.addingTimeInterval(-7 * 86_400), to: Self.now.addingTimeInterval(-86_400), feature: "chat"),
                DashboardFilter(from: Self.now.addingTimeInterval(-60 * 86_400), to: Self.now, user: "user0", model: "gpt-4o"),
                DashboardFilter(from: Self.now.addingTimeInterval(-86_400), to: Self.now, user: "nobody"),
            ]
            for filter in filters {
                let expected = ExpectedTotals(records.filter { $0.inside(filter) })
                let got = try await ledger.totals(filter)
                #expect(ExpectedTotals(got) == expected, "\(filter)")
            }
            let all = ExpectedTotals(records)
            #expect(all.requests == 1500 && all.errors > 0 && all.hits > 0 && all.saving > .zero)
        }
    }

    @Test(arguments: Backend.available)
    func breakdownsMatchTheRows(_ backend: Backend) async throws {
        try await withTraffic(backend) { ledger, records in
            let filter = DashboardFilter(from: Self.now.addingTimeInterval(-30 * 86_400), to: Self.now)
            let inside = records.filter { $0.inside(filter) }
            let byUser = try await ledger.breakdown(filter, by: .user)
            #expect(byUser.count == Set(inside.compactMap(\.user)).count)
            for group in byUser {
                // The per-user figures come from the daily user rollup, which carries no token counts.
                var expected = ExpectedTotals(inside.filter { $0.user == group.key })
                (expected.input, expected.output, expected.cached, expected.reasoning) = (0, 0, 0, 0)
                #expect(ExpectedTotals(group.totals) == expected, "user \(group.key ?? "nil")")
            }
            // With a feature filter the same breakdown reads the per-user-and-feature rollup.
            let chatUsers = try await ledger.breakdown(DashboardFilter(from: filter.from, to: filter.to, feature: "chat"), by: .user)
            #expect(chatUsers.count == Set(inside.filter { $0.feature == "chat" }.compactMap(\.user)).count)
            for group in chatUsers {
                var expected = ExpectedTotals(inside.filter { $0.user == group.key && $0.feature == "chat" })
                (expected.input, expected.output, expected.cached, expected.reasoning) = (0, 0, 0, 0)
                #expect(ExpectedTotals(group.totals) == expected)
            }
            // Costliest first.
            #expect(zip(byUser, byUser.dropFirst()).allSatisfy { $0.totals.cost >= $1.totals.cost })
            #expect(Money.sum(byUser.map(\.totals.cost)) == ExpectedTotals(inside).cost)

            let byModel = try await ledger.breakdown(filter.over(filter.from, filter.to), by: .model)
            for group in byModel {
                #expect(ExpectedTotals(group.totals) == ExpectedTotals(inside.filter { $0.modelServed == group.key }), "model \(group.key ?? "nil")")
            }
            #expect(byModel.contains { $0.key == nil })  // refused requests never reached a model

            let refusals = try await ledger.breakdown(filter, by: .errorCode, onlyErrors: true)
            let codes = Dictionary(grouping: inside.filter { $0.status >= 400 }, by: { $0.errorCode ?? "" }).mapValues(\.count)
            #expect(Dictionary(uniqueKeysWithValues: refusals.map { ($0.key ?? "", $0.totals.requests) }) == codes)
            #expect(codes["budget_exceeded", default: 0] > 0 && codes["rate_limit_exceeded", default: 0] > 0)

            let top = try await ledger.breakdown(filter, by: .user, limit: 3)
            #expect(top.map(\.key) == byUser.prefix(3).map(\.key))
        }
    }

    @Test(arguments: Backend.available)
    func seriesAndPeriodsMatchTheRows(_ backend: Backend) async throws {
        try await withTraffic(backend) { ledger, records in
            let filter = DashboardFilter(from: Self.now.addingTimeInterval(-14 * 86_400), to: Self.now)
            let inside = records.filter { $0.inside(filter) }
            for bucket in DashboardBucket.allCases {
                let series = try await ledger.series(filter, bucket: bucket, stackBy: .feature)
                var expected: [String: (Int, Money)] = [:]
                for r in inside {
                    let key = "\(r.milliseconds / bucket.milliseconds * bucket.milliseconds)|\(r.feature ?? "-")"
                    expected[key, default: (0, .zero)].0 += 1
                    expected[key, default: (0, .zero)].1 += StoredMoney.rounded(r.cost)
                }
                #expect(series.count == expected.count)
                for point in series {
                    let key = "\(Int64(point.bucket.timeIntervalSince1970 * 1000))|\(point.stack ?? "-")"
                    #expect(expected[key]?.0 == point.requests && expected[key]?.1 == point.cost, "\(bucket) \(key)")
                }
                #expect(zip(series, series.dropFirst()).allSatisfy { $0.bucket <= $1.bucket })
            }

            let ranges = [(Self.now.addingTimeInterval(-86_400), Self.now), (Self.now.addingTimeInterval(-40 * 86_400), Self.now.addingTimeInterval(-20 * 86_400))]
            let spent = try await ledger.spend(in: ranges.map { (from: $0.0, to: $0.1) }, filter: DashboardFilter(from: .distantPast, to: .distantFuture, feature: "search"))
            for (index, range) in ranges.enumerated() {
                let rows = records.filter { $0.inside(DashboardFilter(from: range.0, to: range.1, feature: "search")) }
                #expect(spent[index].requests == rows.count)
                #expect(spent[index].cost == ExpectedTotals(rows).cost)
            }
        }
    }

    @Test(arguments: Backend.available)
    func recentRequestsAreNewestFirst(_ backend: Backend) async throws {
        try await withTraffic(backend) { ledger, records in
            let filter = DashboardFilter(from: Self.now.addingTimeInterval(-45 * 86_400), to: Self.now, user: "user3")
            let recent = try await ledger.recentRequests(filter, limit: 10)
            let expected = records.filter { $0.inside(filter) }.sorted { $0.milliseconds > $1.milliseconds }.prefix(10)
            #expect(recent.map(\.milliseconds) == expected.map(\.milliseconds))
            #expect(recent.allSatisfy { $0.user == "user3" })
            let refused = try await ledger.recentRequests(filter, onlyErrors: true, limit: 100)
            #expect(refused.count == records.filter { $0.inside(filter) && $0.status >= 400 }.count)
        }
    }
}
