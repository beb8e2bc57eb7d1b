import Foundation
public import Pricing
import Tokenizers
import TokenomicsCore

extension Scenario {
    /// Reads a scenario file.
    ///
    /// - Throws: ``ModelingError`` naming the file, line and field of the first problem.
    public static func readFile(_ path: String, catalog: Catalog) throws(ModelingError) -> Scenario {
        let text: String
        do { text = try TextFiles.utf8Text(of: path) } catch {
            guard case .unreadableFile(_, let reason) = error else { throw .unreadable(file: path, reason: error.description) }
            throw .unreadable(file: path, reason: reason)
        }
        return try read(text: text, file: path, catalog: catalog)
    }

    /// Reads a scenario from YAML text, resolving every model in the catalog.
    ///
    /// ```swift
    /// let scenario = try Scenario.read(text: yaml, file: "copilot.yaml", catalog: catalog)
    /// ```
    /// - Throws: ``ModelingError/invalid(_:)`` naming the file, line and field: bad YAML, an unknown
    ///   field, an unknown model, shares that do not add up to 1, a negative value.
    public static func read(text: String, file: String, catalog: Catalog) throws(ModelingError) -> Scenario {
        do {
            let texts = ScenarioTextCounter(scenarioFile: file)
            var scenario = try ScenarioReader(catalog: catalog, texts: texts).read(try YAMLFields.parse(text, file: file))
            scenario.countedTexts = texts.counted
            return scenario
        } catch {
            throw .invalid(error)
        }
    }
}

/// Decodes the scenario format field by field.
struct ScenarioReader {
    let catalog: Catalog
    /// Counts token fields given as text.
    let texts: ScenarioTextCounter

    func read(_ root: YAMLFields) throws(YAMLFields.Problem) -> Scenario {
        let name = try root.string("name", required: false) ?? "Scenario"
        guard let usersFields = try root.mapping("users") else { throw root.problem("users", "missing (required): give users: {active: N, interactions_per_month: {...}}") }
        let users = try readUsers(usersFields)
        let kinds = try root.sequence("interactions")
        if kinds.isEmpty { throw root.problem("interactions", "missing (required): list at least one interaction with its calls") }
        var interactions: [Scenario.InteractionKind] = []
        for (index, item) in kinds.enumerated() {
            interactions.append(try readInteraction(item, index: index, single: kinds.count == 1))
        }
        let total = interactions.reduce(Fraction.zero) { $0 + $1.share }
        if total != .one {
            // Shares rounded for display (as a fitted scenario writes them) may miss 1 slightly:
            // within 0.001 they are rescaled to sum to exactly 1; anything further is a mistake.
            guard abs(total.parts - Fraction.one.parts) <= Fraction.denominator / 1000, total.parts > 0 else {
                throw root.problem("interactions", "the interactions' shares add up to \(total), not 1; make them sum to 1")
            }
            var assigned: Int64 = 0
            for index in interactions.indices {
                let scaled = Int64((Int128(interactions[index].share.parts) * Int128(Fraction.denominator) + Int128(total.parts) / 2) / Int128(total.parts))
                interactions[index].share = Fraction(parts: index == interactions.count - 1 ? Fraction.denominator - assigned : scaled)
                assigned += scaled
            }
        }
        let hitRate = try fraction(root, "result_cache_hit_rate") ?? .zero
        if hitRate == .one { throw root.problem("result_cache_hit_rate", "must be below 1 (every answer from the cache leaves nothing to model)") }
        var plans: [Plan] = []
        for item in try root.sequence("plans") { plans.append(try Plan.read(item)) }
        var seenPlans: Set<String> = []
        for plan in plans where !seenPlans.insert(plan.name).inserted {
            throw root.problem("plans", "two plans are named '\(plan.name)'; give each plan its own name")
        }
        let target = try fraction(root, "target_margin") ?? Fraction(parts: 700_000_000)
        if target == .one { throw root.problem("target_margin", "must be below 1") }
        var projection = Scenario.ProjectionSettings()
        if let fields = try root.mapping("projection") {
            projection = try readProjection(fields)
        }
        let (levers, whatIfs, maxRatingDrop) = try readLevers(root, paths: Set(interactions.flatMap { $0.calls.map(\.path) }))
        let quality = try readQuality(root)
        var seed: UInt64?
        if let value = try root.integer("seed") { seed = UInt64(value) }
        let simulate = try root.integer("simulate")
        if let simulate, simulate < 1 || simulate > 10_000_000 { throw root.problem("simulate", "must be between 1 and 10,000,000 users (got \(simulate))") }
        try root.rejectUnknown()
        var scenario = Scenario(
            name: name, users: users, interactions: interactions, resultCacheHitRate: hitRate, plans: plans,
            targetMargin: target, projection: projection, levers: levers, seed: seed
        )
        scenario.whatIfs = whatIfs
        scenario.maxRatingDrop = maxRatingDrop
        scenario.simulatedUsers = simulate
        scenario.quality = quality
        return scenario
    }

