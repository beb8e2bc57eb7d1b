import CostModel
import Foundation
import Pricing
import Testing
import TokenomicsCore
@testable import UsageAnalysis

/// The bundled catalog, loaded once.
let bundledCatalog: Catalog = try! CatalogLoader(includeUserCatalog: false, environment: [:]).load()

/// A temporary file that removes itself.
final class TemporaryFile: Sendable {
    let path: String
    init(_ contents: [UInt8], suffix: String = ".jsonl") {
        path = NSTemporaryDirectory() + "tokenomics-test-\(UUID().uuidString)\(suffix)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(contents))
    }
    convenience init(_ text: String, suffix: String = ".jsonl") { self.init(Array(text.utf8), suffix: suffix) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// An independent computation over a JSON-lines log: parses with `JSONValue`, prices with
/// `CostCalculator`, dates with Foundation, and groups with dictionaries.
struct Oracle {
    var events = 0
    var badLines: [Int] = []
    var total = Money.zero
    var perUser: [String: Money] = [:]
    var perUserMonth: [String: Money] = [:]
    var perModel: [String: (events: Int, cost: Money)] = [:]
    var perFeature: [String: (events: Int, cost: Money)] = [:]
    var unpriced: [String: Int] = [:]
    var seen: Set<String> = []
    var duplicates = 0
    var duplicateCost = Money.zero
    var inputTokens = 0
    var billedEvents = 0

    init(text: String, catalog: Catalog) {
        let formatter = ISO8601DateFormatter()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.isEmpty { continue }
            guard let json = try? JSONValue.parse(Array(line.utf8)),
                case .string(let user)? = json["user"], case .string(let model)? = json["model"], case .string(let ts)? = json["ts"],
                let date = formatter.date(from: ts)
            else {
                badLines.append(index + 1)
                continue
            }
            func int(_ key: String) -> Int? {
                switch json[key] {
                case .number(let n)?: Int(n)
                case nil, .null?: 0
                default: nil
                }
            }
            guard let input = int("input_tokens"), let output = int("output_tokens"), let cached = int("cached_input_tokens"),
                let write = int("cache_write_tokens"), let reasoning = int("reasoning_tokens")
            else {
                badLines.append(index + 1)
                continue
            }
            var feature = ""
            if case .string(let f)? = json["feature"] { feature = f }
            events += 1
            inputTokens += input
            let usage = Usage(input: input, output: output, cachedInput: cached, cacheWrite: write, reasoning: reasoning)
            var cost = Money.zero
            var priced = true
            if case .number(let billed)? = json["cost_usd"] {
                cost = try! Money(exactly: billed)
                billedEvents += 1
            } else if let price = catalog.find(model), let call = try? CostCalculator.cost(of: price, usage: usage) {
                cost = call.total
            } else {
                priced = false
                unpriced[model, default: 0] += 1
            }
            let parts = calendar.dateComponents([.year, .month], from: date)
            let month = "\(parts.year!)-\(parts.month!)"
            total += cost
            perUser[user, default: .zero] += cost
            perUserMonth[user + "|" + month, default: .zero] += cost
            perModel[model, default: (0, .zero)].events += 1
            perModel[model, default: (0, .zero)].cost += cost
            perFeature[feature, default: (0, .zero)].events += 1
            perFeature[feature, default: (0, .zero)].cost += cost
            _ = priced
            if case .string(let hash)? = json["request_hash"] {
                if seen.contains(hash) {
                    duplicates += 1
                    duplicateCost += cost
                } else {
                    seen.insert(hash)
                }
            }
        }
    }

    func quantile(_ q: Double) -> Money {
        let sorted = perUserMonth.values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[max(1, rank) - 1]
    }

    func topShare(_ percent: Int) -> Double {
        let sorted = perUser.values.sorted(by: >)
        let count = max(1, Int((Double(percent) / 100 * Double(sorted.count)).rounded(.up)))
        return Money.sum(sorted.prefix(count)).ratio(to: total)
    }

    /// Gini by the mean absolute difference (a different formula from the implementation's).
    var gini: Double {
        let values = perUser.values.map(\.doubleValue)
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        var sum = 0.0
        for a in values { for b in values { sum += abs(a - b) } }
        return sum / (2 * n * n * mean)
    }
}

struct AnalysisTotalsTests {
    static let options = UsageGenerator.Options(
        users: 60, events: 4000, seed: 11, garbageRate: 0.01, unknownModelRate: 0.02, duplicateRate: 0.2, billedRate: 0.1)

