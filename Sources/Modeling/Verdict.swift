/// The modeller's bottom line: does token cost matter for this product?
public struct Verdict: Sendable, Hashable {
    /// The three verdicts.
    public enum Kind: String, Sendable, Hashable {
        /// Under 5% of revenue: stop optimising.
        case negligible
        /// 5–30% of revenue: levers are worth pulling.
        case matters
        /// Over 30% of revenue, or a plan whose p90 user is underwater: the pricing must change.
        case dominates
        /// No plan to compare cost with.
        case noRevenue = "no_revenue"

        /// The verdict as a sentence.
        public var headline: String {
            switch self {
            case .negligible: "token cost is negligible"
            case .matters: "token cost matters"
            case .dominates: "token cost dominates"
            case .noRevenue: "no revenue to compare with"
            }
        }

        /// What to do about it.
        public var advice: String {
            switch self {
            case .negligible: "stop optimising tokens; spend the effort elsewhere"
            case .matters: "levers are worth pulling (model choice, context length, call frequency, caching)"
            case .dominates: "the pricing model must change"
            case .noRevenue: "add plans to the scenario to get margins and a verdict"
            }
        }
    }

    public var kind: Kind
    /// Inference cost as a share of revenue (first plan), when there is revenue.
    public var costShare: Double?
    /// What drives it: users, plans and levers.
    public var reasons: [String]

    /// The kind for a cost share of revenue and whether some plan's p90 user is underwater.
    public static func kind(costShare: Double?, p90Underwater: Bool) -> Kind {
        guard let share = costShare else { return .noRevenue }
        if share > 0.30 || p90Underwater { return .dominates }
        if share >= 0.05 { return .matters }
        return .negligible
    }
}