    // MARK: Users

    func readUsers(_ fields: YAMLFields) throws(YAMLFields.Problem) -> Scenario.Users {
        guard let active = try fields.integer("active") else { throw fields.problem("active", "missing (required): the number of active users a month") }
        if active < 1 { throw fields.problem("active", "must be at least 1") }
        guard let distribution = try fields.mapping("interactions_per_month") else {
            throw fields.problem("interactions_per_month", "missing (required): e.g. {distribution: lognormal, median: 120, p95: 900}")
        }
        let population = try readPopulation(distribution)
        try fields.rejectUnknown()
        return Scenario.Users(active: active, population: population)
    }

    func positive(_ fields: YAMLFields, _ key: String) throws(YAMLFields.Problem) -> Double? {
        guard let value = try fields.double(key) else { return nil }
        if value <= 0 { throw fields.problem(key, "must be greater than 0 (got \(value))") }
        return value
    }

    func require(_ fields: YAMLFields, _ key: String, _ value: Double?, _ hint: String) throws(YAMLFields.Problem) -> Double {
        guard let value else { throw fields.problem(key, "missing (required \(hint))") }
        return value
    }

    func readPopulation(_ fields: YAMLFields) throws(YAMLFields.Problem) -> Population {
        let stated = try fields.string("distribution", required: false)
        let kind = stated ?? (fields.has("median") || fields.has("p95") || fields.has("sigma") ? "lognormal" : fields.has("bins") || fields.has("histogram") ? "empirical" : "fixed")
        let population: Population
        switch kind {
        case "fixed":
            var value = try fields.double("value")
            if value == nil { value = try fields.double("mean") }
            guard let value else { throw fields.problem("mean", "missing (required for a fixed distribution: the interactions each user makes)") }
            if value < 0 { throw fields.problem(fields.has("value") ? "value" : "mean", "cannot be negative") }
            population = .fixed(value)
        case "lognormal":
            let median = try positive(fields, "median")
            let p95 = try positive(fields, "p95")
            let mean = try positive(fields, "mean")
            let sigma = try positive(fields, "sigma")
            let pairs = [median != nil && p95 != nil, mean != nil && sigma != nil, median != nil && sigma != nil].filter { $0 }.count
            if pairs > 1 || (mean != nil && median != nil) {
                throw fields.problem(mean != nil ? "mean" : "sigma", "give one of: median and p95, mean and sigma, or median and sigma")
            }
            if let median, let p95 {
                if p95 <= median { throw fields.problem("p95", "must be above the median (\(median)) for a lognormal") }
                population = .lognormal(median: median, p95: p95)
            } else if let mean, let sigma {
                population = .lognormal(mean: mean, sigma: sigma)
            } else if let median, let sigma {
                population = .lognormal(mu: log(median), sigma: sigma)
            } else {
                throw fields.problem(median == nil && mean == nil ? "median" : (p95 == nil && sigma == nil ? "p95" : "sigma"), "a lognormal needs median and p95, mean and sigma, or median and sigma")
            }
        case "pareto":
            let mean = try positive(fields, "mean")
            let minimum = try positive(fields, "min")
            var shape = try positive(fields, "shape")
            if let top = try fields.mapping("top_share") {
                let users = try require(top, "users", try top.double("users"), "the top share of users, e.g. 0.05")
                let calls = try require(top, "calls", try top.double("calls"), "the share of calls they make, e.g. 0.5")
                try top.rejectUnknown()
                if !(users > 0 && users < 1) { throw top.problem("users", "must be between 0 and 1 (got \(users))") }
                if !(calls > users && calls < 1) { throw top.problem("calls", "must be above users (\(users)) and below 1 (got \(calls)): the top users make more than their share") }
                if shape != nil { throw fields.problem("shape", "give shape or top_share, not both") }
                shape = Population.paretoShape(topUsers: users, calls: calls)
            }
            guard let shape else { throw fields.problem("shape", "missing (a Pareto needs shape or top_share: {users: 0.05, calls: 0.5})") }
            if shape <= 1 { throw fields.problem(fields.has("shape") ? "shape" : "top_share", "gives a Pareto shape of \(shape), at most 1: the mean would be infinite; use a shape above 1") }
            if let mean {
                if minimum != nil { throw fields.problem("min", "give mean or min, not both") }
                population = .pareto(mean: mean, shape: shape)
            } else if let minimum {
                population = .pareto(scale: minimum, shape: shape)
            } else {
                throw fields.problem("mean", "missing (a Pareto needs mean or min)")
            }
        case "empirical":
            // `histogram` is what `tokenomics analyze --fit-scenario` writes; `bins` reads better by hand.
            let key = fields.has("histogram") && !fields.has("bins") ? "histogram" : "bins"
            let items = try fields.sequence(key)
            if items.isEmpty { throw fields.problem("bins", "missing (required): a list of {min, max, share}") }
            var bins: [Population.Bin] = []
            for item in items {
                guard let lower = try item.double("min") else { throw item.problem("min", "missing (required)") }
                let shape = try positive(item, "shape")
                // A bin with a shape and no max is an unbounded Pareto tail; without a shape, a point.
                let upper = try item.double("max") ?? (shape != nil ? .infinity : lower)
                guard let share = try item.double("share") else { throw item.problem("share", "missing (required): the share of users in this bin") }
                try item.rejectUnknown()
                if lower < 0 { throw item.problem("min", "cannot be negative") }
                if upper < lower { throw item.problem("max", "must not be below min (\(lower))") }
                if share < 0 { throw item.problem("share", "cannot be negative") }
                if let shape {
                    if lower <= 0 { throw item.problem("min", "must be above 0 in a bin with a Pareto shape") }
                    if upper == lower { throw item.problem("max", "must be above min (\(lower)) in a bin with a Pareto shape") }
                    if !upper.isFinite && shape <= 1 {
                        throw item.problem("shape", "an unbounded Pareto tail needs a shape above 1 (got \(shape)): give max, or a larger shape")
                    }
                }
                bins.append(Population.Bin(lower: lower, upper: upper, share: share, shape: shape))
            }
            let total = bins.reduce(0) { $0 + $1.share }
            if abs(total - 1) > 1e-3 { throw fields.problem(key, "the bins' shares add up to \(total), not 1") }
            population = .empirical(bins.map { Population.Bin(lower: $0.lower, upper: $0.upper, share: $0.share / total, shape: $0.shape) }.sorted { $0.lower < $1.lower })
        default:
            throw fields.problem("distribution", "expected fixed, lognormal, pareto or empirical (got '\(kind)')")
        }
        try fields.rejectUnknown()
        return population
    }