    static let log: String = UsageGenerator(options: options, catalog: bundledCatalog).text()

    static func analyze(_ text: String, parallelism: Int, strict: Bool = false) async throws -> AnalysisResult {
        let file = TemporaryFile(text)
        var options = AnalysisOptions(strict: strict, parallelism: parallelism)
        options.minimumSplitBytes = 1
        return try await UsageAnalyzer(catalog: bundledCatalog, options: options).analyze([file.path])
    }

    @Test("Totals, per-user costs, quantiles, shares and duplicates equal an independent computation", arguments: [1, 2, 3, 7])
    func matchesOracle(parallelism: Int) async throws {
        let oracle = Oracle(text: Self.log, catalog: bundledCatalog)
        let result = try await Self.analyze(Self.log, parallelism: parallelism)

        #expect(result.events == oracle.events)
        #expect(result.badLineCount == oracle.badLines.count)
        #expect(result.badLines.map(\.line) == Array(oracle.badLines.prefix(10)))
        #expect(result.totals.cost == oracle.total)
        #expect(result.totals.tokens.input == oracle.inputTokens)
        #expect(result.billedEvents == oracle.billedEvents)
        #expect(result.users == oracle.perUser.count)
        for user in result.topUsers { #expect(user.cost == oracle.perUser[user.user]) }
        #expect(result.topUsers.first?.cost == oracle.perUser.values.max())
        let months = Dictionary(uniqueKeysWithValues: result.userMonths.map { ($0.user + "|\($0.month / 12)-\($0.month % 12 + 1)", $0.cost) })
        #expect(months == oracle.perUserMonth)

        let d = result.perUserMonthly
        #expect(d.samples == oracle.perUserMonth.count)
        #expect(d.p50 == oracle.quantile(0.5))
        #expect(d.p90 == oracle.quantile(0.9))
        #expect(d.p99 == oracle.quantile(0.99))
        #expect(d.max == oracle.perUserMonth.values.max())
        #expect(d.mean == Money.sum(oracle.perUserMonth.values).divided(by: oracle.perUserMonth.count))

        #expect(result.concentration.top1 == oracle.topShare(1))
        #expect(result.concentration.top5 == oracle.topShare(5))
        #expect(result.concentration.top10 == oracle.topShare(10))
        #expect(abs(result.concentration.gini - oracle.gini) < 1e-9)

        for model in result.byModel {
            #expect(model.group.events == oracle.perModel[model.group.name]?.events)
            #expect(model.group.cost == oracle.perModel[model.group.name]?.cost)
        }
        #expect(result.byModel.count == oracle.perModel.count)
        for feature in result.byFeature { #expect(feature.cost == oracle.perFeature[feature.name]?.cost) }
        #expect(Dictionary(uniqueKeysWithValues: result.unpricedModels.map { ($0.model, $0.events) }) == oracle.unpriced)
        #expect(result.unpricedEvents == oracle.unpriced.values.reduce(0, +))
        #expect(result.duplicates.duplicates == oracle.duplicates)
        #expect(result.duplicates.saving == oracle.duplicateCost)
        #expect(result.duplicates.share == Double(oracle.duplicates) / Double(oracle.events))
        #expect(oracle.duplicates > 0 && !oracle.unpriced.isEmpty && oracle.badLines.count > 10)
    }

    @Test("A gzip stream cut into many blocks aggregated in parallel gives the same result")
    func parallelStream() async throws {
        let oracle = Oracle(text: Self.log, catalog: bundledCatalog)
        let plain = TemporaryFile(Self.log)
        let compressed = plain.path + ".gz"
        defer { try? FileManager.default.removeItem(atPath: compressed) }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c \"$0\" > \"$1\"", plain.path, compressed]
        try gzip.run()
        gzip.waitUntilExit()
        var options = AnalysisOptions(parallelism: 2)
        options.streamBlockBytes = 50_000
        let r = try await UsageAnalyzer(catalog: bundledCatalog, options: options).analyze([compressed])
        #expect(r.events == oracle.events)
        #expect(r.totals.cost == oracle.total)
        #expect(r.badLines.map(\.line) == Array(oracle.badLines.prefix(10)))
        #expect(r.badLineCount == oracle.badLines.count)
        #expect(r.duplicates.duplicates == oracle.duplicates)
        #expect(r.duplicates.saving == oracle.duplicateCost)
        #expect(r.perUserMonthly.p90 == oracle.quantile(0.9))
        options.strict = true
        let firstReason = r.badLines.first?.reason ?? ""
        let expected = AnalysisError.badLine(BadLine(file: compressed, line: oracle.badLines[0], reason: firstReason))
        await #expect(throws: expected) { try await UsageAnalyzer(catalog: bundledCatalog, options: options).analyze([compressed]) }
    }

    @Test("--strict stops at the first malformed line, with its line number")
    func strictStops() async throws {
        let oracle = Oracle(text: Self.log, catalog: bundledCatalog)
        let first = try #require(oracle.badLines.first)
        for parallelism in [1, 3] {
            await #expect(throws: AnalysisError.self) { try await Self.analyze(Self.log, parallelism: parallelism, strict: true) }
            do {
                _ = try await Self.analyze(Self.log, parallelism: parallelism, strict: true)
            } catch let error as AnalysisError {
                guard case .badLine(let bad) = error else { Issue.record("unexpected \(error)"); return }
                #expect(bad.line == first)
                #expect(error.isBadInput)
            }
        }
    }

    @Test("The aggregator accepts events from any source and merges in order")
    func aggregatorFromEvents() throws {
        var a = UsageAggregator(catalog: bundledCatalog)
        var b = UsageAggregator(catalog: bundledCatalog)
        let usage = Usage(input: 2000, output: 500, cachedInput: 1024)
        let t = UTC.parseTimestamp("2025-03-31T23:59:59Z")!
        a.add(UsageEvent(timestamp: t, user: "alice", feature: "chat", model: "gpt-4o", usage: usage, requestHash: "h1"))
        b.add(UsageEvent(timestamp: t + 1, user: "alice", feature: "chat", model: "gpt-4o", usage: usage, requestHash: "h1"))
        b.add(UsageEvent(timestamp: t + 1, user: "bob", model: "mystery-model", usage: usage))
        b.add(UsageEvent(timestamp: t + 1, user: "bob", model: "gpt-4o", usage: usage, billedCost: try Money(exactly: "0.01")))
        a.merge(b)
        let r = a.result()
        let one = try CostCalculator(catalog: bundledCatalog).cost(model: "gpt-4o", usage: usage).total
        #expect(r.events == 4)
        #expect(r.totals.cost == one + one + (try Money(exactly: "0.01")))
        #expect(r.duplicates.duplicates == 1)
        #expect(r.duplicates.saving == one)
        #expect(r.unpricedModels.map(\.model) == ["mystery-model"])
        // 23:59:59 on 31 March and one second later fall in different months.
        #expect(r.userMonths.filter { $0.user == "alice" }.count == 2)
        let gpt = try #require(r.byModel.first { $0.group.name == "gpt-4o" })
        #expect(gpt.billedEvents == 1)
        #expect(gpt.billed == (try Money(exactly: "0.01")))
        #expect(gpt.catalogForBilled == one)
    }
}

struct FastPricerTests {
    static let models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "gemini-2.5-pro", "o4-mini", "text-embedding-3-small"]

