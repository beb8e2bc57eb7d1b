import Foundation
public import Pricing

/// A what-if: one change to the scenario, what it saves a month and the margin it leaves.
public struct Lever: Sendable {
    /// Which of the levers it pulls.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A cheaper model for a call.
        case model
        /// Fewer retrieved chunks or history turns, slower context growth.
        case context
        /// Fewer calls per interaction (shorter agent loops).
        case calls
        /// More of each prompt read from the provider's prompt cache.
        case providerCache = "provider_cache"
        /// More answers from our own result cache.
        case resultCache = "result_cache"
        /// The batch tier for calls that can wait.
        case batch
    }

    /// The lever.
    public var kind: Kind
    /// The scenario change that produces it, field by field.
    public var change: String
    /// The cost per interaction after the change, exact to 10⁻²¹ USD.
    public var costPerInteraction: Money
    /// The monthly saving for the active users on the first plan.
    public var monthlySaving: Money
    /// The first plan's gross margin after the change (nil without plans).
    public var newGrossMargin: Double?
    /// The changed scenario.
    public var scenario: Scenario
}

/// Generates and ranks the automatic levers.
public enum LeverFinder: Sendable {
    /// The ranked levers of a scenario, largest saving first. Automatic changes that save nothing
    /// are dropped; an explicit `levers:` list is reported whole (a negative saving is a cost).
    ///
    /// Model swaps pick from the scenario's `levers: {models: [...]}` list when it gives one, and
    /// otherwise from the catalog's models of the call's provider (so the swap keeps the API already
    /// integrated): the cheapest for that call of the same mode whose context window holds the
    /// call's largest prompt.
    ///
    /// - Parameters:
    ///   - scenario: the scenario.
    ///   - catalog: where replacement models come from when the scenario names no candidates.
    ///   - baseline: the scenario's cost per interaction.
    ///   - served: interactions served a month on the first plan (or wanted, without plans).
    ///   - revenue: the first plan's monthly revenue, if any.
    ///   - today: `YYYY-MM-DD`; models deprecated before it are not suggested.
    public static func levers(
        for scenario: Scenario, catalog: Catalog, baseline: Money, served: Int, revenue: Money?, today: String
    ) -> [Lever] {
        let whatIfs: [(Lever.Kind, String, Scenario)]
        switch scenario.levers {
        case .off: return []
        case .list(let items): whatIfs = items.map { apply($0, to: scenario) }
        case .auto(let candidates): whatIfs = automatic(scenario, candidates: candidates, catalog: catalog, today: today)
        }
        var result: [Lever] = []
        for (kind, change, changed) in whatIfs {
            guard let pricing = try? InteractionPricing(changed) else { continue }
            let cpi = pricing.costPerInteraction
            let saving = (baseline - cpi) * served
            if case .auto = scenario.levers, saving <= .zero { continue }
            let newCost = cpi * served
            let margin = revenue.flatMap { PlanEvaluation.margin(revenue: $0, cost: newCost) }
            result.append(Lever(kind: kind, change: change, costPerInteraction: cpi, monthlySaving: saving, newGrossMargin: margin, scenario: changed))
        }
        return result.sorted { $0.monthlySaving > $1.monthlySaving }
    }

    /// Applies one explicit what-if.
    static func apply(_ whatIf: Scenario.WhatIf, to scenario: Scenario) -> (Lever.Kind, String, Scenario) {
        var changed = scenario
        var kind = Lever.Kind.model
        var changes: [String] = []
        func onCall(_ path: String, _ body: (inout Scenario.Call) -> Void) {
            forEachCall(&changed) { call in if call.path == path { body(&call) } }
        }
        switch whatIf {
        case .model(let path, let model):
            onCall(path) { call in
                changes.append("\(path).model: \(call.model.name) → \(model.name)")
                call.model = model
            }
        case .context(let path, let chunks, let turns, let growth):
            kind = .context
            onCall(path) { call in
                if let chunks {
                    changes.append("\(path).input.retrieval.chunks: \(call.input.chunks) → \(chunks)")
                    call.input.chunks = chunks
                }
                if let turns {
                    changes.append("\(path).input.history.turns: \(call.input.historyTurns) → \(turns)")
                    call.input.historyTurns = turns
                }
                if let growth {
                    changes.append("\(path).context_growth: \(call.contextGrowth) → \(growth)")
                    call.contextGrowth = growth
                }
            }
        case .calls(let path, let count):
            kind = .calls
            onCall(path) { call in
                changes.append("\(path).repeat: \(call.repeatCount) → \(count)")
                call.repeatCount = count
            }
        case .providerCache(let path, let share):
            kind = .providerCache
            onCall(path) { call in
                changes.append("\(path).cached_input: \(call.cachedInput) → \(share)")
                call.cachedInput = share
            }
        case .resultCache(let rate):
            kind = .resultCache
            changes.append("result_cache_hit_rate: \(scenario.resultCacheHitRate) → \(rate)")
            changed.resultCacheHitRate = rate
        case .batch(let path):
            kind = .batch
            onCall(path) { call in
                changes.append("\(path).async: \(call.async) → true")
                call.async = true
            }
        }
        return (kind, changes.joined(separator: "; "), changed)
    }

