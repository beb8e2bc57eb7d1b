import LedgerTestSupport
import AsyncHTTPClient
import Foundation
import Ledger
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// A client that stops reading must stall the upstream stream (backpressure all the way through),
/// never make the gateway buffer the stream in memory.
struct SlowClientTests {
    /// Waits until the upstream has written nothing new for over a second; returns what it wrote.
    static func stalledUpstreamBytes(_ mock: MockUpstream, timeout: Duration = .seconds(60)) async throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last = -1
        var unchanged = 0
        while clock.now < deadline {
            let now = mock.floodBytes.load(ordering: .relaxed)
            unchanged = now == last && now > 0 ? unchanged + 1 : 0
            if unchanged == 3 { return now }
            last = now
            try await Task.sleep(for: .milliseconds(400))
        }
        Issue.record("the upstream never stalled: it kept writing (\(last) bytes) while the client read nothing")
        return last
    }

    @Test func aClientThatStopsReadingStallsTheUpstreamInsteadOfFillingMemory() async throws {
        try await Harness.run(.sqlite) { h in
            let key = try await h.key()
            let response = try await HTTPClient.shared.execute(h.streamingChat("gpt-4o-2024-11-20", key: key, content: "Flood me"), timeout: .seconds(120))
            #expect(response.status == .ok)
            var iterator = response.body.makeAsyncIterator()
            // Read the first chunk, then read nothing more.
            let first = try #require(try await iterator.next())
            #expect(String(buffer: first).hasPrefix("data: "))
            let stalled = try await Self.stalledUpstreamBytes(h.mock)
            // Kernel socket buffers (loopback autotunes receive buffers up to tcp_rmem's maximum, 32 MB
            // here, on both connections), NIO's and the HTTP clients' buffers hold tens of megabytes;
            // the stream is 1 GB, and an unbounded buffer would have taken all of it.
            #expect(stalled < 192 << 20, "the upstream wrote \(stalled >> 20) MB while the client read one chunk")

            // Reading again resumes the stream where it stopped: a stalled connection, not a stuck one.
            var resumed = 0
            while resumed < 4 << 20, let chunk = try await iterator.next() { resumed += chunk.readableBytes }
            #expect(resumed >= 4 << 20)
        }
        // Harness.run returns after the client hung up and the gateway shut down gracefully.
    }
}