    // MARK: Interactions and calls

    func readInteraction(_ fields: YAMLFields, index: Int, single: Bool) throws(YAMLFields.Problem) -> Scenario.InteractionKind {
        let name = try fields.string("name", required: false) ?? "interaction \(index + 1)"
        let share: Fraction
        if let value = try fraction(fields, "share") {
            share = value
        } else if single {
            share = .one
        } else {
            throw fields.problem("share", "missing (required when there are several interactions): this kind's share of all interactions")
        }
        let task = try readTask(fields) ?? .general
        let items = try fields.sequence("calls")
        if items.isEmpty { throw fields.problem("calls", "missing (required): list the model calls one interaction makes") }
        var calls: [Scenario.Call] = []
        for (callIndex, item) in items.enumerated() {
            var call = try readCall(item, path: "interactions[\(index)].calls[\(callIndex)]")
            call.task = try readTask(item) ?? task
            calls.append(call)
        }
        try fields.rejectUnknown()
        return Scenario.InteractionKind(name: name, share: share, calls: calls)
    }

    func readCall(_ fields: YAMLFields, path: String) throws(YAMLFields.Problem) -> Scenario.Call {
        let modelName = try fields.string("model")
        guard let model = catalog.find(modelName) else {
            let suggestions = catalog.suggestions(for: modelName, count: 3)
            let hint = suggestions.isEmpty ? "" : " (did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?)"
            throw fields.problem("model", "unknown model '\(modelName)'\(hint); see `tokenomics models \(modelName)` or add it with --catalog")
        }
        if !model.hasTokenPrices { throw fields.problem("model", "'\(model.name)' has no per-token prices in the catalog; add them with --catalog") }
        let input = try readInput(fields, model: model)
        guard let output = try tokens(fields, "output", model: model) else { throw fields.problem("output", "missing (required): completion tokens per call") }
        let reasoning = try tokens(fields, "reasoning", model: model) ?? 0
        if reasoning > output { throw fields.problem("reasoning", "reasoning tokens (\(reasoning)) are part of output (\(output)) and cannot exceed it") }
        let cached = try fraction(fields, "cached_input") ?? .zero
        let writes = try fraction(fields, "cache_write") ?? .zero
        if cached + writes > .one { throw fields.problem("cache_write", "cached_input (\(cached)) + cache_write (\(writes)) exceed 1") }
        let repeatCount = try fields.integer("repeat") ?? 1
        if repeatCount < 1 || repeatCount > 10_000 { throw fields.problem("repeat", "must be between 1 and 10,000 turns (got \(repeatCount))") }
        let growth = try tokens(fields, "context_growth") ?? 0
        let async = try fields.bool("async") ?? false
        _ = try readTask(fields)   // read (and checked) here so rejectUnknown knows it; applied by readInteraction
        try fields.rejectUnknown()
        let largest = input.total + (repeatCount - 1) * growth
        if let window = model.maxInputTokens, largest > window {
            let which = repeatCount > 1 ? "the last turn's prompt (\(largest) tokens)" : "the prompt (\(largest) tokens)"
            throw fields.problem(repeatCount > 1 ? "context_growth" : "input", "\(which) exceeds \(model.name)'s context window of \(window) tokens")
        }
        return Scenario.Call(
            model: model, input: input, output: output, reasoning: reasoning, cachedInput: cached, cacheWrite: writes,
            repeatCount: repeatCount, contextGrowth: growth, async: async, path: path, location: fields.location()
        )
    }

