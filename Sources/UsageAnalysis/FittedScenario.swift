import Foundation
public import Modeling
public import Pricing
public import TokenomicsCore

/// A scenario fitted from a usage log, whose `tokenomics model` report gives the log back.
///
/// - The **interaction mix** has one kind per feature, model and tier (batch or not) with the
///   mean tokens of its calls, its cached and cache-write shares and the calls per interaction
///   (split into two kinds of ⌊r⌋ and ⌈r⌉ calls when the mean r is not whole, so the mean holds).
///   Models the catalog cannot price are left out, with a note.
/// - **`users.interactions_per_month`** is fitted to each user-month's cost divided by the mix's
///   cost per interaction: the modeller's users differ only in how many interactions they make, so
///   measuring a user-month in interactions of the mix is what makes the modelled cost per user
///   (mean, p90, top shares) the log's. Its mean is the log's interactions per user-month when
///   the mix prices an interaction as the log did; both figures are written as comments.
/// - **`result_cache_hit_rate`** is 0: the log already paid for its exact duplicates. What a
///   result cache would have saved is written as a what-if (`levers: {what_ifs: [...]}`).
/// - **`plans`** are the ones given (`--plans`), if any.
/// - **`simulate`** is set when users differ so much (coefficient of variation CV) that the active
///   users alone would leave the Monte Carlo mean more than 1% off: CV² × 10⁴ users, at most a million.
/// - Months the log covers for less than half their days are left out (they would pass for light users).
///
/// The YAML is read back before it is returned, so a fitted scenario always loads.
public struct FittedScenario: Sendable {
    /// The scenario file's text.
    public var yaml: String
    /// The scenario as `tokenomics model` reads it.
    public var scenario: Scenario
    /// The fit of the user-months' cost in interactions of the mix.
    public var distribution: ScenarioFit
    /// What one interaction of the fitted mix costs (as the modeller prices it).
    public var costPerInteraction: Money
    /// The log's cost per interaction (priced cost over interactions), nil when it has none.
    public var logCostPerInteraction: Money?
    /// The log's mean interactions per user-month (calls grouped by interaction id, else requests).
    public var logInteractionsMean: Double
    /// The log's monthly cost per user over the months fitted: mean, nearest-rank p90, and the
    /// share of the costliest 10% of user-months.
    public var logMean: Money
    public var logP90: Money
    public var logTop10: Double
    /// What was left out or adjusted, one sentence each (also written as comments).
    public var notes: [String]

