import Foundation
import Testing
import TokenomicsCore

@testable import Pricing

struct CatalogTests {
    static let bundled: Catalog = try! CatalogLoader.bundled()

    @Test func bundledCatalogHasThousandsOfModelsWithProvenance() throws {
        let catalog = Self.bundled
        #expect(catalog.count > 3500)
        let source = try #require(catalog.sources.first)
        #expect(source.version.contains("1.110.2"))
        #expect(source.sha256 == "8943af58bf9f979c6a4bef815687117ffa341e462a41faed9be17b5c33d3dcc2")
        #expect(Set(catalog.models.map(\.mode)) == ["chat", "completion", "embedding", "responses"])
        #expect(catalog.models.allSatisfy { $0.hasTokenPrices })
    }

    @Test(arguments: [
        ("gpt-4o", "gpt-4o"), ("GPT-4o", "gpt-4o"), ("openai/gpt-4o", "gpt-4o"),
        ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"), (" claude-sonnet-4-5 ", "claude-sonnet-4-5"),
        ("gemini/gemini-2.5-pro", "gemini/gemini-2.5-pro"),
    ])
    func findsByExactPrefixedAndCaseInsensitiveName(query: String, expected: String) throws {
        #expect(try Self.bundled.model(named: query).name == expected)
    }