    func readInput(_ fields: YAMLFields, model: ModelPrice) throws(YAMLFields.Problem) -> Scenario.Input {
        guard fields.has("input") else { throw fields.problem("input", "missing (required): prompt tokens, or {system, retrieval, history, user}") }
        if !ScenarioTextCounter.holdsText(fields, "input"), let parts = try? fields.mapping("input") {
            let system = try tokens(parts, "system", model: model) ?? 0
            var input = Scenario.Input(system: system)
            if let retrieval = try parts.mapping("retrieval") {
                input.chunks = try tokens(retrieval, "chunks") ?? 0
                input.tokensPerChunk = try tokens(retrieval, "tokens_per_chunk", model: model) ?? 0
                try retrieval.rejectUnknown()
            }
            if let history = try parts.mapping("history") {
                input.historyTurns = try tokens(history, "turns") ?? 0
                input.tokensPerTurn = try tokens(history, "tokens_per_turn", model: model) ?? 0
                try history.rejectUnknown()
            }
            input.user = try tokens(parts, "user", model: model) ?? 0
            try parts.rejectUnknown()
            return input
        }
        guard let count = try tokens(fields, "input", model: model) else { throw fields.problem("input", "missing (required)") }
        return .tokens(count)
    }

    /// A token count: a number, or text (inline, `{text: ...}` or `{file: PATH}`) counted with
    /// `model`'s tokenizer.
    func tokens(_ fields: YAMLFields, _ key: String, model: ModelPrice) throws(YAMLFields.Problem) -> Int? {
        if ScenarioTextCounter.holdsText(fields, key) { return try texts.count(fields, key, model: model) }
        return try tokens(fields, key)
    }

