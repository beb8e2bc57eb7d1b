import LedgerTestSupport
import CostModel
import Foundation
import HTTPTypes
import NIOHTTP1
@testable import Gateway
import Ledger
import Pricing
import Testing
import TokenomicsCore

@Suite(.serialized)
struct PolicyTests {
    @Test(arguments: Backend.available)
    func aRequestThatDoesNotFitTheBudgetIsRefusedSayingWhatRemains(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key(user: "bob", budget: try Money(exactly: "0.0001"))
            let reply = try await h.chat("gpt-4o", key: key, extra: #","max_tokens":1000"#)
            #expect(reply.status == 429)
            let error = try #require(reply.json?["error"])
            #expect(error["code"]?.stringValue == "budget_exceeded")
            #expect(error["message"]?.stringValue?.contains("remaining") == true)
            #expect(error["message"]?.stringValue?.contains("$0.0001") == true)
            #expect(reply.header("x-tokenomics-budget-remaining-usd") == "0.0001")
            #expect(h.mock.requests.isEmpty)
            let row = try #require(try await h.rows().last)
            #expect(row.status == 429)
            #expect(row.errorCode == "budget_exceeded")
            #expect(row.cost == .zero)
        }
    }

    /// 500 simultaneous requests on one key whose budget fits 100 of them.
    @Test(arguments: Backend.available)
    func fiveHundredConcurrentRequestsNeverOverspend(backend: Backend) async throws {
        try await Harness.run(backend, configure: { $0.ledgerBatchSize = 64 }) { h in
            let perRequest = StoredMoney.rounded(try Harness.cost("gpt-4o-mini", Harness.chatUsage))
            let budget = perRequest * 100
            let key = try await h.key(user: "carol", budget: budget)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<500 {
                    // A prompt of 400 bytes: the reservation's upper bound covers the 100 prompt tokens the mock reports.
                    group.addTask { try await h.chat(key: key, extra: #","max_tokens":20"#, content: String(repeating: "word ", count: 80)).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let accepted = statuses.filter { $0 == 200 }.count
            #expect(accepted > 0)
            #expect(accepted <= 100)
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 })
            let rows = try await h.rows()
            #expect(rows.filter { $0.status == 200 }.count == accepted)
            #expect(rows.filter { $0.status == 429 }.count == 500 - accepted)
            let status = try #require(try await h.ledger.budgets(scope: .key, subject: rows[0].keyID!, now: Date()).first)
            #expect(status.spent <= budget)
            #expect(status.reserved == .zero)
            #expect(status.spent == Money.sum(rows.map(\.cost)))
        }
    }

    @Test(arguments: Backend.available)
    func rateLimitsAnswerWithHeadersAndRetryAfter(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key(rpm: 2, tpm: 100_000)
            let first = try await h.chat(key: key, extra: #","max_tokens":10"#)
            #expect(first.status == 200)
            #expect(first.header("x-ratelimit-limit-requests") == "2")
            #expect(first.header("x-ratelimit-remaining-requests") == "1")
            #expect(first.header("x-ratelimit-limit-tokens") == "100000")
            #expect(first.header("x-ratelimit-remaining-tokens").flatMap(Int.init).map { $0 < 100_000 } == true)
            _ = try await h.chat(key: key, extra: #","max_tokens":10"#)
            let third = try await h.chat(key: key, extra: #","max_tokens":10"#)
            #expect(third.status == 429)
            #expect(third.json?["error"]?["code"]?.stringValue == "rate_limit_exceeded")
            #expect(third.header("retry-after").flatMap(Int.init).map { $0 >= 1 && $0 <= 30 } == true)
            #expect(third.header("x-ratelimit-remaining-requests") == "0")
        }
    }

    @Test(arguments: Backend.available)
    func theCacheAnswersRepeatsPerUserAtZeroCost(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let alice = try await h.key(user: "alice")
            let bob = try await h.key(user: "bob")
            let first = try await h.chat(key: alice, extra: #","temperature":0"#)
            let second = try await h.chat(key: alice, extra: #","temperature":0"#)
            let otherUser = try await h.chat(key: bob, extra: #","temperature":0"#)
            let warm = try await h.chat(key: alice, extra: #","temperature":0.7"#)
            #expect(first.header("x-tokenomics-cache") == "miss")
            #expect(second.header("x-tokenomics-cache") == "hit")
            #expect(second.body == first.body)
            #expect(otherUser.header("x-tokenomics-cache") == "miss")
            #expect(warm.header("x-tokenomics-cache") == nil)
            #expect(h.mock.requests.count == 3)
            let rows = try await h.rows()
            let hit = try #require(rows.first { $0.cacheHit })
            #expect(hit.cost == .zero)
            #expect(hit.saving == rows[0].cost)
            #expect(hit.saving > .zero)
            #expect(rows.filter(\.cacheHit).count == 1)
        }
    }

    @Test(arguments: Backend.available)
    func featureRoutesAndFallbacks(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let digest = try await h.key(feature: "digest")
            let routed = try await h.chat("gpt-4o-mini", key: digest)
            #expect(routed.status == 200)
            #expect(h.mock.requests.last?.body["model"]?.stringValue == "gpt-4o")
            let key = try await h.key()
            let fellBack = try await h.chat("gpt-4.1", key: key)
            #expect(fellBack.status == 200)
            #expect(h.mock.requests.last?.body["model"]?.stringValue == "gpt-4o-mini")
            let rows = try await h.rows()
            #expect(rows.map(\.modelServed) == ["gpt-4o", "gpt-4o-mini"])
        }
    }
}

@Suite(.serialized)
struct FaultTests {
    @Test(arguments: Backend.available)
    func badInputAndFaultsAreAnsweredInOpenAIsErrorShape(backend: Backend) async throws {
        try await Harness.run(backend, configure: { $0.maxBodyBytes = 2_000 }) { h in
            let key = try await h.key()
            func expectError(_ reply: Reply, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(reply.status == status, sourceLocation: sourceLocation)
                #expect(reply.json?["error"]?["code"]?.stringValue == code, "\(reply.body)", sourceLocation: sourceLocation)
                #expect(reply.json?["error"]?["message"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
            }
            expectError(try await h.request(.POST, "/v1/chat/completions", body: #"{"model": "gpt-4o-mini", "messages": [}"#, key: key), 400, "invalid_json")
            expectError(try await h.chat(key: key, content: String(repeating: "x", count: 5_000)), 413, "request_too_large")
            let unknown = try await h.chat("gpt-4o-minii", key: key)
            expectError(unknown, 404, "model_not_found")
            #expect(unknown.json?["error"]?["message"]?.stringValue?.contains("'gpt-4o-mini'") == true)
            expectError(try await h.chat(key: nil), 401, "invalid_api_key")
            expectError(try await h.chat(key: "tk-0123456789abcdef-nope"), 401, "invalid_api_key")
            expectError(try await h.request(.POST, "/v1/chat/complete", body: "{}", key: key), 404, "unknown_url")
            expectError(try await h.chat("o3-mini", key: key), 502, "upstream_unreachable")
            expectError(try await h.chat("gpt-4.1-nano", key: key), 504, "upstream_timeout")

            let revoked = try await h.ledger.createKey(NewKey(user: "mallory"), now: Date())
            #expect(try await h.chat(key: revoked.secret).status == 200)
            _ = try await h.ledger.revokeKey(id: revoked.info.id, now: Date())
            expectError(try await h.chat(key: revoked.secret), 401, "invalid_api_key")

            // Every refused or failed request is in the ledger, and no reservation is left open.
            let rows = try await h.rows()
            #expect(rows.map(\.status).sorted() == [200, 400, 401, 401, 401, 404, 413, 502, 504])
            #expect(try await h.ledger.openReservations().isEmpty)
            // The provider key never reaches the client or the ledger.
            #expect(rows.allSatisfy { !"\($0)".contains(Harness.providerKey) })
        }
    }

    @Test func upstreamFailureWithoutFallbackIsABadGateway() async throws {
        try await Harness.run(.sqlite, configure: { $0.routes.fallbacks = [:] }) { h in
            let key = try await h.key()
            let reply = try await h.chat("gpt-4.1", key: key)
            #expect(reply.status == 502)
            #expect(reply.json?["error"]?["code"]?.stringValue == "upstream_error")
        }
    }
}

@Suite(.serialized)
struct AdminTests {
    @Test(arguments: Backend.available)
    func theAdminAPIManagesKeysAndBudgets(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let admin = Harness.adminKey
            #expect(try await h.request(.GET, "/admin/keys", key: "wrong").status == 401)
            let created = try await h.request(.POST, "/admin/keys", body: #"{"user":"dana","budget_usd":"2.50","period":"day"}"#, key: admin)
            #expect(created.status == 200)
            let secret = try #require(created.json?["key"]?.stringValue)
            let id = try #require(created.json?["id"]?.stringValue)
            #expect(try await h.chat(key: secret).status == 200)
            let set = try await h.request(.PUT, "/admin/budgets", body: #"{"scope":"user","subject":"dana","budget_usd":10,"period":"month"}"#, key: admin)
            #expect(set.status == 200)
            await h.gateway.writer.flush()
            let budgets = try await h.request(.GET, "/admin/budgets?user=dana", key: admin)
            let list = try #require(budgets.json?.arrayValue)
            #expect(list.count == 2)
            for budget in list {
                #expect(budget["user"]?.stringValue == "dana")
                for field in ["period", "budget_usd", "spent_usd", "reserved_usd", "remaining_usd"] { #expect(budget[field] != nil) }
            }
            let keyBudget = try #require(list.first { $0["scope"]?.stringValue == "key" })
            #expect(keyBudget["subject"]?.stringValue == id)
            #expect(keyBudget["spent_usd"]?.doubleValue.map { $0 > 0 } == true)
            #expect(list.first { $0["scope"]?.stringValue == "user" }?["budget_usd"]?.doubleValue == 10)
            let spend = try await h.request(.GET, "/admin/spend?by=user", key: admin)
            #expect(spend.json?.arrayValue?.first?["user"]?.stringValue == "dana")
            #expect(try await h.request(.DELETE, "/admin/keys/\(id)", key: admin).status == 200)
            #expect(try await h.chat(key: secret).status == 401)
        }
    }

    /// The admin API's JSON, byte for byte (ids and times masked): compact, keys in this order,
    /// money as exact decimal numbers.
    @Test func theAdminAPIAnswersThePinnedJSON() async throws {
        try await Harness.run(.sqlite) { h in
            let admin = Harness.adminKey
            let created = try await h.request(.POST, "/admin/keys", body: #"{"user":"erin","feature":"chat","rpm":60,"budget_usd":"2.50","period":"day"}"#, key: admin)
            let id = try #require(created.json?["id"]?.stringValue)
            let secret = try #require(created.json?["key"]?.stringValue)
            func masked(_ text: String) -> String {
                text.replacingOccurrences(of: secret, with: "SECRET").replacingOccurrences(of: id, with: "ID")
                    .replacing(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, with: "TIME")
            }
            #expect(masked(created.body) == #"{"key":"SECRET","id":"ID"}"#)
            #expect(masked(try await h.request(.GET, "/admin/keys", key: admin).body)
                == #"[{"id":"ID","user":"erin","feature":"chat","rpm":60,"tpm":null,"created_at":"TIME","revoked_at":null}]"#)
            #expect(try await h.chat(key: secret).status == 200)
            let set = try await h.request(.PUT, "/admin/budgets", body: #"{"scope":"user","subject":"erin","budget_usd":10.5,"period":"month","soft_percent":90}"#, key: admin)
            #expect(set.body == #"{"user":"erin","scope":"user","subject":"erin","period":"month","budget_usd":10.5,"spent_usd":0,"reserved_usd":0,"remaining_usd":10.5,"soft_percent":90,"soft_threshold_reached":false}"#)
            await h.gateway.writer.flush()
            let cost = try Harness.cost("gpt-4o-mini", Harness.chatUsage).exactString
            let remaining = (try Money(exactly: "2.5") - Money(exactly: cost)).exactString
            // The user budget was set after the request: it starts empty.
            #expect(masked(try await h.request(.GET, "/admin/budgets?user=erin", key: admin).body)
                == #"[{"user":"erin","scope":"key","subject":"ID","period":"day","budget_usd":2.5,"spent_usd":\#(cost),"reserved_usd":0,"remaining_usd":\#(remaining),"soft_percent":80,"soft_threshold_reached":false},{"user":"erin","scope":"user","subject":"erin","period":"month","budget_usd":10.5,"spent_usd":0,"reserved_usd":0,"remaining_usd":10.5,"soft_percent":90,"soft_threshold_reached":false}]"#)
            #expect(try await h.request(.GET, "/admin/spend?by=feature", key: admin).body
                == #"[{"feature":"chat","requests":1,"cache_hits":0,"cost_usd":\#(cost),"saving_usd":0,"input_tokens":100,"output_tokens":20}]"#)
            #expect(masked(try await h.request(.DELETE, "/admin/keys/\(id)", key: admin).body) == #"{"id":"ID","revoked":true}"#)
            #expect(try await h.request(.PUT, "/admin/budgets", body: #"{"scope":"team"}"#, key: admin).body
                == #"{"error":{"message":"scope must be key, user or feature.","type":"invalid_request_error","param":null,"code":"invalid_request"}}"#)
        }
    }
}

struct RateLimitHeaderTests {
    /// `x-ratelimit-reset-*` as OpenAI writes it: seconds with up to three decimals, no trailing zeros.
    @Test(arguments: [(0, "0s"), (1500, "1.5s"), (60_000, "60s"), (12_345, "12.345s"), (50, "0.05s"), (999, "0.999s")])
    func resetIsWrittenInSeconds(milliseconds: Int, expected: String) {
        #expect(Gateway.seconds(milliseconds: milliseconds) == expected)
    }
}
