import LedgerTestSupport
import CostModel
import Foundation
import Ledger
import Pricing
import Testing
import TokenomicsCore

struct KeyTests {
    @Test(arguments: Backend.available)
    func createdKeyAuthenticatesOnlyWithItsExactSecret(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            let issued = try await ledger.createKey(NewKey(user: "alice", feature: "chat", rpm: 60, tpm: 10_000), now: Date())
            #expect(issued.secret.hasPrefix("tk-\(issued.info.id)-"))
            let found = try #require(try await ledger.authenticate(secret: issued.secret))
            #expect(found.id == issued.info.id)
            #expect(found.user == "alice")
            #expect(found.feature == "chat")
            #expect(found.rpm == 60 && found.tpm == 10_000)
            #expect(!found.isRevoked)

            var tampered = issued.secret
            tampered.removeLast()
            tampered.append(issued.secret.last == "0" ? "1" : "0")
            #expect(try await ledger.authenticate(secret: tampered) == nil)
            #expect(try await ledger.authenticate(secret: "tk-nope") == nil)
            #expect(try await ledger.authenticate(secret: "sk-\(issued.secret.dropFirst(3))") == nil)
        }
    }

    @Test(arguments: Backend.available)
    func listAndRevoke(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            let a = try await ledger.createKey(NewKey(user: "alice"), now: Date(timeIntervalSince1970: 1_000))
            let b = try await ledger.createKey(NewKey(user: "bob", budget: .dollars(5), period: .day), now: Date(timeIntervalSince1970: 2_000))
            #expect(try await ledger.keys(user: nil).map(\.id) == [b.info.id, a.info.id])
            #expect(try await ledger.keys(user: "alice").map(\.id) == [a.info.id])
            #expect(try await ledger.revokeKey(id: a.info.id, now: Date()))
            #expect(try await ledger.revokeKey(id: "0000000000000000", now: Date()) == false)
            let revoked = try #require(try await ledger.authenticate(secret: a.secret))
            #expect(revoked.isRevoked)
            let keyBudget = try await ledger.budgets(scope: .key, subject: b.info.id, now: Date())
            #expect(keyBudget.map(\.limit) == [.dollars(5)])
            #expect(keyBudget.map(\.period) == [.day])
        }
    }
}

struct BudgetTests {
    static let day = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z, a Thursday

