import LedgerTestSupport
import AsyncHTTPClient
import Foundation
import HTTPTypes
import Ledger
import NIOCore
import NIOHTTP1
import Pricing
import Testing
import TokenomicsCore

@testable import Gateway

/// The dashboard served by a live gateway over generated traffic: access control, pages, and
/// numbers equal to the ledger's own rows.
struct DashboardTests {
    /// Writes generated traffic (and one over-threshold user budget) into the harness's ledger.
    static func seed(_ h: Harness) async throws {
        try await h.ledger.settle(DashboardTraffic.records(count: 800, days: 40, now: Date()))
        try await h.ledger.setBudget(BudgetSetting(scope: .user, subject: "user0", limit: .cents(1), period: .month), now: Date())
        guard case .reserved = try await h.ledger.reserve(ReservationRequest(id: "held-1", keyID: nil, user: "user0", feature: "chat", model: "gpt-4o", amount: .cents(1))) else {
            Issue.record("reservation refused")
            return
        }
        try await h.ledger.settle([
            RequestRecord(reservationID: "held-1", time: Date(), user: "user0", feature: "chat", endpoint: "/v1/chat/completions", modelRequested: "gpt-4o", modelServed: "gpt-4o", cost: Money(exactly: "0.0099"), status: 200)
        ])
    }

    static let admin = [("x-admin-key", Harness.adminKey)]

    static func get(_ h: Harness, _ path: String, headers: [(String, String)] = admin) async throws -> Reply {
        try await h.request(.GET, path, key: nil, headers: headers)
    }

