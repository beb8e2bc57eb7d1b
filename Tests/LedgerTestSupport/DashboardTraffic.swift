import CostModel
public import Foundation
public import Ledger
import Pricing
public import TokenomicsCore

/// Generated gateway traffic for dashboard tests: skewed users, several features and models,
/// refusals, errors and cache hits, costs with digits below the micro-dollar.
public struct DashboardTraffic: Sendable {
    public static let features: [String?] = ["chat", "search", "digest", nil]
    public static let models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-haiku-20241022"]

    /// `count` rows spread over the `days` before `now`, reproducible from `seed`.
    public static func records(count: Int, days: Int, now: Date, seed: UInt64 = 42) -> [RequestRecord] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        let span = Int64(days) * 86_400_000
        let end = Int64(now.timeIntervalSince1970 * 1000) - 60_000
        return (0..<count).map { index in
            // Squaring a uniform draw makes a few users heavy: the power-user shape.
            let u = Double(below(10_000)) / 10_000
            let user = "user\(Int(u * u * 30))"
            // Half a millisecond in, so that storing whole milliseconds (rounding down) gives back the same millisecond.
            let time = Date(timeIntervalSince1970: (Double(end - Int64(below(Int(span)))) + 0.5) / 1000)
            let feature = features[below(features.count)]
            let model = models[below(models.count)]
            let roll = below(100)
            var record = RequestRecord(
                time: time, keyID: "key-\(user)", user: user, feature: feature, endpoint: "/v1/chat/completions", modelRequested: model, status: 200)
            if roll < 5 {
                record.status = 429
                record.errorCode = "budget_exceeded"
            } else if roll < 8 {
                record.status = 429
                record.errorCode = "rate_limit_exceeded"
            } else if roll < 10 {
                record.status = 502
                record.errorCode = "upstream_502"
                record.modelServed = model
            } else if roll < 20 {
                record.modelServed = model
                record.cacheHit = true
                record.saving = Money(units: Int128(below(50_000_000)) * 1_000_000_000_000 + Int128(below(1_000_000_000)) * 7)
            } else {
                record.modelServed = model
                let input = 50 + below(4000), cached = below(input / 2 + 1), output = 10 + below(800)
                record.usage = Usage(input: input, output: output, cachedInput: cached, reasoning: below(output / 4 + 1))
                // Up to 5 cents, with digits down to 10⁻²¹ USD that the ledger rounds to femto-dollars.
                record.cost = Money(units: Int128(below(50_000_000)) * 1_000_000_000_000 + Int128(below(1_000_000_000)) * 1_000 + Int128(below(999)))
            }
            record.latencyMicros = Int64(1000 + below(900_000))
            _ = index
            return record
        }
    }
}

/// The dashboard's figures computed in Swift from the rows, as the reference the SQL must match.
public struct ExpectedTotals: Equatable, Sendable {
    public var requests = 0, hits = 0, errors = 0
    public var cost = Money.zero, saving = Money.zero
    public var input = 0, output = 0, cached = 0, reasoning = 0
    public var last: Int64 = 0

    public init() {}

    public init<S: Sequence>(_ records: S) where S.Element == RequestRecord {
        for r in records {
            requests += 1
            hits += r.cacheHit ? 1 : 0
            errors += r.status >= 400 ? 1 : 0
            cost += StoredMoney.rounded(r.cost)
            saving += StoredMoney.rounded(r.saving)
            input += r.usage.input
            output += r.usage.output
            cached += r.usage.cachedInput
            reasoning += r.usage.reasoning
            last = max(last, Int64((r.time.timeIntervalSince1970 * 1000).rounded(.down)))
        }
    }

    public init(_ t: DashboardTotals) {
        requests = t.requests
        hits = t.cacheHits
        errors = t.errors
        cost = t.cost
        saving = t.saving
        input = t[.input]
        output = t[.output]
        cached = t[.cachedInput]
        reasoning = t[.reasoning]
        last = t.lastSeen.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? 0
    }
}

extension RequestRecord {
    public var milliseconds: Int64 { Int64((time.timeIntervalSince1970 * 1000).rounded(.down)) }

    public func inside(_ filter: DashboardFilter) -> Bool {
        let ms = milliseconds
        return ms >= Int64((filter.from.timeIntervalSince1970 * 1000).rounded(.down)) && ms < Int64((filter.to.timeIntervalSince1970 * 1000).rounded(.down))
            && (filter.user == nil || user == filter.user) && (filter.feature == nil || feature == filter.feature)
            && (filter.model == nil || modelServed == filter.model)
    }
}
