import CostModel
public import Pricing

#if canImport(Glibc)
import Glibc
import TokenomicsCore
#endif

/// Generates realistic usage logs in our JSON-lines format, for tests, benchmarks and demos.
///
/// Users are heavy-tailed (Pareto activity: a few users make most calls); features use several
/// catalog models with prompt caching, reasoning and long agent loops; some requests repeat
/// exactly (same `request_hash`); calls are grouped into interactions. The same seed gives the
/// same bytes.
///
/// ```swift
/// let generator = UsageGenerator(options: .init(users: 1000, events: 100_000, seed: 7))
/// try generator.write { bytes in try handle.write(contentsOf: bytes) }
/// ```
public struct UsageGenerator: Sendable {
    /// What to generate.
    public struct Options: Sendable {
        public var users: Int
        public var events: Int
        public var seed: UInt64
        /// Share of lines replaced by malformed ones.
        public var garbageRate: Double
        /// Share of events on a model the catalog does not know (`acme-llm-v2`).
        public var unknownModelRate: Double
        /// Share of requests that exactly repeat an earlier one.
        public var duplicateRate: Double
        /// Share of events that carry a provider-billed `cost_usd` (needs a catalog).
        public var billedRate: Double
        /// First timestamp (seconds since the epoch) and the span of days covered.
        public var start: Int64
        public var days: Int

        public init(
            users: Int, events: Int, seed: UInt64 = 1, garbageRate: Double = 0, unknownModelRate: Double = 0, duplicateRate: Double = 0.08,
            billedRate: Double = 0, start: Int64 = 1_735_689_600, days: Int = 59
        ) {
            self.users = users
            self.events = events
            self.seed = seed
            self.garbageRate = garbageRate
            self.unknownModelRate = unknownModelRate
            self.duplicateRate = duplicateRate
            self.billedRate = billedRate
            self.start = start
            self.days = days
        }
    }

    public var options: Options
    /// Prices `cost_usd` for billed events; without it no event carries a cost.
    public var catalog: Catalog?

    public init(options: Options, catalog: Catalog? = nil) {
        self.options = options
        self.catalog = catalog
    }

    struct Feature {
        var name: String
        var share: Double
        var models: [(String, Double)]
        var inputMedian: Double
        var outputMedian: Double
        var callsPerInteraction: ClosedRange<Int>
        var cachedShare: Double
        var reasoningShare: Double
    }