    /// A whole number (a token count without a model to count text with, a number of chunks or turns).
    func tokens(_ fields: YAMLFields, _ key: String) throws(YAMLFields.Problem) -> Int? {
        guard let text = try fields.string(key, required: false) else { return nil }
        let cleaned = text.filter { $0 != "_" && $0 != "," }
        if cleaned.hasPrefix("-"), Double(cleaned) != nil { throw fields.problem(key, "cannot be negative (got \(text))") }
        if Double(cleaned) == nil { throw fields.problem(key, "expected a whole number, found '\(text)'") }
        return try fields.integer(key)
    }

    func fraction(_ fields: YAMLFields, _ key: String) throws(YAMLFields.Problem) -> Fraction? {
        guard let text = try fields.string(key, required: false) else { return nil }
        guard let value = Fraction(rounding: text.trimmingCharacters(in: .whitespaces)) else {
            throw fields.problem(key, "expected a fraction between 0 and 1, found '\(text)'")
        }
        if value < .zero || value > .one { throw fields.problem(key, "must be between 0 and 1 (got \(text))") }
        return value
    }

    // MARK: Projection and levers

    func readProjection(_ fields: YAMLFields) throws(YAMLFields.Problem) -> Scenario.ProjectionSettings {
        var settings = Scenario.ProjectionSettings()
        if let months = try fields.integer("months") {
            if months < 1 || months > 120 { throw fields.problem("months", "must be between 1 and 120") }
            settings.months = months
        }
        if let decline = try fields.double("annual_price_decline") {
            if decline < 0 || decline >= 1 { throw fields.problem("annual_price_decline", "must be in [0, 1): 0.5 means prices halve each year") }
            settings.annualPriceDecline = decline
        }
        if let growth = try fields.double("user_growth_monthly") {
            if growth <= -1 || growth > 10 { throw fields.problem("user_growth_monthly", "must be above -1 (0.08 is 8% more users a month)") }
            settings.userGrowthMonthly = growth
        }
        try fields.rejectUnknown()
        return settings
    }

    /// The `levers:` field, the what-ifs its mapping form adds to the automatic levers, and the
    /// model lever's largest rating drop.
    func readLevers(_ root: YAMLFields, paths: Set<String>) throws(YAMLFields.Problem) -> (Scenario.LeverSettings, [Scenario.WhatIf], Double) {
        var maxRatingDrop = 20.0
        switch root.shape("levers") {
        case nil:
            return (.auto(candidates: []), [], maxRatingDrop)
        case .sequence:
            var items: [Scenario.WhatIf] = []
            for item in try root.sequence("levers") { items.append(try readWhatIf(item, paths: paths)) }
            return (.list(items), [], maxRatingDrop)
        case .scalar(let text):
            switch text.lowercased() {
            case "auto", "true", "yes", "on": return (.auto(candidates: []), [], maxRatingDrop)
            case "off", "none", "false", "no": return (.off, [], maxRatingDrop)
            default: throw root.problem("levers", "expected auto, off, or {models: [...], max_rating_drop: 20, what_ifs: [...]} (got '\(text)')")
            }
        case .mapping:
            break
        }
        guard let fields = try root.mapping("levers") else { return (.auto(candidates: []), [], maxRatingDrop) }
        var candidates: [ModelPrice] = []
        for name in try fields.strings("models") {
            guard let model = catalog.find(name) else {
                throw fields.problem("models", "unknown model '\(name)'; see `tokenomics models \(name)`")
            }
            candidates.append(model)
        }
        var whatIfs: [Scenario.WhatIf] = []
        for item in try fields.sequence("what_ifs") { whatIfs.append(try readWhatIf(item, paths: paths)) }
        if let drop = try fields.double("max_rating_drop") {
            if drop < 0 || !drop.isFinite { throw fields.problem("max_rating_drop", "must be 0 or more rating points (got \(drop))") }
            maxRatingDrop = drop
        }
        try fields.rejectUnknown()
        return (.auto(candidates: candidates), whatIfs, maxRatingDrop)
    }