    @Test("Per-event pricing equals CostCalculator, tiers and long-context bands included", arguments: models)
    func equalsCostCalculator(name: String) throws {
        let model = try bundledCatalog.model(named: name)
        var pricer = FastPricer(model: model)
        var rng = SplitMix(seed: 5)
        for _ in 0..<400 {
            let input = Int(rng.next() % 400_000)
            let cached = input == 0 ? 0 : Int(rng.next() % UInt64(input / 2 + 1))
            let write = Int(rng.next() % UInt64(input - cached + 1)) / 3
            let output = Int(rng.next() % 20_000)
            let reasoning = output == 0 ? 0 : Int(rng.next() % UInt64(output + 1))
            let usage = Usage(input: input, output: output, cachedInput: cached, cacheWrite: write, reasoning: reasoning)
            for tier in ServiceTier.allCases {
                let expected = try? CostCalculator.cost(of: model, usage: usage, tier: tier)
                let got = pricer.price(usage, tier: tier)
                #expect(got?.cost == expected?.total.units)
                #expect(got?.saving == expected?.promptCacheSaving.units)
            }
        }
    }
}

struct JSONLParserTests {
    @Test(
        "Malformed lines are reported with a reason",
        arguments: [
            ("not json", "not a JSON object"),
            (#"{"ts":"2025-01-01T00:00:00Z","user":"u","model":"gpt-4o","input_tokens":"12"}"#, "'input_tokens' is not a whole number"),
            (#"{"ts":"2025-01-01T00:00:00Z","user":"u","input_tokens":12}"#, "missing field 'model'"),
            (#"{"ts":"soon","user":"u","model":"gpt-4o"}"#, "'ts' is not an ISO 8601 date-time or epoch number"),
            (#"{"ts":"2025-01-01T00:00:00Z","user":"u","model":"gpt-4o","input_tokens":10,"cached_input_tokens":20}"#, "Inconsistent usage"),
            (#"{"ts":"2025-01-01T00:00:00Z","user":"u","model":"gpt-4o"} x"#, "unexpected text"),
            (#"{"ts":"2025-01-01T00:00:00Z","user":"u","model":"gpt-4o","#, "truncated line"),
        ])
    func badLines(line: String, reason: String) {
        var acc = Accumulator(catalog: bundledCatalog)
        var parser = JSONLParser()
        var bytes = Array(line.utf8)
        let got = bytes.withUnsafeMutableBytes { parser.parse(UnsafeRawBufferPointer($0), into: &acc) }
        #expect(got?.contains(reason) == true, "got \(got ?? "nil")")
        #expect(acc.totals.events == 0)
    }

    @Test("Escapes, unknown keys, nested values, epoch times, exact cost text and tiers are read")
    func goodLine() throws {
        let line = #"{"extra":{"a":[1,{"b":"}"}]},"timestamp":1735689600123,"user_id":"caf\u00e9 \"q\"","model":"gpt-4o","input_tokens":1000.0,"output_tokens":10,"cost_usd":"0.000000000000000000001","service_tier":"batch","session_id":"s1"}"#
        var acc = Accumulator(catalog: bundledCatalog)
        var parser = JSONLParser()
        let got = Array(line.utf8).withUnsafeBytes { parser.parse($0, into: &acc) }
        #expect(got == nil)
        #expect(acc.users.name(0) == "café \"q\"")
        #expect(acc.totals.cost == 1)
        #expect(acc.firstTimestamp == 1_735_689_600)
        #expect(acc.totals.tokens.input == 1000)
    }

    @Test("Timestamps: ISO 8601 with offsets and fractions, dates, epoch seconds and milliseconds")
    func timestamps() {
        #expect(UTC.parseTimestamp("2025-03-14T09:26:53Z") == 1_741_944_413)
        #expect(UTC.parseTimestamp("2025-03-14T11:26:53.250+02:00") == 1_741_944_413)
        #expect(UTC.parseTimestamp("2025-03-14 09:26:53") == 1_741_944_413)
        #expect(UTC.parseTimestamp("2025-03-14") == 1_741_910_400)
        #expect(UTC.parseTimestamp("1741944413") == 1_741_944_413)
        #expect(UTC.parseTimestamp("1741944413000") == 1_741_944_413)
        #expect(UTC.parseTimestamp("2025-13-01") == nil)
        #expect(UTC.timestampString(1_741_944_413) == "2025-03-14T09:26:53Z")
        for day in stride(from: -800_000, to: 800_000, by: 997) {
            let c = UTC.civil(days: day)
            #expect(UTC.days(year: c.year, month: c.month, day: c.day) == day)
        }
    }
}

struct GeneratorTests {
    @Test("The same seed gives the same log; another seed another")
    func deterministic() {
        let a = UsageGenerator(options: .init(users: 10, events: 300, seed: 4)).text()
        let b = UsageGenerator(options: .init(users: 10, events: 300, seed: 4)).text()
        let c = UsageGenerator(options: .init(users: 10, events: 300, seed: 5)).text()
        #expect(a == b)
        #expect(a != c)
        #expect(a.split(separator: "\n").count == 300)
    }

    @Test("Users are heavy-tailed and features, models, caching and duplicates appear")
    func realistic() async throws {
        let text = UsageGenerator(options: .init(users: 500, events: 20_000, seed: 9)).text()
        let file = TemporaryFile(text)
        let r = try await UsageAnalyzer(catalog: bundledCatalog).analyze([file.path])
        #expect(r.events == 20_000)
        #expect(r.badLineCount == 0)
        #expect(r.byFeature.count == 5)
        #expect(r.byModel.count >= 7)
        #expect(r.unpricedModels.isEmpty)
        #expect(r.totals.tokens.cachedInput > 0)
        #expect(r.duplicates.duplicates > 0)
        #expect(r.concentration.top10 > 0.3)
        #expect(!r.interactionsByFeature.isEmpty)
    }
}