    @Test(arguments: Backend.available)
    func reserveRefuseAndReconcile(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            try await ledger.setBudget(BudgetSetting(scope: .user, subject: "alice", limit: try Money(exactly: "1.00"), period: .month), now: Self.day)
            try await ledger.setBudget(BudgetSetting(scope: .feature, subject: "chat", limit: .dollars(100), period: .total), now: Self.day)

            let first = try await ledger.reserve(
                ReservationRequest(id: "r1", keyID: nil, user: "alice", feature: "chat", model: "gpt-4o", amount: try Money(exactly: "0.70"), at: Self.day))
            guard case .reserved(let held, let budgets) = first else { Issue.record("expected a reservation, got \(first)"); return }
            #expect(held == (try Money(exactly: "0.70")))
            #expect(budgets.count == 2)

            let second = try await ledger.reserve(
                ReservationRequest(id: "r2", keyID: nil, user: "alice", feature: "chat", model: "gpt-4o", amount: try Money(exactly: "0.40"), at: Self.day))
            guard case .refused(let budget, let needed) = second else { Issue.record("expected a refusal, got \(second)"); return }
            #expect(budget.scope == .user && budget.subject == "alice")
            #expect(budget.remaining == (try Money(exactly: "0.30")))
            #expect(needed == (try Money(exactly: "0.40")))
            // A refused reservation holds nothing, on any budget.
            let chat = try #require(try await ledger.budgets(scope: .feature, subject: "chat", now: Self.day).first)
            #expect(chat.reserved == (try Money(exactly: "0.70")))

            let cost = try Money(exactly: "0.123456789012345678901")
            let record = RequestRecord(
                reservationID: "r1", time: Self.day, user: "alice", feature: "chat", endpoint: "/v1/chat/completions",
                modelRequested: "gpt-4o", modelServed: "gpt-4o-2024-08-06", usage: Usage(input: 1000, output: 200, cachedInput: 500),
                cost: cost, status: 200, latencyMicros: 1234, upstreamLatencyMicros: 1000)
            try await ledger.settle([record])
            try await ledger.settle([record])  // settling twice changes nothing

            let alice = try #require(try await ledger.budgets(scope: .user, subject: "alice", now: Self.day).first)
            #expect(alice.reserved == .zero)
            #expect(alice.spent == StoredMoney.rounded(cost))
            #expect(alice.spent == (try Money(exactly: "0.123456789012346")))
            #expect(alice.isPastSoftThreshold == false)

            let rows = try await ledger.records(afterID: 0, limit: 10)
            #expect(rows.count == 1)
            #expect(rows.first?.cost == alice.spent)
            #expect(rows.first?.usage == Usage(input: 1000, output: 200, cachedInput: 500))
            #expect(rows.first?.modelServed == "gpt-4o-2024-08-06")
            #expect(rows.first?.upstreamLatencyMicros == 1000)
            #expect(try await ledger.openReservations().isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func spendStartsAgainEachPeriod(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            try await ledger.setBudget(BudgetSetting(scope: .user, subject: "u", limit: .dollars(1), period: .day), now: Self.day)
            let r = ReservationRequest(id: "a", keyID: nil, user: "u", feature: nil, model: "m", amount: .dollars(1), at: Self.day)
            #expect(try await ledger.reserve(r) == .reserved(held: .dollars(1), budgets: try await ledger.budgets(scope: .user, subject: "u", now: Self.day)))
            try await ledger.settle([RequestRecord(reservationID: "a", time: Self.day, user: "u", endpoint: "/v1/chat/completions", modelRequested: "m", cost: .dollars(1), status: 200)])
            let sameDay = ReservationRequest(id: "b", keyID: nil, user: "u", feature: nil, model: "m", amount: .cents(1), at: Self.day.addingTimeInterval(3_600))
            guard case .refused = try await ledger.reserve(sameDay) else { Issue.record("a spent daily budget must refuse"); return }
            let nextDay = ReservationRequest(id: "c", keyID: nil, user: "u", feature: nil, model: "m", amount: .cents(1), at: Self.day.addingTimeInterval(86_400))
            guard case .reserved = try await ledger.reserve(nextDay) else { Issue.record("a new day must start from zero"); return }
            let status = try #require(try await ledger.budgets(scope: .user, subject: "u", now: Self.day.addingTimeInterval(86_400)).first)
            #expect(status.spent == .zero)
            #expect(status.reserved == .cents(1))
        }
    }

    @Test(arguments: Backend.available)
    func concurrentReservationsNeverExceedTheBudget(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            try await ledger.setBudget(BudgetSetting(scope: .key, subject: "k", limit: .dollars(1), period: .total), now: Self.day)
            let amount = try Money(exactly: "0.013")
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        let result = try await ledger.reserve(ReservationRequest(id: "c\(i)", keyID: "k", user: "u", feature: nil, model: "m", amount: amount))
                        if case .reserved = result { return true }
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let accepted = outcomes.filter { $0 }.count
            #expect(accepted == 76)  // floor(1 / 0.013)
            let status = try #require(try await ledger.budgets(scope: .key, subject: "k", now: Date()).first)
            #expect(status.reserved == amount * 76)
            #expect(status.reserved <= status.limit)
            #expect(try await ledger.openReservations().count == 76)
        }
    }

    @Test(arguments: Backend.available)
    func crashedReservationsAreRecoveredAtTheirReservedAmount(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            try await ledger.setBudget(BudgetSetting(scope: .user, subject: "u", limit: .dollars(10), period: .total), now: Self.day)
            _ = try await ledger.reserve(ReservationRequest(id: "old", keyID: "k", user: "u", feature: "f", model: "gpt-4o", endpoint: "/v1/chat/completions", amount: .cents(30), at: Self.day))
            _ = try await ledger.reserve(ReservationRequest(id: "new", keyID: "k", user: "u", feature: "f", model: "gpt-4o", amount: .cents(5), at: Self.day.addingTimeInterval(600)))
            #expect(try await ledger.recoverReservations(openedBefore: Self.day.addingTimeInterval(60)) == 1)
            #expect(try await ledger.openReservations().map(\.id) == ["new"])
            let status = try #require(try await ledger.budgets(scope: .user, subject: "u", now: Self.day).first)
            #expect(status.spent == .cents(30))
            #expect(status.reserved == .cents(5))
            let row = try #require(try await ledger.records(afterID: 0, limit: 10).first)
            #expect(row.status == 0)
            #expect(row.estimated)
            #expect(row.cost == .cents(30))
            #expect(row.endpoint == "/v1/chat/completions")
            #expect(row.reservationID == "old")
        }
    }
}

struct LedgerReadingTests {
    @Test(arguments: Backend.available)
    func sumsStayExactBeyondSixtyFourBitFemtoDollars(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            // 5 × $3,000.000000000000001: in femto-dollars the total (1.5 × 10¹⁹) overflows Int64; the two-column form does not.
            let cost = try Money(exactly: "3000.000000000000001")
            let day = Date(timeIntervalSince1970: 1_767_225_600)
            try await ledger.settle((0..<5).map { i in
                RequestRecord(time: day.addingTimeInterval(Double(i)), user: "big", feature: "batch", endpoint: "/v1/chat/completions", modelRequested: "m", modelServed: "m", usage: Usage(input: 10, output: 1), cost: cost, saving: .cents(1), status: 200)
            })
            try await ledger.settle([RequestRecord(time: day, user: "small", endpoint: "/v1/embeddings", modelRequested: "e", modelServed: "e", cost: try Money(exactly: "0.000000000000004"), cacheHit: true, status: 200)])
            let byUser = try await ledger.spend(by: .user, since: nil)
            #expect(byUser.map(\.group) == ["big", "small"])
            #expect(byUser.first?.cost == (try Money(exactly: "15000.000000000000005")))
            #expect(byUser.first?.saving == .cents(5))
            #expect(byUser.first?.requests == 5)
            #expect(byUser.first?.inputTokens == 50)
            #expect(byUser.last?.cacheHits == 1)
            let byDay = try await ledger.spend(by: .day, since: day)
            #expect(byDay.map(\.group) == ["2026-01-01"])
            #expect(try await ledger.spend(by: .model, since: day.addingTimeInterval(86_400)).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func allRecordsPagesThroughEveryRowInOrder(backend: Backend) async throws {
        try await backend.withLedger { ledger in
            let rows = (0..<25).map { i in
                RequestRecord(time: Date(timeIntervalSince1970: Double(i)), user: "u\(i % 3)", endpoint: "/v1/chat/completions", modelRequested: "m\(i)", status: 200)
            }
            try await ledger.settle(rows)
            var seen: [String] = []
            for try await record in ledger.allRecords(pageSize: 7) { seen.append(record.modelRequested) }
            #expect(seen == rows.map(\.modelRequested))
        }
    }
}