    /// A call's or an interaction's `task`.
    func readTask(_ fields: YAMLFields) throws(YAMLFields.Problem) -> QualityTask? {
        guard let text = try fields.string("task", required: false) else { return nil }
        guard let task = QualityTask(rawValue: text.lowercased()) else {
            throw fields.problem("task", "expected \(QualityTask.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(text)')")
        }
        return task
    }

    /// The `quality:` field: `{view: style_control|raw}` for the bundled Arena snapshot, or
    /// `{file: evals.csv}` for the user's scores (relative to the scenario's directory).
    func readQuality(_ root: YAMLFields) throws(YAMLFields.Problem) -> QualityRatings? {
        guard let fields = try root.mapping("quality") else {
            if root.has("quality") { throw root.problem("quality", "expected {file: evals.csv} or {view: style_control}") }
            return try? QualityRatings.arena()
        }
        let file = try fields.string("file", required: false)
        let view = try fields.string("view", required: false)
        try fields.rejectUnknown()
        if let file {
            if view != nil { throw fields.problem("view", "give file or view, not both (a scores file has no views)") }
            let path = file.hasPrefix("/") ? file : texts.baseDirectory + "/" + file
            let text: String
            do { text = try TextFiles.utf8Text(of: path) } catch { throw fields.problem("file", "cannot read '\(file)': \(error.description)") }
            do { return try QualityRatings.scores(csv: text, file: file) } catch { throw fields.problem("file", error.description) }
        }
        do { return try QualityRatings.arena(view: view ?? "style_control") } catch { throw fields.problem("view", error.description) }
    }

    /// One item of an explicit `levers:` list.
    func readWhatIf(_ fields: YAMLFields, paths: Set<String>) throws(YAMLFields.Problem) -> Scenario.WhatIf {
        let lever = try fields.string("lever")
        func path() throws(YAMLFields.Problem) -> String {
            let path = try fields.string("call")
            guard paths.contains(path) else {
                let known = paths.sorted().prefix(4).joined(separator: ", ")
                throw fields.problem("call", "no call '\(path)' in this scenario; name one as the report does, e.g. \(known)")
            }
            return path
        }
        let whatIf: Scenario.WhatIf
        switch lever {
        case "model":
            let at = try path()
            let name = try fields.string("to")
            guard let model = catalog.find(name) else { throw fields.problem("to", "unknown model '\(name)'; see `tokenomics models \(name)`") }
            whatIf = .model(path: at, to: model)
        case "context":
            let at = try path()
            let chunks = try tokens(fields, "chunks")
            let turns = try tokens(fields, "history_turns")
            let growth = try tokens(fields, "context_growth")
            if chunks == nil && turns == nil && growth == nil { throw fields.problem("chunks", "give chunks, history_turns or context_growth") }
            whatIf = .context(path: at, chunks: chunks, historyTurns: turns, contextGrowth: growth)
        case "calls":
            let at = try path()
            guard let count = try fields.integer("repeat"), count >= 1 else { throw fields.problem("repeat", "missing (required): the new number of turns, at least 1") }
            whatIf = .calls(path: at, repeatCount: count)
        case "provider_cache":
            let at = try path()
            guard let share = try fraction(fields, "cached_input") else { throw fields.problem("cached_input", "missing (required): the new cached share") }
            whatIf = .providerCache(path: at, cachedInput: share)
        case "result_cache":
            guard let rate = try fraction(fields, "hit_rate") else { throw fields.problem("hit_rate", "missing (required): the new result-cache hit rate") }
            if rate == .one { throw fields.problem("hit_rate", "must be below 1") }
            whatIf = .resultCache(hitRate: rate)
        case "batch":
            whatIf = .batch(path: try path())
        default:
            throw fields.problem("lever", "expected model, context, calls, provider_cache, result_cache or batch (got '\(lever)')")
        }
        try fields.rejectUnknown()
        return whatIf
    }
}