    /// Fits a scenario.
    ///
    /// - Parameters:
    ///   - result: the analysis of the log.
    ///   - catalog: prices the mix (the catalog the analysis used).
    ///   - plans: plans to carry into the scenario (`--plans`).
    ///   - name: the scenario's name.
    /// - Throws: ``AnalysisError/cannotFit(_:)`` when no event is on a model the catalog prices.
    public init(result: AnalysisResult, catalog: Catalog, plans: [Plan] = [], name: String) throws(AnalysisError) {
        var notes: [String] = []
        let mix = Self.mix(result, catalog: catalog, notes: &notes)
        guard !mix.isEmpty else {
            throw .cannotFit("no event in the log is on a model the catalog prices (\(result.unpricedModels.prefix(3).map(\.model).joined(separator: ", "))); add the models with --catalog")
        }
        var interactionLines = ["interactions:"]
        let total = mix.reduce(0) { $0 + $1.interactions }
        for kind in mix {
            interactionLines.append("  - name: \(Plan.quotedYAML(kind.name))")
            interactionLines.append("    share: \(ScenarioFit.number(kind.interactions / total))")
            interactionLines.append("    calls:")
            interactionLines.append("      - " + kind.call)
        }
        // The mix's cost per interaction, as the modeller prices the text written.
        let probe = (["users: {active: 1, interactions_per_month: {mean: 1}}"] + interactionLines).joined(separator: "\n") + "\n"
        let cpi: Money
        do { cpi = try InteractionPricing(try Scenario.read(text: probe, file: "fitted scenario", catalog: catalog)).costPerInteraction } catch {
            throw .cannotFit("the fitted interactions do not price (\(error.description)); please report this")
        }
        guard cpi > .zero else { throw .cannotFit("the fitted interactions cost nothing; the log's priced events have no tokens") }

        // Months the log covers for less than half their days would pass for light users: the fit
        // and the active users come from the others (all months when none is covered that far).
        let (fullMonths, partial) = Self.coveredMonths(result)
        if !partial.isEmpty {
            notes.append("The log covers \(partial.map(UTC.monthString).joined(separator: ", ")) for less than half the month; those user-months are left out of the fit and of the active users.")
        }
        let months = result.userMonths.filter { fullMonths.contains($0.month) }
        let values = months.map { $0.cost.ratio(to: cpi) }
        let fit = ScenarioFit(values: values)
        let costs = months.map(\.cost).sorted()
        let monthsCount = max(1, Set(months.map(\.month)).count)
        let active = max(1, Int((Double(months.count) / Double(monthsCount)).rounded()))
        let totalInteractions = months.reduce(0) { $0 + $1.interactions }
        let logInteractionsMean = months.isEmpty ? 0 : Double(totalInteractions) / Double(months.count)
        let logCPI = totalInteractions > 0 ? Money.sum(costs).divided(by: totalInteractions) : nil
        let distribution = Statistics.distribution(costs)
        let top10 = Statistics.concentration(costs).top10
        // Enough simulated users that the Monte Carlo's mean is within about 1% of the
        // population's (standard error CV/√n), however heavy the tail; totals are scaled to `active`.
        let cv = Self.coefficientOfVariation(values)
        let simulate = min(ScenarioModel.defaultMaxSimulatedUsers, max(active, Int((cv * cv * 10_000).rounded(.up))))

        var lines: [String] = []
        lines.append("# Fitted by `tokenomics analyze --fit-scenario` from \(result.events) events, \(months.count) user-months in \(monthsCount) month(s).")
        lines.append("# The log: monthly cost per user mean \(distribution.mean.formatted()), p90 \(distribution.p90.formatted()); the top 10% of user-months bear \(Self.percent(top10)) of the cost.")
        lines.append("# interactions_per_month is each user-month's cost in interactions of the mix below (\(cpi.formatted()) each), so that")
        lines.append("# `tokenomics model` gives that cost back; the log itself has \(ScenarioFit.number(logInteractionsMean)) interactions per user-month"
            + (logCPI.map { " at \($0.formatted()) each." } ?? "."))
        lines.append("# Lognormal KS distance \(ScenarioFit.number(fit.lognormalKS)) (mu \(ScenarioFit.number(fit.lognormalMu)), sigma \(ScenarioFit.number(fit.lognormalSigma))), Pareto KS distance \(ScenarioFit.number(fit.paretoKS)) (scale \(ScenarioFit.number(fit.paretoScale)), alpha \(ScenarioFit.number(fit.paretoAlpha))); chosen: \(fit.choice.rawValue)"
            + (fit.choice == .empirical ? " (no parametric fit gives back the mean, p90 and top-10% share)." : "."))
        for note in notes { lines.append("# Note: " + note) }
        lines.append("name: \(Plan.quotedYAML(name))")
        if simulate > active {
            lines.append("# Users differ by a factor of \(ScenarioFit.number(cv)) (coefficient of variation): simulate \(simulate) to keep the Monte Carlo within 1% of the mean.")
            lines.append("simulate: \(simulate)")
        }
        lines.append("users:")
        lines.append("  active: \(active)")
        if fit.choice == .empirical {
            lines.append("  interactions_per_month:")
            lines += fit.distributionLines(indent: "    ")
        } else {
            lines.append("  interactions_per_month: " + fit.distributionLines(indent: "")[0])
        }
        lines += interactionLines
        lines.append("result_cache_hit_rate: 0   # the log already paid for its duplicates; see the what-if below")
        let duplicateShare = result.totals.cost > .zero ? result.duplicates.saving.ratio(to: result.totals.cost) : 0
        if result.duplicates.duplicates > 0, duplicateShare >= 0.0001 {
            let rate = ScenarioFit.number(min(duplicateShare, 0.99))
            lines.append("# \(Self.percent(result.duplicates.share)) of requests repeated an earlier one exactly (\(Self.percent(duplicateShare)) of the cost): what a result cache would save.")
            lines.append("levers: {what_ifs: [{lever: result_cache, hit_rate: \(rate)}]}")
        }
        if !plans.isEmpty {
            lines.append("plans:")
            for plan in plans { lines.append("  - " + plan.yamlFlow) }
        }
        let yaml = lines.joined(separator: "\n") + "\n"
        let scenario: Scenario
        do { scenario = try Scenario.read(text: yaml, file: "fitted scenario", catalog: catalog) } catch {
            throw .cannotFit("the fitted scenario does not load (\(error.description)); please report this")
        }
        self.yaml = yaml
        self.scenario = scenario
        self.distribution = fit
        self.costPerInteraction = cpi
        self.logCostPerInteraction = logCPI
        self.logInteractionsMean = logInteractionsMean
        self.logMean = distribution.mean
        self.logP90 = distribution.p90
        self.logTop10 = top10
        self.notes = notes
    }

