import Pricing
public import TokenomicsCore

/// A pricing plan: what a user pays per month, and how many interactions they get.
///
/// Shared by the modeller (`plans:` in a scenario) and `tokenomics analyze --plans PLANS.yaml`.
///
/// ```yaml
/// plans:
///   - {name: Pro, kind: flat, price: 30}
///   - {name: Metered, kind: usage, base: 10, included_interactions: 300, overage_per_interaction: 0.04}
///   - {name: Capped, kind: flat, price: 20, cap_interactions: 600}
///   - {name: Credits, kind: credits, pack_price: 10, pack_interactions: 500}
/// ```
public struct Plan: Sendable, Hashable {
    /// How the plan charges.
    public enum Kind: Sendable, Hashable {
        /// A fixed monthly price.
        case flat(price: Money)
        /// A base fee that includes some interactions, then a price per interaction.
        case usage(base: Money, included: Int, overagePerInteraction: Money)
        /// Prepaid packs of interactions; a user buys as many packs as they use (at least one).
        case credits(packPrice: Money, packInteractions: Int)
    }

    /// The plan's name.
    public var name: String
    /// How it charges.
    public var kind: Kind
    /// Interactions past this many a month are not served (a hard cap); nil for no cap.
    public var capInteractions: Int?

    public init(name: String, kind: Kind, capInteractions: Int? = nil) {
        self.name = name
        self.kind = kind
        self.capInteractions = capInteractions
    }

    /// The interactions actually served to a user who wants `wanted` of them.
    public func served(_ wanted: Int) -> Int {
        guard let cap = capInteractions else { return wanted }
        return min(wanted, cap)
    }

    /// What a user who is served `interactions` in a month pays, exactly.
    public func revenue(interactions: Int) -> Money {
        switch kind {
        case .flat(let price):
            return price
        case .usage(let base, let included, let overage):
            return base + overage * max(0, interactions - included)
        case .credits(let packPrice, let packInteractions):
            let packs = max(1, (interactions + packInteractions - 1) / packInteractions)
            return packPrice * packs
        }
    }

    /// The smallest number of interactions a month at which the user's inference cost reaches their
    /// revenue, given the cost of one interaction; nil when revenue always keeps ahead (usage plans
    /// whose overage exceeds the cost) or the cost is zero.
    public func breakEvenInteractions(costPerInteraction: Money) -> Int? {
        guard costPerInteraction > .zero else { return nil }
        switch kind {
        case .flat(let price):
            return Self.ceilDiv(price, costPerInteraction)
        case .usage(let base, let included, let overage):
            let withinIncluded = Self.ceilDiv(base, costPerInteraction)
            if withinIncluded <= included { return withinIncluded }
            guard costPerInteraction > overage else { return nil }
            // base + overage × (n − included) ≤ cost × n  ⇔  n ≥ (base − overage × included) / (cost − overage)
            return Self.ceilDiv(base - overage * included, costPerInteraction - overage)
        case .credits(let packPrice, let packInteractions):
            // Revenue per interaction is packPrice / packInteractions once packs are full.
            guard costPerInteraction * packInteractions >= packPrice else { return nil }
            return Self.ceilDiv(packPrice, costPerInteraction)
        }
    }

    static func ceilDiv(_ a: Money, _ b: Money) -> Int {
        let (q, r) = a.units.quotientAndRemainder(dividingBy: b.units)
        return Int(r > 0 ? q + 1 : q)
    }

    /// The kind's name as written in YAML.
    public var kindName: String {
        switch kind {
        case .flat: "flat"
        case .usage: "usage"
        case .credits: "credits"
        }
    }
}

extension Plan {
    /// Reads one plan from a YAML mapping.
    ///
    /// Fields: `name` (required), `kind` (`flat` | `usage` | `credits`, default `flat`), `price`
    /// (flat), `base`, `included_interactions`, `overage_per_interaction` (usage), `pack_price`,
    /// `pack_interactions` (credits), `cap_interactions` (any kind). Amounts are exact USD.
    public static func read(_ fields: YAMLFields) throws(YAMLFields.Problem) -> Plan {
        let name = try fields.string("name")
        let kindName = try fields.string("kind", required: false) ?? "flat"
        func required(_ key: String) throws(YAMLFields.Problem) -> Money {
            guard let value = try fields.money(key) else { throw fields.problem(key, "missing (required for a \(kindName) plan)") }
            if value < .zero { throw fields.problem(key, "cannot be negative") }
            return value
        }
        let kind: Kind
        switch kindName {
        case "flat":
            kind = .flat(price: try required("price"))
        case "usage":
            let base = try fields.money("base") ?? .zero
            if base < .zero { throw fields.problem("base", "cannot be negative") }
            kind = .usage(base: base, included: try fields.integer("included_interactions") ?? 0, overagePerInteraction: try required("overage_per_interaction"))
        case "credits", "prepaid":
            let pack = try fields.integer("pack_interactions") ?? 0
            if pack <= 0 { throw fields.problem("pack_interactions", "must be a positive number of interactions per pack") }
            kind = .credits(packPrice: try required("pack_price"), packInteractions: pack)
        default:
            throw fields.problem("kind", "expected flat, usage or credits (got '\(kindName)')")
        }
        let cap = try fields.integer("cap_interactions")
        try fields.rejectUnknown()
        return Plan(name: name, kind: kind, capInteractions: cap)
    }

    /// Reads a plans file: a top-level `plans:` list.
    public static func readFile(text: String, file: String) throws(YAMLFields.Problem) -> [Plan] {
        let root = try YAMLFields.parse(text, file: file)
        let items = try root.sequence("plans")
        try root.rejectUnknown()
        if items.isEmpty { throw root.problem("plans", "expected a list of at least one plan") }
        var plans: [Plan] = []
        for item in items { plans.append(try read(item)) }
        return plans
    }
}
