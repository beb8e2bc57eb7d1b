import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore

struct ExampleScenarioTests {
    static let examples = ["textbook", "support-copilot", "coding-agent", "contract-review"]

    @Test func aMissingScenarioFileSaysSo() throws {
        #expect(throws: ModelingError.unreadable(file: "/no/such/scenario.yaml", reason: "no such file or directory")) {
            try Scenario.readFile("/no/such/scenario.yaml", catalog: catalog)
        }
        #expect(throws: ModelingError.unreadable(file: "/tmp", reason: "is a directory")) {
            try Scenario.readFile("/tmp", catalog: catalog)
        }
        let latin1 = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString).yaml")
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xE9, 0x0A]).write(to: latin1)
        defer { try? FileManager.default.removeItem(at: latin1) }
        #expect(throws: ModelingError.unreadable(file: latin1.path, reason: "not UTF-8 text")) {
            try Scenario.readFile(latin1.path, catalog: catalog)
        }
    }

    @Test(arguments: examples)
    func exampleRunsAndIsDeterministic(name: String) async throws {
        let path = repositoryRoot.appendingPathComponent("Examples/\(name).yaml").path
        let s = try Scenario.readFile(path, catalog: catalog)
        let model = ScenarioModel(catalog: catalog, today: "2026-01-01")
        let a = try await model.run(s)
        let b = try await model.run(s)
        #expect(a.users.mean == b.users.mean)
        #expect(a.plans.map(\.revenue) == b.plans.map(\.revenue))
        #expect(a.projection == b.projection)
        #expect(!a.plans.isEmpty)
        #expect(a.projection.count == s.projection.months)
        // The mean monthly cost is the mean interactions times the cost per interaction.
        let total = Int((a.users.meanInteractions * Double(a.users.users)).rounded())
        #expect(a.users.mean == (a.costPerInteraction * total).divided(by: a.users.users))
    }

    @Test func examplesReachTheirDocumentedVerdicts() async throws {
        let expected: [String: Verdict.Kind] = ["textbook": .matters, "support-copilot": .dominates, "coding-agent": .dominates, "contract-review": .negligible]
        for (name, kind) in expected {
            let s = try Scenario.readFile(repositoryRoot.appendingPathComponent("Examples/\(name).yaml").path, catalog: catalog)
            let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
            #expect(result.verdict.kind == kind, "\(name)")
        }
    }

    @Test func textbookScenarioMatchesTheEstimate() async throws {
        let s = try Scenario.readFile(repositoryRoot.appendingPathComponent("Examples/textbook.yaml").path, catalog: catalog)
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        #expect(result.costPerInteraction == (try Money(exactly: "0.01")))
        #expect(result.users.mean == .dollars(2))
        let pro = try #require(result.plans.first)
        #expect(abs(try #require(pro.grossMargin) - 28.0 / 30) < 1e-15)
        #expect(pro.underwaterShare == 0)
        #expect(pro.breakEvenInteractions == 3000)
    }
}