    /// The months the log covers for at least half their days (by its first and last event), and
    /// the others; every month counts as covered when none is.
    static func coveredMonths(_ result: AnalysisResult) -> (covered: Set<Int>, partial: [Int]) {
        let all = Set(result.userMonths.map(\.month))
        guard let first = result.firstTimestamp, let last = result.lastTimestamp else { return (all, []) }
        let firstDay = UTC.day(of: first), lastDay = UTC.day(of: last)
        var covered = Set<Int>()
        for month in all {
            let start = UTC.days(year: month / 12, month: month % 12 + 1, day: 1)
            let next = month % 12 == 11 ? UTC.days(year: month / 12 + 1, month: 1, day: 1) : UTC.days(year: month / 12, month: month % 12 + 2, day: 1)
            let days = max(0, min(lastDay + 1, next) - max(firstDay, start))
            if days * 2 >= next - start { covered.insert(month) }
        }
        if covered.isEmpty { return (all, []) }
        return (covered, all.subtracting(covered).sorted())
    }

    static func coefficientOfVariation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let mean = values.reduce(0, +) / Double(values.count)
        guard mean > 0 else { return 0 }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return variance.squareRoot() / mean
    }

    /// One kind of the fitted mix: its name, its interactions in the log, and its call as YAML.
    struct Kind {
        var name: String
        var interactions: Double
        var call: String
    }

    /// The interaction mix: one kind per feature, model and tier, split by whole calls per interaction.
    static func mix(_ result: AnalysisResult, catalog: Catalog, notes: inout [String]) -> [Kind] {
        // Calls per interaction, for features whose every event carries an interaction id.
        var callsPerInteraction: [String: Double] = [:]
        for item in result.interactionsByFeature {
            let requests = result.byFeatureModel.filter { $0.feature == item.feature }.reduce(0) { $0 + $1.requests }
            if let feature = result.byFeature.first(where: { $0.name == item.feature }), item.eventsWithInteraction == feature.events {
                callsPerInteraction[item.feature] = max(1, Double(requests) / Double(max(1, item.interactions)))
            }
        }
        var kinds: [Kind] = []
        var left: [(model: String, events: Int, billed: Money)] = []
        for fm in result.byFeatureModel where fm.group.events > 0 {
            guard let model = catalog.find(fm.model), model.hasTokenPrices else {
                left.append((fm.model, fm.group.events, fm.group.cost))
                continue
            }
            let feature = fm.feature.isEmpty ? "(none)" : fm.feature
            let calls = callsPerInteraction[fm.feature] ?? 1
            var parts: [(tokens: TokenTotals, requests: Int, batch: Bool)] = []
            var standard = fm.group.tokens
            standard.subtract(fm.batch.tokens)
            if fm.requests - fm.batchRequests > 0 { parts.append((standard, fm.requests - fm.batchRequests, false)) }
            if fm.batchRequests > 0 { parts.append((fm.batch.tokens, fm.batchRequests, true)) }
            for part in parts {
                let fields = Self.callFields(model: model, tokens: part.tokens, requests: part.requests, batch: part.batch, feature: feature, notes: &notes)
                func call(_ turns: Int) -> String { "{" + fields + (turns > 1 ? ", repeat: \(turns)" : "") + "}" }
                let interactions = Double(part.requests) / calls
                let label = "\(feature) / \(model.name)" + (part.batch ? " (batch)" : "")
                // ⌊r⌋ and ⌈r⌉ calls in the proportions that keep the mean r: a share w = r − ⌊r⌋ of
                // the interactions make ⌈r⌉ calls. Within 0.04 of a whole number, r is that number
                // (interactions are counted by a sketch with about 1.6% error).
                let low = max(1, Int(calls.rounded(.down)))
                let weight = calls - Double(low)
                if weight < 0.04 || weight > 0.96 {
                    kinds.append(Kind(name: label, interactions: interactions, call: call(Int(calls.rounded()))))
                } else {
                    kinds.append(Kind(name: label + " (\(low) calls)", interactions: interactions * (1 - weight), call: call(low)))
                    kinds.append(Kind(name: label + " (\(low + 1) calls)", interactions: interactions * weight, call: call(low + 1)))
                }
            }
        }
        for item in left.sorted(by: { $0.events > $1.events }) {
            var note = "\(item.model) (\(item.events) events) is left out of the interactions: the catalog has no price for it; add it with --catalog and fit again."
            if item.billed > .zero { note += " Its provider-billed cost (\(item.billed.formatted())) stays in its users' costs, carried by the other interactions." }
            notes.append(note)
        }
        return kinds.sorted { $0.interactions > $1.interactions }
    }

    /// One call's fields as YAML flow-mapping entries: mean tokens per request, cached and cache-write shares.
    static func callFields(model: ModelPrice, tokens: TokenTotals, requests: Int, batch: Bool, feature: String, notes: inout [String]) -> String {
        let n = Double(max(1, requests))
        var input = Int((Double(tokens.input) / n).rounded())
        var output = Int((Double(tokens.output) / n).rounded())
        if let window = model.maxInputTokens, input > window {
            notes.append("\(feature) / \(model.name): the mean prompt (\(input) tokens) exceeds the catalog's context window; written as \(window).")
            input = window
        }
        if let limit = model.maxOutputTokens, output > limit {
            notes.append("\(feature) / \(model.name): the mean completion (\(output) tokens) exceeds the catalog's maximum output; written as \(limit).")
            output = limit
        }
        let reasoning = min(output, Int((Double(tokens.reasoning) / n).rounded()))
        var cached = tokens.input > 0 ? Double(tokens.cachedInput) / Double(tokens.input) : 0
        var writes = tokens.input > 0 ? Double(tokens.cacheWrite) / Double(tokens.input) : 0
        cached = min(1, max(0, cached))
        writes = min(1 - cached, max(0, writes))
        var entry = "model: \(Plan.quotedYAML(model.name)), input: \(input), output: \(output)"
        if reasoning > 0 { entry += ", reasoning: \(reasoning)" }
        if cached > 0 { entry += ", cached_input: \(Self.share(cached))" }
        if writes > 0 { entry += ", cache_write: \(Self.share(min(writes, 1 - (Double(Self.share(cached)) ?? cached))))" }
        if batch { entry += ", async: true" }
        return entry
    }

    /// A share written with four decimals (never rounded up past what is left of 1).
    static func share(_ value: Double) -> String {
        let text = String(format: "%.4f", (value * 10_000).rounded(.down) / 10_000)
        return ScenarioFit.number(Double(text) ?? value)
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}

extension TokenTotals {
    mutating func subtract(_ other: TokenTotals) {
        input -= other.input
        output -= other.output
        cachedInput -= other.cachedInput
        cacheWrite -= other.cacheWrite
        reasoning -= other.reasoning
    }
}