    /// A catalog file that cannot be read is refused with the system's reason, not Foundation's
    /// "The operation could not be completed".
    @Test func unreadableCatalogFileSaysWhy() {
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: PricingError.unreadable(path: directory, reason: "is a directory")) {
            try CatalogLoader(extraFiles: [directory], includeUserCatalog: false).load()
        }
        #expect(throws: PricingError.unreadable(path: "/no/such/catalog.json", reason: "no such file or directory")) {
            try CatalogLoader(extraFiles: ["/no/such/catalog.json"], includeUserCatalog: false).load()
        }
    }

    @Test func missNamesTheThreeClosestModels() {
        do {
            _ = try Self.bundled.model(named: "gpt4o")
            Issue.record("expected a miss")
        } catch {
            guard case .unknownModel(let name, let suggestions) = error else { Issue.record("wrong error \(error)"); return }
            #expect(name == "gpt4o")
            #expect(suggestions.count == 3)
            #expect(suggestions.first == "gpt-4o")
            #expect(error.description.contains("Did you mean 'gpt-4o'"))
        }
    }

    @Test func gpt4oRatesMatchTheSource() throws {
        let model = try Self.bundled.model(named: "gpt-4o")
        #expect(model.baseRate(.input) == (try Money(exactly: "2.5e-6")))
        #expect(model.baseRate(.output) == (try Money(exactly: "1e-5")))
        #expect(model.baseRate(.cachedInput) == (try Money(exactly: "1.25e-6")))
        #expect(model.rates[RateKey(.input, tier: .batch)] == (try Money(exactly: "1.25e-6")))
        #expect(model.maxInputTokens == 128_000)
        #expect(model.maxOutputTokens == 16_384)
        #expect(model.provider == "openai")
    }

    @Test func longContextAndTierKeysAreParsed() throws {
        #expect(LiteLLMImporter.rateKey(for: "input_cost_per_token_above_200k_tokens_priority") == RateKey(.input, tier: .priority, aboveTokens: 200_000))
        #expect(LiteLLMImporter.rateKey(for: "input_cost_per_token_priority_above_200k_tokens") == RateKey(.input, tier: .priority, aboveTokens: 200_000))
        #expect(LiteLLMImporter.rateKey(for: "cache_creation_input_token_cost_above_1hr") == RateKey(.cacheWrite1h))
        #expect(LiteLLMImporter.rateKey(for: "cache_creation_input_token_cost_above_1hr_above_200k_tokens") == RateKey(.cacheWrite1h, aboveTokens: 200_000))
        #expect(LiteLLMImporter.rateKey(for: "cache_creation_input_token_cost_above_12hr") == nil)
        #expect(LiteLLMImporter.rateKey(for: "output_cost_per_token_ultrafast") == nil)
        #expect(LiteLLMImporter.rateKey(for: "input_cost_per_token_above_128_tokens") == RateKey(.input, aboveTokens: 128))
    }

    // MARK: Rate resolution

    static let sheet = ModelPrice(
        name: "sheet", provider: "test",
        rates: [
            RateKey(.input): Money.cents(100) * 1, RateKey(.output): .dollars(4), RateKey(.cachedInput): .cents(10),
            RateKey(.input, tier: .batch): .cents(50), RateKey(.output, tier: .priority): .dollars(8),
            RateKey(.input, aboveTokens: 1000): .dollars(2), RateKey(.output, aboveTokens: 1000): .dollars(6),
            RateKey(.cacheWrite): .cents(125), RateKey(.reasoning): .dollars(4),
        ]
    )

    @Test(arguments: [
        (TokenClass.input, ServiceTier.standard, 10, Money.dollars(1), RateKey(.input)),
        (.input, .standard, 1000, .dollars(1), RateKey(.input)),                    // threshold not exceeded
        (.input, .standard, 1001, .dollars(2), RateKey(.input, aboveTokens: 1000)),
        (.cachedInput, .standard, 1001, .cents(10), RateKey(.cachedInput)),         // no long-context cache rate: base cache rate
        (.cacheWrite1h, .standard, 10, .cents(125), RateKey(.cacheWrite)),          // 1h write falls back to 5-minute write
        (.input, .batch, 10, .cents(50), RateKey(.input, tier: .batch)),
        (.output, .batch, 10, .dollars(4), RateKey(.output)),                       // missing tier rate: standard
        (.cachedInput, .batch, 10, .cents(10), RateKey(.cachedInput)),              // cache discount kept before tier input
        (.reasoning, .priority, 10, .dollars(8), RateKey(.output, tier: .priority)), // reasoning is output: the tier's output rate
        (.reasoning, .standard, 10, .dollars(4), RateKey(.reasoning)),
        (.audioInput, .standard, 10, .dollars(1), RateKey(.input)),
    ])
    func resolvesRatesWithFallbacks(cls: TokenClass, tier: ServiceTier, prompt: Int, rate: Money, source: RateKey) throws {
        let resolved = try #require(Self.sheet.rate(cls, tier: tier, promptTokens: prompt))
        #expect(resolved.rate == rate)
        #expect(resolved.source == source)
    }

    @Test func inclusiveThresholdsApplyAtTheThreshold() throws {
        var sheet = Self.sheet
        sheet.inclusiveThresholds = true
        #expect(sheet.rate(.input, promptTokens: 1000)?.rate == .dollars(2))
        #expect(sheet.crossedThreshold(promptTokens: 1000) == 1000)
        #expect(Self.sheet.crossedThreshold(promptTokens: 1000) == 0)
    }

    // MARK: Files

    @Test func catalogFileRoundTrips() throws {
        let source = CatalogSource(path: "x", source: "test", version: "1", date: "2026-01-01", sha256: "abc")
        let text = CatalogFile.write([Self.sheet], source: source)
        let (models, readSource) = try CatalogFile.read(Data(text.utf8), path: "x")
        #expect(models.count == 1)
        #expect(models[0].rates == Self.sheet.rates)
        #expect(readSource.version == "1")
        #expect(readSource.sha256 == "abc")
    }

    @Test func malformedCatalogFileNamesLineAndField() {
        let text = CatalogFile.magic + "\nm\tp\tchat\tlots\t-\t-\t-\t-\t-\tin=1e-6\n"
        #expect(throws: PricingError.malformedCatalog(location: "bad.tsv:2", field: "max_input", reason: "'lots' is not a non-negative integer")) {
            try CatalogFile.read(Data(text.utf8), path: "bad.tsv")
        }
        let badRate = CatalogFile.magic + "\nm\tp\tchat\t-\t-\t-\t-\t-\t-\tin=abc\n"
        #expect(throws: PricingError.self) { try CatalogFile.read(Data(badRate.utf8), path: "bad.tsv") }
    }

    @Test(arguments: [
        ("{\"m\": {\"mode\": \"chat\", \"input_cost_per_token\": \"cheap\"}}", "input_cost_per_token", "entry 'm'"),
        ("{\"m\": {\"mode\": \"chat\", \"input_cost_per_token\": -1e-6}}", "input_cost_per_token", "entry 'm'"),
        ("{\"a\": {\"mode\": \"chat\", \"input_cost_per_token\": 1e-6},\n \"m\": {\"mode\": \"chat\", \"output_cost_per_token\": 1e-6, \"max_input_tokens\": \"many\"}}", "max_input_tokens", ":2 entry 'm'"),
        ("{\"m\": {\"mode\": \"chat\", \"input_cost_per_token\": 1e-6,}}", "json", ":1"),
        ("[1, 2]", "root", "prices.json"),
    ])
    func malformedLiteLLMFileNamesEntryAndField(json: String, field: String, location: String) {
        do {
            _ = try LiteLLMImporter.convert(Array(json.utf8), path: "prices.json")
            Issue.record("expected an error")
        } catch {
            guard case .malformedCatalog(let where_, let badField, _) = error else { Issue.record("\(error)"); return }
            #expect(badField == field)
            #expect(where_.hasPrefix("prices.json"))
            #expect(where_.contains(location))
        }
    }

    @Test func liteLLMImportKeepsOnlyTokenPricedModesAndRoundsNoise() throws {
        let json = """
            {"sample_spec": {"mode": "chat"},
             "chat-model": {"mode": "chat", "litellm_provider": "acme", "input_cost_per_token": 1.0000000000000001E-7, "output_cost_per_token": 4e-7,
                            "input_cost_per_token_batches": 5e-8, "max_input_tokens": 1e6},
             "image-model": {"mode": "image_generation", "input_cost_per_token": 1e-6},
             "free-text": {"mode": "chat"},
             "tiered": {"mode": "chat", "input_cost_per_token": 5e-8, "output_cost_per_token": 4e-7,
                        "tiered_pricing": [{"input_cost_per_token": 5e-8, "output_cost_per_token": 4e-7, "range": [0, 256000]},
                                           {"input_cost_per_token": 2.5e-7, "output_cost_per_token": 2e-6, "range": [256000, 1000000]}]}}
            """
        let result = try LiteLLMImporter.convert(Array(json.utf8), path: "p.json")
        #expect(result.models.map(\.name).sorted() == ["chat-model", "tiered"])
        #expect(result.skippedMode == 1)
        #expect(result.skippedUnpriced == 1)
        let chat = try #require(result.models.first { $0.name == "chat-model" })
        #expect(chat.baseRate(.input)?.exactString == "0.0000001")
        #expect(chat.maxInputTokens == 1_000_000)
        let tiered = try #require(result.models.first { $0.name == "tiered" })
        #expect(tiered.rate(.input, promptTokens: 300_000)?.rate.exactString == "0.00000025")
        #expect(tiered.rate(.cachedInput, promptTokens: 300_000)?.rate.exactString == "0.00000025")
        #expect(tiered.rate(.input, promptTokens: 256_000)?.rate.exactString == "0.00000005")
    }

    // MARK: Custom models

    @Test func customModelsExtendTheCatalog() throws {
        let yaml = """
            # negotiated prices
            models:
              - name: acme-ft
                based_on: gpt-4o-mini
                prices:
                  input: 0.30
                  output: 1.20
                  batch: {input: 0.15}
                  above_200k: {input: 0.60}
              - name: private-llama
                provider: selfhosted
                context_window: 32768
                prices: {input: 0.05, output: 0.10}
            """
        let models = try CustomModels.parse(yaml, file: "models.yaml", base: Self.bundled)
        #expect(models.count == 2)
        let ft = models[0]
        #expect(ft.provider == "openai")
        #expect(ft.baseRate(.input)?.exactString == "0.0000003")
        #expect(ft.baseRate(.cachedInput) == (try Self.bundled.model(named: "gpt-4o-mini").baseRate(.cachedInput)))
        #expect(ft.rates[RateKey(.input, tier: .batch)]?.exactString == "0.00000015")
        #expect(ft.rates[RateKey(.input, aboveTokens: 200_000)]?.exactString == "0.0000006")
        #expect(models[1].maxInputTokens == 32768)
        var catalog = Self.bundled
        catalog.add(models)
        #expect(try catalog.model(named: "ACME-FT").name == "acme-ft")
    }

    @Test(arguments: [
        ("models:\n  - name: x\n    prices: {inptu: 1}\n", "models[0].prices.inptu", "models.yaml:3"),
        ("models:\n  - name: x\n    based_on: gpt-9000\n", "models[0].based_on", "models.yaml:3"),
        ("models:\n  - name: x\n    prices: {input: cheap}\n", "models[0].prices.input", "models.yaml:3"),
        ("models:\n  - name: x\n    colour: red\n    prices: {input: 1}\n", "models[0].colour", "models.yaml:3"),
        ("models:\n  - name: x\n", "models[0].prices", "models.yaml:2"),
        ("models: [\n", "", "models.yaml:"),
    ])
    func customModelErrorsNameLineAndField(yaml: String, field: String, location: String) {
        do {
            _ = try CustomModels.parse(yaml, file: "models.yaml", base: Self.bundled)
            Issue.record("expected an error for \(yaml)")
        } catch {
            guard case .malformedCatalog(let where_, let badField, _) = error else { Issue.record("\(error)"); return }
            #expect(badField == field)
            #expect(where_.hasPrefix(location))
        }
    }

    @Test func userCatalogImportExtendsAndOverrides() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tokenomics-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let loader = CatalogLoader(environment: ["XDG_CONFIG_HOME": directory.path])
        var cheaper = try Self.bundled.model(named: "gpt-4o")
        cheaper.rates[RateKey(.input)] = .cents(0)
        let custom = ModelPrice(name: "my-model", provider: "me", rates: [RateKey(.input): .cents(1)])
        try loader.importIntoUserCatalog([cheaper, custom], source: CatalogSource(path: "t", source: "test", version: "1", date: "d"), replace: false)
        let catalog = try loader.load()
        #expect(try catalog.model(named: "gpt-4o").baseRate(.input) == .zero)
        #expect(try catalog.model(named: "my-model").baseRate(.input) == .cents(1))
        #expect(catalog.count == Self.bundled.count + 1)
        #expect(catalog.sources.count == 2)
        try loader.importIntoUserCatalog([], source: CatalogSource(path: "t", source: "test", version: "2", date: "d"), replace: true)
        #expect(try loader.load().count == Self.bundled.count)
    }

    @Test func searchFiltersByWordsProviderAndMode() {
        let results = Self.bundled.search("embedding 3", provider: "openai", mode: "embedding")
        #expect(results.contains { $0.name == "text-embedding-3-small" })
        #expect(results.allSatisfy { $0.mode == "embedding" && $0.provider == "openai" })
    }
}
