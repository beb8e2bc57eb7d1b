import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import NIOCore
import NIOHTTP1
import Pricing
import Synchronization
import Testing
import TokenomicsCore

/// The built `tokenomics` binary, run as a server process.
final class ServerProcess: Sendable {
    static let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/tokenomics").path

    let process: Process
    private let stderr = Counter<String>("")

    init(arguments: [String], environment: [String: String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        self.process = process
        let buffer = stderr
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { buffer.update { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
    }

    var log: String { stderr.value }

    /// Waits for the "gateway listening" line and returns the port it names.
    func port(timeout: Duration = .seconds(60)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let range = log.range(of: #"listen\.port=(\d+)"#, options: .regularExpression) {
                return Int(log[range].dropFirst("listen.port=".count))!
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    func signal(_ value: Int32) { kill(process.processIdentifier, value) }

    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return process.terminationStatus
    }
}

/// A value shared between tasks.
final class Counter<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: Value) { state = Mutex(value) }
    var value: Value { state.withLock { $0 } }
    func update(_ body: (inout Value) -> Void) { state.withLock { body(&$0) } }
}

/// A slow OpenAI-shaped upstream: each answer takes 150 ms and reports 100 prompt and 20 completion tokens.
func slowUpstream() -> some ApplicationProtocol {
    let router = Router()
    router.post("/v1/chat/completions") { request, _ in
        _ = try await request.body.collect(upTo: 1 << 20)
        try await Task.sleep(for: .milliseconds(150))
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"id":"c","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120}}"#)))
    }
    return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
}

struct GatewayBinaryTests {
    static var binaryBuilt: Bool { FileManager.default.isExecutableFile(atPath: ServerProcess.binary) }

    /// `kill -9` under load: after a restart, no reservation is left open and every acknowledged request is billed.
    @Test(.enabled(if: binaryBuilt, "needs .build/debug/tokenomics (swift build)"), arguments: CommandBackend.available)
    func killDashNineLosesNothingAcknowledged(backend: CommandBackend) async throws {
        let database = try await backend.scratch()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let created = try parseJSON(try await runCommand(["keys", "create", "--database", database, "--user", "crash", "--budget", "1", "--json"]))
        guard case .string(let key) = created["key"], case .string(let keyID) = created["id"] else { Issue.record("no key"); return }

        try await slowUpstream().test(.live) { upstream in
            let config = directory.appendingPathComponent("gateway.yaml")
            try """
            listen: {host: 127.0.0.1, port: 0}
            upstreams:
              - {name: mock, kind: openai, base_url: "http://127.0.0.1:\(upstream.port!)/v1", api_key_env: MOCK_KEY, models: ["gpt-4o-mini"]}
            ledger: {flush_interval_ms: 5000, batch_size: 10000}
            key_cache_seconds: 0
            recovery_grace_seconds: 0
            """.write(to: config, atomically: true, encoding: .utf8)
            let arguments = ["serve", "--config", config.path, "--database", database, "--no-user-catalog"]
            let first = try ServerProcess(arguments: arguments, environment: ["MOCK_KEY": "sk-mock"])
            let port = try await first.port()

            // 40 concurrent requests; kill -9 once some have been answered (and their rows are still in the writer's buffer).
            let acknowledged = Counter(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/chat/completions")
                        request.method = .POST
                        request.headers.add(name: "authorization", value: "Bearer \(key)")
                        request.body = .bytes(ByteBuffer(string: #"{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"\#(String(repeating: "word ", count: 120))"}]}"#))
                        if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(10)), response.status == .ok,
                            (try? await response.body.collect(upTo: 1 << 20)) != nil
                        {
                            acknowledged.update { $0 += 1 }
                        }
                    }
                }
                group.addTask {
                    let deadline = ContinuousClock.now + .seconds(20)
                    while acknowledged.value < 5 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
                    first.signal(SIGKILL)
                }
                try await group.waitForAll()
            }
            _ = try await first.waitForExit()
            let answered = acknowledged.value
            #expect(answered >= 5, "server log:\n\(first.log.suffix(3000))")

            // Restart: recovery settles what the killed process left open. Then stop it gracefully.
            let second = try ServerProcess(arguments: arguments, environment: ["MOCK_KEY": "sk-mock"])
            let secondPort = try await second.port()
            #expect(second.log.contains("recovered reservations") || answered == 40)
            // One more request, then the Prometheus endpoint shows it.
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(secondPort)/v1/chat/completions")
            request.method = .POST
            request.headers.add(name: "authorization", value: "Bearer \(key)")
            request.body = .bytes(ByteBuffer(string: #"{"model":"gpt-4o-mini","max_tokens":20,"messages":[{"role":"user","content":"\#(String(repeating: "word ", count: 120))"}]}"#))
            let answer = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(answer.status == .ok)
            _ = try await answer.body.collect(upTo: 1 << 20)
            var metricsRequest = HTTPClientRequest(url: "http://127.0.0.1:\(secondPort)/metrics")
            metricsRequest.method = .GET
            let metrics = try await HTTPClient.shared.execute(metricsRequest, timeout: .seconds(10))
            #expect(metrics.status == .ok)
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains(#"tokenomics_requests_total{"#))
            #expect(text.contains("tokenomics_upstream_latency_seconds"))
            #expect(text.contains("tokenomics_cost_usd_total"))
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }

        try await LedgerURL.parse(database).withLedger { ledger in
            #expect(try await ledger.openReservations().isEmpty)
            var rows: [RequestRecord] = []
            for try await row in ledger.allRecords() { rows.append(row) }
            let billed = rows.filter { $0.status == 200 || $0.status == 0 }
            let budget = try #require(try await ledger.budgets(scope: .key, subject: keyID, now: Date()).first)
            #expect(budget.reserved == .zero)
            #expect(budget.spent == Money.sum(rows.map(\.cost)))
            #expect(budget.spent <= budget.limit)
            let perRequest = StoredMoney.rounded(try Money(exactly: "0.000027"))  // 100 × $0.15/M + 20 × $0.60/M
            #expect(billed.count > 0)
            #expect(rows.filter { $0.status == 0 }.allSatisfy { $0.estimated && $0.cost >= perRequest })
            #expect(budget.spent >= perRequest * billed.count)
        }
    }
}
