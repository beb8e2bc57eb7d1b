import LedgerTestSupport
import Foundation
@testable import Gateway
import Ledger
import Pricing
import Testing
import TokenomicsCore

/// The official `openai` Python SDK as a real client of the gateway, streaming and not.
struct OpenAISDKTests {
    /// `python3` as found on PATH (through /usr/bin/env), so a pyenv or venv interpreter is used.
    static let python: String? = FileManager.default.isExecutableFile(atPath: "/usr/bin/env") ? "/usr/bin/env" : nil

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python ?? "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }

    static var sdkAvailable: Bool {
        guard python != nil, let check = try? run(["-c", "import openai"]) else { return false }
        if check.status != 0 { print("Skipping the openai SDK test: `python3 -c \"import openai\"` failed (pip install openai).") }
        return check.status == 0
    }

    @Test(.enabled(if: sdkAvailable, "needs python3 with the openai package"), arguments: Backend.available)
    func theOfficialSDKWorksAgainstTheGateway(backend: Backend) async throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("python/openai_client.py").path
        try await Harness.run(backend) { h in
            let key = try await h.key(user: "sdk", budget: .cents(1))
            let port = h.port
            // Wait for python on a dispatch thread: blocking the cooperative pool could starve the in-process gateway it calls.
            let result = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try Self.run([script, "http://127.0.0.1:\(port)/v1", key]) }) }
            }
            #expect(result.status == 0, "\(result.error)")
            let json = try #require(try? JSONValue.parse(Array(result.output.utf8)), "\(result.output)\n\(result.error)")
            #expect(json["plain"]?["content"]?.stringValue == "Hello world")
            #expect(json["plain"]?["prompt_tokens"]?.intValue == 100)
            #expect(json["plain"]?["cached"]?.intValue == 40)
            #expect(json["stream"]?["text"]?.stringValue == "Hello world, this is a streamed answer")
            #expect(json["stream"]?["usage_chunks"]?.intValue == 0)
            #expect(json["stream_with_usage"]?["completion_tokens"]?.intValue == 20)
            #expect(json["embedding"]?["count"]?.intValue == 2)
            #expect(json["unknown_model"]?["status"]?.intValue == 404)
            #expect(json["unknown_model"]?["code"]?.stringValue == "model_not_found")
            #expect(json["over_budget"]?["status"]?.intValue == 429)
            #expect(json["over_budget"]?["code"]?.stringValue == "budget_exceeded")
            let rows = try await h.rows()
            #expect(rows.map(\.status) == [200, 200, 200, 200, 404, 429])
            #expect(rows.filter { $0.status == 200 && $0.endpoint == "/v1/chat/completions" }.allSatisfy { $0.usage == Harness.chatUsage })
        }
    }
}