    /// Posts a form without following the redirect it answers with.
    static func postForm(_ h: Harness, _ path: String, _ body: String) async throws -> Reply {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        do {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(h.port)\(path)")
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: .seconds(30))
            let buffer = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The value of `attribute` on the element with `id`.
    static func attribute(_ html: String, id: String, _ attribute: String) -> String? {
        guard let element = html.range(of: "id=\"\(id)\"") else { return nil }
        let rest = html[element.upperBound...]
        guard let start = rest.range(of: "\(attribute)=\""), let end = rest[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(rest[start.upperBound..<end])
    }

    /// CSV rows (header first), split on commas (the generated names have none).
    static func csv(_ text: String) -> [[String]] {
        text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Start of the default period (the last 30 days, from midnight UTC 29 days ago).
    static var periodStart: Int64 { BudgetPeriod.day.start(containing: Date()) - 29 * 86_400_000 }

    @Test(arguments: Backend.available)
    func pagesNeedTheAdminKey(_ backend: Backend) async throws {
        try await Harness.run(backend) { h in
            for path in ["/dashboard", "/dashboard/user/user0", "/dashboard/feature/chat", "/dashboard?format=csv&table=top-users"] {
                let anonymous = try await Self.get(h, path, headers: [])
                #expect(anonymous.status == 401, "\(path)")
                #expect(anonymous.body.contains("action=\"/dashboard/login\""))
                #expect(anonymous.header("www-authenticate") == nil)
                #expect(try await Self.get(h, path, headers: [("x-admin-key", "wrong")]).status == 401)
                #expect(try await Self.get(h, path, headers: [("authorization", "Bearer \(Harness.adminKey)")]).status == 200)
            }
            // A user's own API key is not the admin key.
            let userKey = try await h.key(user: "bob")
            #expect(try await Self.get(h, "/dashboard", headers: [("authorization", "Bearer \(userKey)")]).status == 401)
            // Basic auth for headless browsers, challenged only on request.
            #expect(try await Self.get(h, "/dashboard?auth=basic", headers: []).header("www-authenticate")?.hasPrefix("Basic") == true)
            let basic = Data("admin:\(Harness.adminKey)".utf8).base64EncodedString()
            #expect(try await Self.get(h, "/dashboard", headers: [("authorization", "Basic \(basic)")]).status == 200)

            // The login form sets an HttpOnly cookie that opens the pages; a wrong key gets 401 again.
            let wrong = try await Self.postForm(h, "/dashboard/login", "key=nope&next=%2Fdashboard")
            #expect(wrong.status == 401 && wrong.body.contains("not the admin key"))
            let login = try await Self.postForm(h, "/dashboard/login", "key=\(Harness.adminKey)&next=%2Fdashboard%2Ffeature%2Fchat")
            #expect(login.status == 303)
            #expect(login.header("location") == "/dashboard/feature/chat")
            let cookie = try #require(login.header("set-cookie"))
            #expect(cookie.contains("HttpOnly") && !cookie.contains(Harness.adminKey))
            let session = String(cookie.prefix { $0 != ";" })
            #expect(try await Self.get(h, "/dashboard", headers: [("cookie", session)]).status == 200)
            #expect(try await Self.get(h, "/dashboard", headers: [("cookie", "tk_dashboard=forged")]).status == 401)
            // Signing out clears the cookie; an outside `next` is ignored.
            let out = try await Self.postForm(h, "/dashboard/logout", "")
            #expect(out.status == 303 && out.header("set-cookie")?.contains("Max-Age=0") == true)
            let elsewhere = try await Self.postForm(h, "/dashboard/login", "key=\(Harness.adminKey)&next=https%3A%2F%2Fevil.example")
            #expect(elsewhere.header("location") == "/dashboard")
        }
    }

    @Test(arguments: Backend.available)
    func overviewNumbersEqualTheLedger(_ backend: Backend) async throws {
        try await Harness.run(backend) { h in
            try await Self.seed(h)
            let page = try await Self.get(h, "/dashboard")
            #expect(page.status == 200)
            #expect(page.header("content-type")?.hasPrefix("text/html") == true)
            let rows = try await h.rows()
            let inPeriod = rows.filter { $0.milliseconds >= Self.periodStart }
            let expected = ExpectedTotals(inPeriod)
            #expect(expected.requests > 500)

            // The selected period's tile, exactly, and as people read it.
            #expect(Self.attribute(page.body, id: "tile-period", "data-usd") == expected.cost.exactString)
            #expect(page.body.contains(expected.cost.formatted()))
            #expect(Self.attribute(page.body, id: "tile-saved", "data-usd") == expected.saving.exactString)
            let today = ExpectedTotals(rows.filter { $0.milliseconds >= BudgetPeriod.day.start(containing: Date()) })
            #expect(Self.attribute(page.body, id: "tile-today", "data-usd") == today.cost.exactString)
            let month = ExpectedTotals(rows.filter { $0.milliseconds >= BudgetPeriod.month.start(containing: Date()) })
            #expect(Self.attribute(page.body, id: "tile-month", "data-usd") == month.cost.exactString)

            // Charts: stacked spend over time, histogram, Lorenz curve, bars.
            #expect(page.body.components(separatedBy: "<svg").count - 1 >= 4)
            #expect(page.body.contains("Who bears the cost"))
            for id in ["top-users", "features", "models", "cache", "budgets", "refusals", "recent-refusals", "spend-over-time", "distribution", "periods"] {
                #expect(page.body.contains("id=\"table-\(id)\""), "table \(id)")
                #expect(page.body.contains("table=\(id)"), "CSV link for \(id)")
            }

            // Every user's spend and requests in the CSV equal the ledger's rows.
            let users = Self.csv(try await Self.get(h, "/dashboard?format=csv&table=top-users").body)
            #expect(users.first == ["User", "Spend", "Share", "Budget", "Remaining", "Requests", "Last seen"])
            let byUser = Dictionary(grouping: inPeriod, by: { $0.user ?? "(none)" }).mapValues { ExpectedTotals($0) }
            #expect(users.count - 1 == min(50, byUser.count))
            for row in users.dropFirst() {
                #expect(row[1] == byUser[row[0]]?.cost.exactString, "user \(row[0])")
                #expect(Int(row[5]) == byUser[row[0]]?.requests, "user \(row[0])")
            }
            let user0 = try #require(users.first { $0[0] == "user0" })
            #expect(user0[3] == "0.01")  // the user budget

            let models = Self.csv(try await Self.get(h, "/dashboard?format=csv&table=models").body)
            let byModel = Dictionary(grouping: inPeriod, by: { $0.modelServed ?? "(none)" }).mapValues { ExpectedTotals($0) }
            #expect(models.count - 1 == byModel.count)
            for row in models.dropFirst() {
                let e = try #require(byModel[row[0]])
                #expect([Int(row[1]), Int(row[2]), Int(row[3]), Int(row[5]), Int(row[6])] == [e.requests, e.input, e.cached, e.output, e.reasoning])
                #expect(row[7] == e.cost.exactString)
            }

            // Refusals by reason, and the over-threshold budget.
            let refusals = Self.csv(try await Self.get(h, "/dashboard?format=csv&table=refusals").body)
            let codes = Dictionary(grouping: inPeriod.filter { $0.status >= 400 }, by: { $0.errorCode ?? "(none)" }).mapValues(\.count)
            #expect(Dictionary(uniqueKeysWithValues: refusals.dropFirst().map { ($0[0], Int($0[1]) ?? -1) }) == codes)
            let budgets = Self.csv(try await Self.get(h, "/dashboard?format=csv&table=budgets").body)
            #expect(budgets.dropFirst().contains { $0[0] == "user" && $0[1] == "user0" && $0[5] == "0.0099" })

            // Filters narrow every figure.
            let chat = try await Self.get(h, "/dashboard?feature=chat&period=7d")
            let chatExpected = ExpectedTotals(rows.filter { $0.feature == "chat" && $0.milliseconds >= BudgetPeriod.day.start(containing: Date()) - 6 * 86_400_000 })
            #expect(Self.attribute(chat.body, id: "tile-period", "data-usd") == chatExpected.cost.exactString)
            #expect(try await Self.get(h, "/dashboard?format=csv&table=nope").status == 404)
        }
    }

    /// The background pass folds the ledger and reads the overview's per-user sums, so the page
    /// reuses them instead of running the seeks; its numbers stay the ledger's.
    @Test(arguments: Backend.available)
    func backgroundPassPreparesTheOverview(_ backend: Backend) async throws {
        try await Harness.run(backend, configure: { $0.dashboardWarmInterval = .milliseconds(100) }) { h in
            try await Self.seed(h)
            let ledger = try #require(h.ledger as? any DashboardLedger)
            // Wait for passes that saw every seeded row: a pass that folded part of them sees the
            // rest as late rows (they are in random time order) and reads its sums again. Settled
            // means no new miss over three checks in a row (1.5 s, 15 passes): on a loaded machine
            // one quiet half second was not enough (a late pass missed during the page).
            let deadline = Date().addingTimeInterval(30)
            var settled = ledger.dashboardCache.lookups.misses
            var quietChecks = 0
            while Date() < deadline {
                try await Task.sleep(for: .milliseconds(500))
                let misses = ledger.dashboardCache.lookups.misses
                quietChecks = misses == settled ? quietChecks + 1 : 0
                if quietChecks >= 3, ledger.dashboardCache.count >= 2 { break }
                settled = misses
            }
            #expect(ledger.dashboardCache.count >= 2, "the periods' day boundaries were read")
            let before = ledger.dashboardCache.lookups
            let page = try await Self.get(h, "/dashboard")
            #expect(page.status == 200)
            let after = ledger.dashboardCache.lookups
            #expect(after.hits > before.hits)
            #expect(after.misses == before.misses, "no seeks on the page")
            let inPeriod = try await h.rows().filter { $0.milliseconds >= Self.periodStart }
            #expect(Self.attribute(page.body, id: "tile-period", "data-usd") == ExpectedTotals(inPeriod).cost.exactString)
        }
    }

    @Test(arguments: Backend.available)
    func userAndFeaturePagesShowTheirOwnRequests(_ backend: Backend) async throws {
        try await Harness.run(backend) { h in
            try await Self.seed(h)
            // A real call through the gateway: its prompt must never reach the dashboard.
            let key = try await h.key(user: "user1", feature: "chat")
            #expect(try await h.chat(key: key, content: "SECRET-PROMPT-TEXT").status == 200)
            let rows = try await h.rows()

            let page = try await Self.get(h, "/dashboard/user/user1")
            #expect(page.status == 200)
            #expect(page.body.contains("User user1"))
            #expect(!page.body.contains("SECRET-PROMPT-TEXT"))
            #expect(page.body.contains("id=\"table-recent\""))
            let mine = ExpectedTotals(rows.filter { $0.user == "user1" && $0.milliseconds >= Self.periodStart })
            #expect(Self.attribute(page.body, id: "tile-period", "data-usd") == mine.cost.exactString)
            let recent = Self.csv(try await Self.get(h, "/dashboard/user/user1?format=csv&table=recent").body)
            #expect(recent.count > 2 && recent.dropFirst().allSatisfy { $0[1] == "user1" })

            let feature = try await Self.get(h, "/dashboard/feature/chat")
            #expect(feature.status == 200 && feature.body.contains("Feature chat"))
            let chat = ExpectedTotals(rows.filter { $0.feature == "chat" && $0.milliseconds >= Self.periodStart })
            #expect(Self.attribute(feature.body, id: "tile-period", "data-usd") == chat.cost.exactString)
            let featureRecent = Self.csv(try await Self.get(h, "/dashboard/feature/chat?format=csv&table=recent").body)
            #expect(featureRecent.dropFirst().allSatisfy { $0[2] == "chat" })
            #expect(!feature.body.contains("SECRET-PROMPT-TEXT"))
        }
    }
}

struct DashboardFormatTests {
    @Test(arguments: [0, 951_782_400_123, 1_709_164_800_000, 1_780_000_000_999, 4_102_444_799_000, -86_400_001])
    func utcFieldsMatchFoundation(_ ms: Int64) {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(DashboardFormat.iso(date) == formatter.string(from: date))
        #expect(DashboardFormat.time(date) == String(formatter.string(from: date).prefix(16)).replacingOccurrences(of: "T", with: " "))
    }
}
