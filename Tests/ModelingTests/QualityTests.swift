import Foundation
import Modeling
import Pricing
import Testing
import TokenomicsCore

/// The Arena ratings, the name map from catalog names to Arena names, and the model lever's quality rule.
struct QualityTests {
    static let arena = try! QualityRatings.arena()
    static let arenaNames: [String] = {
        let data = try! Data(contentsOf: repositoryRoot.appendingPathComponent("Sources/Modeling/Resources/arena-text.json"))
        let root = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let views = root["categories"] as! [String: Any]
        let full = (views["style_control"] as! [String: Any])["full"] as! [String: Any]
        return Array(full.keys)
    }()

    /// Catalog names (as LiteLLM and the providers write them) and the Arena entry they take.
    @Test(arguments: [
        // Dated snapshots: the undated name takes the latest; a dated one its own date, in any format.
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022"),
        ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20240620"),
        ("gpt-4o", "gpt-4o-2024-08-06"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"),
        ("gpt-4", "gpt-4-0613"),
        ("o1", "o1-2024-12-17"),
        ("o1-preview", "o1-preview"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("dashscope/qwen-plus-2025-01-25", "qwen-plus-0125"),
        ("vertex_ai/gemini-2.0-flash", "gemini-2.0-flash-001"),
        ("gemini-3-flash-preview", "gemini-3-flash"),
        // Effort and thinking variants.
        ("gpt-5", "gpt-5-high"),
        ("azure/gpt-5-mini-2025-08-07", "gpt-5-mini-high"),
        ("gpt-5-chat-latest", "gpt-5-chat"),
        ("gpt-5.1", "gpt-5.1"),
        ("o3-mini", "o3-mini"),
        ("gemini/gemini-2.5-flash-lite", "gemini-2.5-flash-lite-preview-09-2025-no-thinking"),
        ("claude-opus-4-5-thinking", "claude-opus-4-5-20251101-thinking-32k"),
        ("qwen3-235b-a22b-thinking-2507", "qwen3-235b-a22b-thinking-2507"),
        ("deepseek/deepseek-reasoner", "deepseek-v3.2-thinking"),
        // Provider prefixes, Bedrock regions and API versions, Vertex's @, hosts' spellings.
        ("bedrock/us.anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku-20241022"),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929"),
        ("vertex_ai/claude-3-5-sonnet@20240620", "claude-3-5-sonnet-20240620"),
        ("openrouter/anthropic/claude-3.5-sonnet", "claude-3-5-sonnet-20241022"),
        ("azure/gpt-4.1", "gpt-4.1-2025-04-14"),
        ("oci/xai.grok-4", "grok-4-0709"),
        ("deepinfra/deepseek-ai/DeepSeek-V3", "deepseek-v3"),
        ("fireworks_ai/accounts/fireworks/models/llama-v3p1-70b-instruct", "llama-3.1-70b-instruct"),
        ("together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo", "llama-3.1-70b-instruct"),
        ("us.meta.llama3-1-70b-instruct-v1:0", "llama-3.1-70b-instruct"),
        ("novita/qwen/qwen-2.5-72b-instruct", "qwen2.5-72b-instruct"),
        ("ollama/deepseek-v3.1:671b-cloud", "deepseek-v3.1"),
        ("amazon.nova-pro-v1:0", "amazon-nova-pro-v1.0"),
        // Known aliases.
        ("deepseek/deepseek-chat", "deepseek-v3.2"),
        ("groq/llama-3.3-70b-versatile", "llama-3.3-70b-instruct"),
    ])
    func nameMap(catalogName: String, arenaName: String) {
        #expect(Self.arena.rating(of: catalogName, task: .general)?.name == arenaName, "\(catalogName)")
    }

    /// Names that must stay unrated: a wrong rating is worse than none.
    @Test(arguments: [
        "azure/gpt-4o-2024-11-20",           // a snapshot the Arena did not rate
        "mistral/ministral-8b-2512",         // a later model than the rated ministral-8b-2410
        "gemini-pro-latest",                 // an alias of whatever is newest, not the 2023 gemini-pro
        "mistral/mistral-large-latest",
        "kimi-k2-thinking",                  // thinking: the Arena's kimi-k2 entries do not think
        "fireworks_ai/accounts/fireworks/models/qwen3-30b-a3b-thinking-2507",
        "ft:gpt-4o-mini-2024-07-18:acme::abc123",
        "gpt-4o-audio-preview",
        "text-embedding-3-small",
    ])
    func unrated(catalogName: String) {
        #expect(Self.arena.rating(of: catalogName, task: .general) == nil, "\(catalogName) → \(Self.arena.rating(of: catalogName, task: .general)?.name ?? "")")
    }

    /// Over the whole bundled catalog: thinking matches thinking only, and a dated catalog name
    /// never takes another date.
    @Test func nameMapKeepsVariantsAndDatesOverTheCatalog() {
        var matched = 0
        for model in catalog.models where model.mode == "chat" || model.mode == "responses" {
            guard let name = Self.arena.rating(of: model.name, task: .general)?.name else { continue }
            matched += 1
            let tail = model.name.lowercased().split(separator: "/").last.map(String.init) ?? ""
            let thinks = (tail.contains("thinking") && !tail.contains("no-thinking")) || tail.contains("reasoner")   // deepseek-reasoner: the alias
            #expect(thinks == (name.contains("thinking") && !name.contains("no-thinking")), "\(model.name) → \(name)")
            for date in Self.eightDigitDates(tail) where !name.contains(date) {
                // A different full date in the Arena name would be another snapshot.
                #expect(Self.eightDigitDates(name).isEmpty, "\(model.name) → \(name)")
            }
        }
        #expect(matched > 500, "only \(matched) catalog models rated")
    }

    static func eightDigitDates(_ text: String) -> [String] {
        text.split(whereSeparator: { !$0.isNumber }).map(String.init).filter { $0.count == 8 && $0.hasPrefix("20") }
    }

    @Test func tasksReadTheirArenaCategory() throws {
        let expected: [QualityTask: String] = [
            .general: "full", .coding: "coding", .hard: "hard_6", .math: "math", .creative: "creative_writing", .instructions: "if", .long: "long_user",
        ]
        for (task, category) in expected { #expect(task.arenaCategory == category) }
        // Values straight from the snapshot (style control view).
        #expect(Self.arena.rating(of: "claude-sonnet-4-5", task: .general)?.value == 1445.4)
        #expect(Self.arena.rating(of: "claude-sonnet-4-5", task: .coding)?.value == 1504.1)
        #expect(Self.arena.rating(of: "gpt-4o", task: .long)?.value == 1334.3)
        let raw = try QualityRatings.arena(view: "raw")
        #expect(raw.rating(of: "gpt-4o", task: .general) != nil)
        #expect(raw.rating(of: "gpt-4o", task: .general)?.value != Self.arena.rating(of: "gpt-4o", task: .general)?.value)
        #expect(Self.arena.date == "2025-12-17")
        #expect(Self.arena.snapshotNote.contains("snapshot of 2025-12-17"))
        #expect(throws: ModelingError.self) { try QualityRatings.arena(view: "sunny") }
    }

    @Test func scoresFile() throws {
        let ratings = try QualityRatings.scores(csv: "model,score,coding\ngpt-4o,0.81,0.77\n\"claude-haiku-4-5\",0.79,\n", file: "evals.csv")
        #expect(ratings.rating(of: "gpt-4o", task: .general)?.value == 0.81)
        #expect(ratings.rating(of: "azure/gpt-4o", task: .coding)?.value == 0.77)
        #expect(ratings.rating(of: "claude-haiku-4-5", task: .coding)?.value == nil)   // its coding cell is empty
        #expect(ratings.rating(of: "claude-haiku-4-5", task: .math)?.value == 0.79)    // no math column: the score
        #expect(ratings.rating(of: "gpt-4o-mini", task: .general) == nil)
        for (csv, message) in [
            ("name,score\nx,1\n", "evals.csv:1: no 'model' column"),
            ("model,rating\nx,1\n", "evals.csv:1: no 'score' column"),
            ("model,score\ngpt-4o,good\n", "evals.csv:2: column 'score' is not a number: 'good'"),
            ("model,score\ngpt-4o,1,2\n", "evals.csv:2: 3 fields, but the header has 2"),
        ] {
            #expect { try QualityRatings.scores(csv: csv, file: "evals.csv") } throws: { ($0 as? ModelingError)?.description.hasPrefix(message) == true }
        }
    }

    /// The scenario fields: `task` (interaction default, call override), `levers.max_rating_drop`, `quality`.
    @Test func scenarioFields() throws {
        let s = try scenario("""
            users: {active: 10, interactions_per_month: {mean: 10}}
            interactions:
              - task: coding
                calls:
                  - {model: gpt-4o, input: 1000, output: 100}
                  - {model: gpt-4o, input: 1000, output: 100, task: math}
            levers: {max_rating_drop: 35}
            """)
        #expect(s.interactions[0].calls.map(\.task) == [.coding, .math])
        #expect(s.maxRatingDrop == 35)
        #expect(s.quality?.view == "style_control")
        #expect(throws: ModelingError.self) {
            try scenario("users: {active: 1, interactions_per_month: {mean: 1}}\ninteractions: [{calls: [{model: gpt-4o, input: 1, output: 1, task: poetry}]}]\n")
        }
        let own = try Self.scenarioWithScores("model,score\ngpt-4o,80\ngpt-4o-mini,75\n")
        #expect(own.quality?.view == "file")
        #expect(own.quality?.rating(of: "gpt-4o-mini", task: .general)?.value == 75)
    }

    /// A one-call gpt-4o scenario beside an `evals.csv` with these contents, read with `quality: {file: evals.csv}`.
    static func scenarioWithScores(_ csv: String) throws -> Scenario {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quality-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try csv.write(to: directory.appendingPathComponent("evals.csv"), atomically: true, encoding: .utf8)
        return try Scenario.read(text: """
            users: {active: 100, interactions_per_month: {mean: 10}}
            interactions: [{calls: [{model: gpt-4o, input: 1000, output: 100}]}]
            quality: {file: evals.csv}
            levers: {max_rating_drop: 10}
            """, file: directory.appendingPathComponent("s.yaml").path, catalog: catalog)
    }

    /// With the user's scores, the model lever picks among the scored models only, within the drop.
    @Test func leverUsesTheScoresFile() async throws {
        let s = try Self.scenarioWithScores("model,score\ngpt-4o,80\ngpt-4o-mini,75\ngpt-4.1-nano,60\n")
        let result = try await ScenarioModel(catalog: catalog, today: "2026-01-01").run(s)
        let swap = try #require(result.levers.first { $0.kind == .model })
        #expect(swap.change.hasSuffix("→ gpt-4o-mini"))
        #expect(swap.quality?.view == "file")
        #expect(swap.quality?.from.rating?.value == 80 && swap.quality?.to.rating?.value == 75)
    }

    /// The quality rule on every example: each `model` lever row keeps the rating within
    /// `max_rating_drop` in the call's task, fits the call, saves money, and is the cheapest such
    /// model in the catalog (checked by pricing every one); `model_cheapest` rows say the drop.
    @Test(arguments: ["support-copilot.yaml", "coding-agent.yaml", "contract-review.yaml", "textbook.yaml"])
    func qualityRuleOnEveryExample(example: String) async throws {
        let s = try Scenario.readFile(repositoryRoot.appendingPathComponent("Examples/\(example)").path, catalog: catalog)
        let today = "2026-01-01"
        let result = try await ScenarioModel(catalog: catalog, today: today).run(s, simulatedUsers: 2000)
        let ratings = try #require(s.quality)
        let calls = s.interactions.flatMap(\.calls)
        var swapsSeen = 0
        for call in calls {
            let rows = result.levers.filter { $0.kind == .model && $0.change.hasPrefix(call.path + ".model:") }
            guard let current = ratings.rating(of: call.model.name, task: call.task) else {
                #expect(result.notes.contains { $0.hasPrefix("\(call.path): \(call.model.name) has no rating") }, "\(call.path) unrated, with a note")
                continue
            }
            // The oracle: every catalog model that fits and keeps the rating, priced exactly.
            let largest = call.input.total + (call.repeatCount - 1) * call.contextGrowth
            let currentCost = try InteractionPricing.price(call).cost
            var cheapest: (Money, String)?
            for model in catalog.models where ModelChoice.fits(model, replacing: call.model, largestPrompt: largest, largestOutput: call.output, today: today) {
                guard let rating = ratings.rating(of: model.name, task: call.task), rating.value >= current.value - s.maxRatingDrop else { continue }
                var swapped = call
                swapped.model = model
                let cost = try InteractionPricing.price(swapped).cost
                if cost < currentCost, cheapest == nil || cost < cheapest!.0 { cheapest = (cost, model.name) }
            }
            #expect(rows.count == (cheapest == nil ? 0 : 1), "\(example) \(call.path)")
            guard let row = rows.first, let cheapest else { continue }
            swapsSeen += 1
            // The cheapest cost (several hosts may tie on it: the lever then prefers the current provider).
            #expect(row.costPerInteraction == (try InteractionPricing(row.scenario).costPerInteraction))
            var swapped = call
            swapped.model = try catalog.model(named: String(row.change.split(separator: "→").last!.trimmingCharacters(in: .whitespaces)))
            #expect(try InteractionPricing.price(swapped).cost == cheapest.0, "\(example) \(call.path): \(row.change), cheapest keeping quality is \(cheapest.1)")
            let quality = try #require(row.quality)
            #expect(quality.view == ratings.view && quality.task == call.task && quality.category == call.task.arenaCategory)
            #expect(quality.from.model == call.model.name && quality.from.rating == current)
            let to = try #require(quality.to.rating)
            #expect(to.value >= current.value - s.maxRatingDrop)
            #expect(row.monthlySaving > .zero)
        }
        for row in result.levers where row.kind == .modelCheapest {
            let quality = try #require(row.quality)
            if quality.from.rating != nil && quality.to.rating != nil { #expect(quality.ratingDrop != nil) }
            #expect(quality.summary.contains("→"))
        }
        if result.levers.contains(where: { $0.quality != nil }) {
            #expect(result.notes.contains { $0.contains("a snapshot of 2025-12-17") })
        }
        _ = swapsSeen
    }
}