    /// The automatic what-ifs.
    static func automatic(_ scenario: Scenario, candidates: [ModelPrice], catalog: Catalog, today: String) -> [(Lever.Kind, String, Scenario)] {
        var whatIfs: [(Lever.Kind, String, Scenario)] = []
        // 1. Model swaps, one per call.
        for (k, kind) in scenario.interactions.enumerated() {
            for (c, call) in kind.calls.enumerated() {
                let pool = candidates.isEmpty ? catalog.models.filter { $0.provider == call.model.provider } : candidates
                if let cheaper = cheapestReplacement(for: call, pool: pool, today: today) {
                    var changed = scenario
                    changed.interactions[k].calls[c].model = cheaper
                    whatIfs.append((.model, "\(call.path).model: \(call.model.name) → \(cheaper.name)", changed))
                }
            }
        }
        // 2. Trim context.
        var trimmed = scenario
        var trims: [String] = []
        forEachCall(&trimmed) { call in
            if call.input.chunks > 1 {
                let new = (call.input.chunks + 1) / 2
                trims.append("\(call.path).input.retrieval.chunks: \(call.input.chunks) → \(new)")
                call.input.chunks = new
            }
            if call.input.historyTurns > 1 {
                let new = (call.input.historyTurns + 1) / 2
                trims.append("\(call.path).input.history.turns: \(call.input.historyTurns) → \(new)")
                call.input.historyTurns = new
            }
            if call.contextGrowth > 1, call.repeatCount > 1 {
                let new = call.contextGrowth / 2
                trims.append("\(call.path).context_growth: \(call.contextGrowth) → \(new)")
                call.contextGrowth = new
            }
        }
        if !trims.isEmpty { whatIfs.append((.context, trims.joined(separator: "; "), trimmed)) }
        // 3. Fewer calls: halve agent loops.
        var fewer = scenario
        var loops: [String] = []
        forEachCall(&fewer) { call in
            if call.repeatCount > 1 {
                let new = (call.repeatCount + 1) / 2
                loops.append("\(call.path).repeat: \(call.repeatCount) → \(new)")
                call.repeatCount = new
            }
        }
        if !loops.isEmpty { whatIfs.append((.calls, loops.joined(separator: "; "), fewer)) }
        // 4. More provider caching where the cached rate is cheaper.
        var cached = scenario
        var caching: [String] = []
        forEachCall(&cached) { call in
            guard let input = call.model.baseRate(.input), let read = call.model.rate(.cachedInput)?.rate, read < input else { return }
            let stable: Fraction
            if call.repeatCount > 1 && call.contextGrowth > 0 {
                stable = Fraction(parts: 800_000_000)
            } else if !call.input.isPlain, call.input.total > 0 {
                let prefix = call.input.system + call.input.historyTurns * call.input.tokensPerTurn
                stable = Fraction(parts: Int64(prefix * 100 / call.input.total) * 10_000_000)
            } else {
                stable = Fraction(parts: 500_000_000)
            }
            let target = min(stable, call.cacheWrite.complement)
            if target > call.cachedInput {
                caching.append("\(call.path).cached_input: \(call.cachedInput) → \(target)")
                call.cachedInput = target
            }
        }
        if !caching.isEmpty { whatIfs.append((.providerCache, caching.joined(separator: "; "), cached)) }
        // 5. Result cache: ten more points of hits.
        let hit = scenario.resultCacheHitRate
        let higher = min(hit + Fraction(parts: 100_000_000), Fraction(parts: 900_000_000))
        if higher > hit {
            var changed = scenario
            changed.resultCacheHitRate = higher
            whatIfs.append((.resultCache, "result_cache_hit_rate: \(hit) → \(higher)", changed))
        }
        // 6. Batch tier for calls that can wait.
        var batched = scenario
        var batch: [String] = []
        forEachCall(&batched) { call in
            guard !call.async, call.model.rates.keys.contains(where: { $0.tier == .batch }) else { return }
            batch.append("\(call.path).async: false → true")
            call.async = true
        }
        if !batch.isEmpty { whatIfs.append((.batch, batch.joined(separator: "; ") + " (if these calls can wait for the batch tier)", batched)) }
        return whatIfs
    }

    static func forEachCall(_ scenario: inout Scenario, _ body: (inout Scenario.Call) -> Void) {
        for k in scenario.interactions.indices {
            for c in scenario.interactions[k].calls.indices { body(&scenario.interactions[k].calls[c]) }
        }
    }

    /// The cheapest model of the same mode, with token prices, a context window that holds the
    /// call's largest prompt and room for its output, not deprecated, that costs less for this call.
    public static func cheapestReplacement(for call: Scenario.Call, pool: [ModelPrice], today: String) -> ModelPrice? {
        let largest = call.input.total + (call.repeatCount - 1) * call.contextGrowth
        let turns = call.repeatCount
        let promptTokens = turns * call.input.total + call.contextGrowth * turns * (turns - 1) / 2
        let outputTokens = turns * call.output
        func estimate(_ model: ModelPrice) -> Double? {
            guard let input = model.baseRate(.input), let output = model.baseRate(.output), input > .zero, output > .zero else { return nil }
            return input.doubleValue * Double(promptTokens) + output.doubleValue * Double(outputTokens)
        }
        guard let current = try? InteractionPricing.price(call).cost else { return nil }
        var ranked: [(Double, ModelPrice)] = []
        for model in pool where model.mode == call.model.mode && model.name.lowercased() != call.model.name.lowercased() {
            guard let window = model.maxInputTokens, window >= largest else { continue }
            if let maxOutput = model.maxOutputTokens, maxOutput < call.output { continue }
            if let retired = model.deprecationDate, retired < today { continue }
            guard let guess = estimate(model) else { continue }
            ranked.append((guess, model))
        }
        ranked.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1.name < $1.1.name) }
        var best: (Money, ModelPrice)?
        for (_, model) in ranked.prefix(25) {
            var swapped = call
            swapped.model = model
            guard let cost = try? InteractionPricing.price(swapped).cost else { continue }
            if cost < current, best == nil || cost < best!.0 || (cost == best!.0 && model.name < best!.1.name) { best = (cost, model) }
        }
        return best?.1
    }
}