struct StorageFormatTests {
    @Test(arguments: [
        ("0.0000000125", "0.0000000125", Int64(0), Int64(12_500_000)),
        ("1.2345678901234564", "1.234567890123456", Int64(1_234_567), Int64(890_123_456)),
        ("0.0000000000000005", "0.000000000000001", Int64(0), Int64(1)),
        ("9223.3720368547758075", "9223.372036854775808", Int64(9_223_372_036), Int64(854_775_808)),
    ])
    func roundsToTheFemtoDollarAndSplits(text: String, rounded: String, micros: Int64, femtos: Int64) throws {
        let money = try Money(exactly: text)
        #expect(StoredMoney.rounded(money) == (try Money(exactly: rounded)))
        let stored = StoredMoney(money)
        #expect(stored.micros == micros)
        #expect(stored.femtos == femtos)
        #expect(stored.money == StoredMoney.rounded(money))
    }

    @Test(arguments: [
        ("sqlite:./tokenomics.db", LedgerURL.sqlite(path: "./tokenomics.db")),
        ("sqlite:///tmp/x.db", LedgerURL.sqlite(path: "/tmp/x.db")),
        ("postgres://postgres@127.0.0.1:54329/postgres", LedgerURL.postgres(host: "127.0.0.1", port: 54329, user: "postgres", password: nil, database: "postgres")),
        ("postgresql://me:pw@db/ledger", LedgerURL.postgres(host: "db", port: 5432, user: "me", password: "pw", database: "ledger")),
    ])
    func parsesDatabaseURLs(text: String, expected: LedgerURL) throws {
        #expect(try LedgerURL.parse(text) == expected)
    }

    @Test(arguments: ["mysql://x", "sqlite:", "postgres:///db"])
    func rejectsOtherURLs(text: String) {
        #expect(throws: LedgerError.self) { try LedgerURL.parse(text) }
    }

    @Test func aSQLiteLedgerInAMissingDirectoryIsBadInput() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-dir-\(UInt64.random(in: 0...UInt64.max))/ledger.db").path
        let error = try #require(throws: LedgerError.self) { try SQLiteLedger(path: path) }
        #expect(error.isBadInput)
        #expect(error.description.contains("does not exist"))
    }

    @Test func periodsStartInUTC() {
        let date = Date(timeIntervalSince1970: 1_767_528_000)  // 2026-01-04T12:00:00Z, a Sunday
        #expect(BudgetPeriod.day.start(containing: date) == 1_767_484_800_000)
        #expect(BudgetPeriod.week.start(containing: date) == 1_766_966_400_000)  // Monday 2025-12-29
        #expect(BudgetPeriod.month.start(containing: date) == 1_767_225_600_000)
        #expect(BudgetPeriod.total.start(containing: date) == 0)
    }

    /// The integer arithmetic agrees with Foundation's Gregorian calendar in UTC, across leap
    /// years, month and year ends, and dates before 1970.
    @Test func periodStartsMatchTheGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        var dates = (0..<2_000).map { _ in Date(timeIntervalSince1970: Double(Int64.random(in: -4_000_000_000...7_000_000_000, using: &generator)) + 0.5) }
        // Edges: the first and last millisecond of months, including 29 February.
        for (year, month) in [(2024, 2), (2024, 3), (2025, 12), (2026, 1), (1969, 12), (2000, 2), (2100, 2), (1900, 3)] {
            let start = calendar.date(from: DateComponents(year: year, month: month, day: 1))!
            dates += [start, start.addingTimeInterval(-0.001)]
        }
        for date in dates {
            let day = calendar.startOfDay(for: date)
            let back = (calendar.component(.weekday, from: day) + 5) % 7
            let monday = calendar.date(byAdding: .day, value: -back, to: day)!
            let month = calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
            func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
            #expect(BudgetPeriod.day.start(containing: date) == millis(day), "\(date)")
            #expect(BudgetPeriod.week.start(containing: date) == millis(monday), "\(date)")
            #expect(BudgetPeriod.month.start(containing: date) == millis(month), "\(date)")
        }
    }
}
