import Foundation
public import Pricing
public import TokenomicsCore

/// A what-if: one change to the scenario, what it saves a month and the margin it leaves.
public struct Lever: Sendable {
    /// Which of the levers it pulls.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A cheaper model for a call that keeps its quality (the rating rule), or one from `levers.models`.
        case model
        /// The cheapest model for a call, whatever its quality (the row says how many rating points it loses).
        case modelCheapest = "model_cheapest"
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
    /// For model swaps: both models' quality ratings in the call's task, when there are ratings.
    public var quality: SwapQuality? = nil
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
        find(for: scenario, catalog: catalog, baseline: baseline, served: served, revenue: revenue, today: today).levers
    }

    /// The ranked levers, as ``levers(for:catalog:baseline:served:revenue:today:)``, and notes on the
    /// model swaps: calls whose model has no quality rating, and what the ratings are.
    public static func find(
        for scenario: Scenario, catalog: Catalog, baseline: Money, served: Int, revenue: Money?, today: String
    ) -> (levers: [Lever], notes: [String]) {
        // Explicit what-ifs are reported whole (a negative saving is a cost); automatic ones only when they save.
        var whatIfs: [WhatIfRun] = []
        var notes: [String] = []
        let choice = ModelChoice(ratings: scenario.quality, maxRatingDrop: scenario.maxRatingDrop)
        switch scenario.levers {
        case .off: return ([], [])
        case .list(let items): whatIfs = items.map { run(apply($0, to: scenario), explicit: true, scenario, choice) }
        case .auto(let candidates):
            whatIfs = automatic(scenario, candidates: candidates, catalog: catalog, today: today, choice: choice, notes: &notes)
            whatIfs += scenario.whatIfs.map { run(apply($0, to: scenario), explicit: true, scenario, choice) }
        }
        var result: [Lever] = []
        for item in whatIfs {
            guard let pricing = try? InteractionPricing(item.scenario) else { continue }
            let cpi = pricing.costPerInteraction
            let saving = (baseline - cpi) * served
            if !item.explicit, saving <= .zero { continue }
            let newCost = cpi * served
            let margin = revenue.flatMap { PlanEvaluation.margin(revenue: $0, cost: newCost) }
            result.append(Lever(
                kind: item.kind, change: item.change, costPerInteraction: cpi, monthlySaving: saving, newGrossMargin: margin, scenario: item.scenario,
                quality: item.quality))
        }
        if result.contains(where: { $0.quality != nil }), let ratings = scenario.quality { notes.append(ratings.snapshotNote) }
        return (result.sorted { $0.monthlySaving > $1.monthlySaving }, notes)
    }

    /// A what-if to price.
    struct WhatIfRun {
        var kind: Lever.Kind
        var change: String
        var scenario: Scenario
        var explicit: Bool
        var quality: SwapQuality? = nil
    }

    /// An explicit what-if, with the quality of a model swap it makes.
    static func run(_ applied: (Lever.Kind, String, Scenario), explicit: Bool, _ scenario: Scenario, _ choice: ModelChoice) -> WhatIfRun {
        var item = WhatIfRun(kind: applied.0, change: applied.1, scenario: applied.2, explicit: explicit)
        if applied.0 == .model {
            for (old, new) in zip(scenario.interactions.flatMap(\.calls), applied.2.interactions.flatMap(\.calls)) where old.model.name != new.model.name {
                item.quality = choice.quality(task: old.task, from: old.model, to: new.model)
                break
            }
        }
        return item
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
    static func automatic(
        _ scenario: Scenario, candidates: [ModelPrice], catalog: Catalog, today: String, choice: ModelChoice, notes: inout [String]
    ) -> [WhatIfRun] {
        var runs: [WhatIfRun] = []
        // 1. Model swaps, one per call: the cheapest that keeps quality, and the cheapest of all.
        for (k, kind) in scenario.interactions.enumerated() {
            for (c, call) in kind.calls.enumerated() {
                let swaps = modelSwaps(for: call, candidates: candidates, catalog: catalog, today: today, choice: choice, notes: &notes)
                for (leverKind, model) in swaps {
                    var changed = scenario
                    changed.interactions[k].calls[c].model = model
                    runs.append(WhatIfRun(
                        kind: leverKind, change: "\(call.path).model: \(call.model.name) → \(model.name)", scenario: changed, explicit: false,
                        quality: choice.quality(task: call.task, from: call.model, to: model)))
                }
            }
        }
        return runs + otherLevers(scenario).map { WhatIfRun(kind: $0.0, change: $0.1, scenario: $0.2, explicit: false) }
    }

    /// A call's model swaps: `model`, the cheapest catalog model of any provider whose rating for
    /// the call's task is at most `maxRatingDrop` below the current model's (or, when the current
    /// model is unrated, the cheapest of `levers.models`), and `model_cheapest`, the cheapest of the
    /// same provider (or of `levers.models`) whatever its rating, when it is cheaper still.
    static func modelSwaps(
        for call: Scenario.Call, candidates: [ModelPrice], catalog: Catalog, today: String, choice: ModelChoice, notes: inout [String]
    ) -> [(Lever.Kind, ModelPrice)] {
        var swaps: [(Lever.Kind, ModelPrice)] = []
        var kept: ModelPrice?
        if let rating = choice.rating(of: call.model, task: call.task) {
            let pool = choice.keepingQuality(of: rating, task: call.task, from: candidates.isEmpty ? catalog.models : candidates).map(\.model)
            kept = cheapestReplacement(for: call, pool: pool, today: today)
        } else if let ratings = choice.ratings, call.model.mode != "embedding" {
            let category = ratings.category(for: call.task)
            if candidates.isEmpty {
                notes.append("\(call.path): \(call.model.name) has no rating for task \(call.task.rawValue) (\(category)) in \(ratings.source), so no swap is proposed that keeps quality; list the models you would accept in levers: {models: [...]}, or give your own scores with quality: {file: evals.csv}.")
            } else {
                notes.append("\(call.path): \(call.model.name) has no rating for task \(call.task.rawValue) (\(category)) in \(ratings.source); its model swap comes from levers.models without a quality check.")
                kept = cheapestReplacement(for: call, pool: candidates, today: today)
            }
        } else if !candidates.isEmpty {
            kept = cheapestReplacement(for: call, pool: candidates, today: today)
        }
        if let kept { swaps.append((.model, kept)) }
        let anyPool = candidates.isEmpty ? catalog.models.filter { $0.provider == call.model.provider } : candidates
        if let cheapest = cheapestReplacement(for: call, pool: anyPool, today: today), cheapest.name != kept?.name {
            if let kept {
                var a = call, b = call
                a.model = kept
                b.model = cheapest
                if let costKept = try? InteractionPricing.price(a).cost, let costCheapest = try? InteractionPricing.price(b).cost, costCheapest >= costKept {
                    return swaps
                }
            }
            swaps.append((.modelCheapest, cheapest))
        }
        return swaps
    }

    /// The automatic what-ifs other than model swaps.
    static func otherLevers(_ scenario: Scenario) -> [(Lever.Kind, String, Scenario)] {
        var whatIfs: [(Lever.Kind, String, Scenario)] = []
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

    /// The cheapest model of `pool` that can take the call (``ModelChoice/fits(_:replacing:largestPrompt:largestOutput:today:)``:
    /// same mode, token prices, a context window that holds the call's largest prompt, room for its
    /// output, not deprecated) and costs less for it. Of models that cost the same (one model at the
    /// same price on several hosts), the current provider's, then a name without a host prefix,
    /// then the first name.
    ///
    /// Exact: candidates are priced in the order of a lower bound on their cost (every prompt token
    /// at the model's lowest prompt rate, every completion token at its lowest completion rate),
    /// until the bound passes the best exact cost found.
    public static func cheapestReplacement(for call: Scenario.Call, pool: [ModelPrice], today: String) -> ModelPrice? {
        let largest = call.input.total + (call.repeatCount - 1) * call.contextGrowth
        let turns = call.repeatCount
        let promptTokens = turns * call.input.total + call.contextGrowth * turns * (turns - 1) / 2
        let outputTokens = turns * call.output
        let promptClasses: Set<TokenClass> = [.input, .cachedInput, .cacheWrite, .cacheWrite1h]
        let outputClasses: Set<TokenClass> = [.output, .reasoning]
        func bound(_ model: ModelPrice) -> Money {
            var prompt: Money?, completion: Money?
            for (key, rate) in model.rates {
                if promptClasses.contains(key.tokenClass) { prompt = min(prompt ?? rate, rate) }
                if outputClasses.contains(key.tokenClass) { completion = min(completion ?? rate, rate) }
            }
            return (prompt ?? .zero) * promptTokens + (completion ?? .zero) * outputTokens
        }
        guard let current = try? InteractionPricing.price(call).cost else { return nil }
        var ranked: [(Money, ModelPrice)] = []
        for model in pool where ModelChoice.fits(model, replacing: call.model, largestPrompt: largest, largestOutput: call.output, today: today) {
            let low = bound(model)
            if low < current { ranked.append((low, model)) }
        }
        ranked.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1.name < $1.1.name) }
        func preferred(_ a: ModelPrice, over b: ModelPrice) -> Bool {
            let x = (a.provider == call.model.provider ? 0 : 1, a.name.contains("/") ? 1 : 0, a.name)
            let y = (b.provider == call.model.provider ? 0 : 1, b.name.contains("/") ? 1 : 0, b.name)
            return x < y
        }
        var best: (Money, ModelPrice)?
        for (low, model) in ranked {
            if let best, low > best.0 { break }
            var swapped = call
            swapped.model = model
            guard let cost = try? InteractionPricing.price(swapped).cost else { continue }
            if cost < current, best == nil || cost < best!.0 || (cost == best!.0 && preferred(model, over: best!.1)) { best = (cost, model) }
        }
        return best?.1
    }
}