    static let features: [Feature] = [
        Feature(name: "answer", share: 0.45, models: [("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)], inputMedian: 1500, outputMedian: 350,
                callsPerInteraction: 1...2, cachedShare: 0.5, reasoningShare: 0),
        Feature(name: "summarize", share: 0.2, models: [("claude-haiku-4-5", 1)], inputMedian: 4000, outputMedian: 300,
                callsPerInteraction: 1...1, cachedShare: 0.3, reasoningShare: 0),
        Feature(name: "search", share: 0.15, models: [("gemini-2.5-flash", 1)], inputMedian: 800, outputMedian: 200,
                callsPerInteraction: 1...3, cachedShare: 0, reasoningShare: 0),
        Feature(name: "agent", share: 0.12, models: [("claude-sonnet-4-5", 0.6), ("o4-mini", 0.4)], inputMedian: 6000, outputMedian: 500,
                callsPerInteraction: 3...12, cachedShare: 0.7, reasoningShare: 0.5),
        Feature(name: "embed", share: 0.08, models: [("text-embedding-3-small", 1)], inputMedian: 300, outputMedian: 0,
                callsPerInteraction: 1...1, cachedShare: 0, reasoningShare: 0),
    ]

    /// Writes the log in blocks of about 1 MiB.
    public func write(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var rng = SplitMix(seed: options.seed)
        let userCount = max(1, options.users)
        // Pareto(α = 1.16) activity weights: roughly 20% of users make 80% of calls.
        var cumulative = [Double](repeating: 0, count: userCount)
        var running = 0.0
        for index in 0..<userCount {
            running += pow(1 - rng.unit(), -1 / 1.16)
            cumulative[index] = running
        }
        let featureCumulative = Self.features.reduce(into: [Double]()) { $0.append(($0.last ?? 0) + $1.share) }
        var pricers: [String: FastPricer] = [:]
        if let catalog {
            for feature in Self.features {
                for (model, _) in feature.models { if let price = catalog.find(model) { pricers[model] = FastPricer(model: price) } }
            }
        }
        struct Recent { var hash: UInt64; var feature: Int; var model: String; var input: Int; var cached: Int }
        // Recent requests per feature, for exact repeats (same prompt, same model).
        var recent: [[Recent]] = Array(repeating: [], count: Self.features.count)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 21)
        let span = Double(options.days) * 86_400
        var written = 0
        var interactionCounter: UInt64 = 0
        while written < options.events {
            let userIndex = Self.search(cumulative, rng.unit() * running)
            let featureIndex = Self.search(featureCumulative, rng.unit() * featureCumulative.last!)
            let feature = Self.features[featureIndex]
            let calls = Int.random(in: feature.callsPerInteraction, using: &rng)
            interactionCounter += 1
            let interaction = interactionCounter &* 0x9E37_79B9_7F4A_7C15 ^ options.seed
            var pick = rng.unit()
            var model = feature.models[0].0
            for (name, share) in feature.models {
                if pick < share { model = name; break }
                pick -= share
            }
            if rng.unit() < options.unknownModelRate { model = "acme-llm-v2" }
            var context = 0
            for _ in 0..<calls where written < options.events {
                let time = options.start + Int64(Double(written) / Double(max(1, options.events)) * span) + Int64(rng.unit() * 600)
                if rng.unit() < options.garbageRate {
                    Self.appendGarbage(&out, &rng, time: time)
                    written += 1
                    continue
                }
                var input = max(1, Int(feature.inputMedian * exp(0.8 * rng.normal()))) + context
                var cached = 0
                var hash = rng.next()
                let output = feature.outputMedian == 0 ? 0 : max(1, Int(feature.outputMedian * exp(0.6 * rng.normal())))
                var callModel = model
                if !recent[featureIndex].isEmpty && rng.unit() < options.duplicateRate {
                    let earlier = recent[featureIndex][Int(rng.next() % UInt64(recent[featureIndex].count))]
                    hash = earlier.hash
                    input = earlier.input
                    cached = earlier.cached
                    callModel = earlier.model
                }
                if cached == 0 && feature.cachedShare > 0 && input >= 1024 && rng.unit() < 0.8 {
                    cached = min(input, Int(Double(input) * feature.cachedShare * rng.unit() * 2) / 128 * 128)
                }
                let reasoning = callModel == "o4-mini" ? Int(Double(output) * feature.reasoningShare * (0.5 + rng.unit())) : 0
                let fullOutput = output + reasoning
                let entry = Recent(hash: hash, feature: featureIndex, model: callModel, input: input, cached: cached)
                if recent[featureIndex].count < 1024 {
                    recent[featureIndex].append(entry)
                } else {
                    recent[featureIndex][Int(rng.next() % 1024)] = entry
                }
                context += feature.callsPerInteraction.upperBound > 1 ? Int(rng.unit() * 400) : 0

                var billed: Money? = nil
                if options.billedRate > 0, rng.unit() < options.billedRate, var pricer = pricers[callModel],
                    let price = pricer.price(Usage(input: input, output: fullOutput, cachedInput: cached, reasoning: reasoning), tier: .standard)
                {
                    billed = Money(units: price.cost)
                    pricers[callModel] = pricer
                }
                // Written byte by byte rather than through JSONValue (millions of lines a second):
                // every string here is a constant of this file, a timestamp or hex, so none needs escaping.
                Self.append(&out, "{\"ts\":\"")
                Self.append(&out, UTC.timestampString(time))
                Self.append(&out, "\",\"user\":\"u")
                Self.appendPadded(&out, userIndex, 6)
                Self.append(&out, "\",\"feature\":\"")
                Self.append(&out, feature.name)
                Self.append(&out, "\",\"model\":\"")
                Self.append(&out, callModel)
                Self.append(&out, "\",\"input_tokens\":")
                Self.appendInt(&out, input)
                Self.append(&out, ",\"output_tokens\":")
                Self.appendInt(&out, fullOutput)
                Self.append(&out, ",\"cached_input_tokens\":")
                Self.appendInt(&out, cached)
                Self.append(&out, ",\"cache_write_tokens\":0,\"reasoning_tokens\":")
                Self.appendInt(&out, reasoning)
                Self.append(&out, ",\"cost_usd\":")
                Self.append(&out, billed?.exactString ?? "null")
                Self.append(&out, ",\"request_hash\":\"")
                Self.appendHex(&out, hash)
                Self.append(&out, "\",\"interaction_id\":\"i")
                Self.appendHex(&out, interaction)
                Self.append(&out, "\"}\n")
                written += 1
                if out.count >= 1 << 20 {
                    try out.withUnsafeBytes(sink)
                    out.removeAll(keepingCapacity: true)
                }
            }
        }
        if !out.isEmpty { try out.withUnsafeBytes(sink) }
    }

    /// The whole log as text (for small logs in tests).
    public func text() -> String {
        var bytes: [UInt8] = []
        try? write { bytes += $0 }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func appendGarbage(_ out: inout [UInt8], _ rng: inout SplitMix, time: Int64) {
        switch rng.next() % 4 {
        case 0: append(&out, "{\"ts\":\"\(UTC.timestampString(time))\",\"user\":\"u1\",\"model\":\"gpt-4o\",\"input_tok\n")
        case 1: append(&out, "this is not json\n")
        case 2: append(&out, "{\"ts\":\"\(UTC.timestampString(time))\",\"user\":\"u1\",\"model\":\"gpt-4o\",\"input_tokens\":\"many\"}\n")
        default: append(&out, "{\"ts\":\"yesterday\",\"user\":\"u1\",\"model\":\"gpt-4o\",\"input_tokens\":5}\n")
        }
    }

    static func search(_ cumulative: [Double], _ target: Double) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return low
    }

    @inline(__always) static func append(_ out: inout [UInt8], _ text: String) { out.append(contentsOf: text.utf8) }

    static func appendInt(_ out: inout [UInt8], _ value: Int) {
        if value < 0 { out.append(UInt8(ascii: "-")); appendInt(&out, -value); return }
        if value < 10 { out.append(UInt8(48 + value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while v > 0 {
                buffer[count] = UInt8(48 + v % 10)
                v /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    static func appendPadded(_ out: inout [UInt8], _ value: Int, _ width: Int) {
        var digits = 1
        var v = value
        while v >= 10 { v /= 10; digits += 1 }
        for _ in digits..<max(digits, width) { out.append(UInt8(ascii: "0")) }
        appendInt(&out, value)
    }

    static func appendHex(_ out: inout [UInt8], _ value: UInt64) {
        let hex = Array("0123456789abcdef".utf8)
        for shift in stride(from: 60, through: 0, by: -4) { out.append(hex[Int((value >> UInt64(shift)) & 0xF)]) }
    }
}

/// SplitMix64: a small, fast, seedable generator.
struct SplitMix: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
