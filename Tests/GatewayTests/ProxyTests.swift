import LedgerTestSupport
import AsyncHTTPClient
import CostModel
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
@testable import Gateway
import Ledger
import Pricing
import Testing
import TokenomicsCore

@Suite(.serialized)
struct ProxyTests {
    @Test(arguments: Backend.available)
    func nonStreamingChatIsForwardedMeteredAndReconciled(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            try await h.ledger.setBudget(BudgetSetting(scope: .user, subject: "alice", limit: .dollars(1), period: .month), now: Date())
            let key = try await h.key(user: "alice", feature: "chat")
            let reply = try await h.chat("fast", key: key, extra: #","max_tokens":50"#)
            #expect(reply.status == 200)
            #expect(reply.json?["choices"]?.arrayValue?.count == 1)
            #expect(reply.header("x-tokenomics-cache") == nil || reply.header("x-tokenomics-cache") == "miss")

            // The upstream got the aliased model and the provider key from the environment.
            let sent = try #require(h.mock.requests.last)
            #expect(sent.body["model"]?.stringValue == "gpt-4o-mini")
            #expect(sent.headers[.authorization] == "Bearer \(Harness.providerKey)")

            let rows = try await h.rows()
            let row = try #require(rows.last)
            #expect(row.status == 200)
            #expect(row.user == "alice")
            #expect(row.feature == "chat")
            #expect(row.modelRequested == "fast")
            #expect(row.modelServed == "gpt-4o-mini")
            #expect(row.usage == Harness.chatUsage)
            #expect(!row.estimated)
            let expected = try Harness.cost("gpt-4o-mini", Harness.chatUsage)
            #expect(row.cost == StoredMoney.rounded(expected))
            #expect(row.latencyMicros > 0)
            #expect((row.upstreamLatencyMicros ?? 0) > 0)
            let budget = try #require(try await h.ledger.budgets(scope: .user, subject: "alice", now: Date()).first)
            #expect(budget.spent == row.cost)
            #expect(budget.reserved == .zero)
            #expect(try await h.ledger.openReservations().isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func streamsPassThroughAndTheUsageChunkIsStrippedUnlessAskedFor(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key()
            let plain = try await h.chat(key: key, extra: #","stream":true"#)
            #expect(plain.status == 200)
            #expect(plain.body.contains("Hello"))
            #expect(plain.body.hasSuffix("data: [DONE]\n\n"))
            #expect(!plain.body.contains(#""usage":{"#))
            // The gateway asked the upstream for usage on the client's behalf.
            #expect(h.mock.requests.last?.body["stream_options"]?["include_usage"]?.boolValue == true)

            let asked = try await h.chat(key: key, extra: #","stream":true,"stream_options":{"include_usage":true}"#)
            #expect(asked.body.contains(#""usage":{"prompt_tokens":100"#))

            let rows = try await h.rows().filter { $0.stream }
            #expect(rows.count == 2)
            for row in rows {
                #expect(row.usage == Harness.chatUsage)
                #expect(!row.estimated)
                #expect(row.cost == StoredMoney.rounded(try Harness.cost("gpt-4o-mini", Harness.chatUsage)))
            }
        }
    }

    @Test func theFirstEventIsNotHeldBack() async throws {
        try await Harness.run(.sqlite) { h in
            let key = try await h.key()
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await HTTPClient.shared.execute(h.streamingChat("gpt-4o-2024-05-13", key: key), timeout: .seconds(30))
            var firstChunk: Duration?
            var text = ""
            for try await chunk in response.body {
                if firstChunk == nil { firstChunk = start.duration(to: clock.now) }
                text += String(buffer: chunk)
            }
            let total = start.duration(to: clock.now)
            // The mock sends an event every 300 ms (six in all): held back, the first would arrive with the last.
            #expect(try #require(firstChunk) + .milliseconds(900) < total, "first chunk after \(firstChunk!), whole stream \(total)")
            #expect(text.hasSuffix("data: [DONE]\n\n"))
        }
    }

    @Test(arguments: Backend.available)
    func aStreamBrokenMidwayEndsWithAnErrorEventAndIsBilledForWhatWasSent(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key()
            let reply = try await h.chat("gpt-4o-2024-08-06", key: key, extra: #","stream":true"#)
            #expect(reply.status == 200)
            #expect(reply.body.contains("Hello"))
            #expect(reply.body.contains("stream_interrupted"))
            #expect(!reply.body.contains("[DONE]"))
            let row = try #require(try await h.rows().last)
            #expect(row.errorCode == "stream_interrupted")
            #expect(row.estimated)
            #expect(row.usage.output > 0)
            #expect(row.cost > .zero)
            #expect(try await h.ledger.openReservations().isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func missingUsageIsCountedLocallyAndMarkedEstimated(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key()
            let reply = try await h.chat("gpt-4.1-mini", key: key)
            #expect(reply.status == 200)
            let row = try #require(try await h.rows().last)
            #expect(row.estimated)
            #expect(row.usage.input > 0)
            #expect(row.usage.output == 3)  // "Hello world": 11 bytes / 4, rounded up
        }
    }

    @Test(arguments: Backend.available)
    func anthropicCacheReadsAndWritesAreBilledOnce(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key()
            let body = #"{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"Hi"}]}"#
            let whole = try await h.request(.POST, "/v1/messages", body: body, key: nil, headers: [("x-api-key", key)])
            #expect(whole.status == 200)
            #expect(h.mock.requests.last?.headers[.init("x-api-key")!] == Harness.providerKey)
            let stream = try await h.request(.POST, "/v1/messages", body: body.replacingOccurrences(of: "}]}", with: #"}],"stream":true}"#), key: key)
            #expect(stream.status == 200)
            #expect(stream.body.contains("message_stop"))
            let expectedUsage = Usage(input: 100, output: 10, cachedInput: 30, cacheWrite: 20)
            let rows = try await h.rows()
            #expect(rows.count == 2)
            for row in rows {
                #expect(row.usage == expectedUsage)
                #expect(row.cost == StoredMoney.rounded(try Harness.cost("claude-sonnet-4-5", expectedUsage)))
            }
            // 50 uncached × $3/M + 30 reads × $0.30/M + 20 writes × $3.75/M + 10 out × $15/M
            #expect(rows.first?.cost == (try Money(exactly: "0.000384")))
        }
    }

    @Test(arguments: Backend.available)
    func otherEndpointsAreMetered(backend: Backend) async throws {
        try await Harness.run(backend) { h in
            let key = try await h.key()
            let embedding = try await h.request(.POST, "/v1/embeddings", body: #"{"model":"text-embedding-3-small","input":["a","b"]}"#, key: key)
            #expect(embedding.status == 200)
            let completion = try await h.request(.POST, "/v1/completions", body: #"{"model":"gpt-3.5-turbo-instruct","prompt":"Once","max_tokens":5}"#, key: key)
            #expect(completion.status == 200)
            let response = try await h.request(.POST, "/v1/responses", body: #"{"model":"gpt-4o-mini","input":"Hi"}"#, key: key)
            #expect(response.status == 200)
            let responseStream = try await h.request(.POST, "/v1/responses", body: #"{"model":"gpt-4o-mini","input":"Hi","stream":true}"#, key: key)
            #expect(responseStream.body.contains("response.completed"))
            let models = try await h.request(.GET, "/v1/models", key: key)
            #expect(models.status == 200)
            let ids = models.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            #expect(ids.contains("fast"))
            #expect(ids.contains("gpt-4o-mini"))
            #expect(ids.contains("claude-sonnet-4-5"))

            let rows = try await h.rows()
            #expect(rows.map(\.endpoint) == ["/v1/embeddings", "/v1/completions", "/v1/responses", "/v1/responses"])
            #expect(rows[0].usage == Usage(input: 8))
            #expect(rows[1].usage == Harness.chatUsage)
            let responsesUsage = Usage(input: 30, output: 12, cachedInput: 10, reasoning: 4)
            #expect(rows[2].usage == responsesUsage)
            #expect(rows[3].usage == responsesUsage)
            #expect(rows[3].modelServed == "gpt-4o-mini-2024-07-18")
        }
    }
}
