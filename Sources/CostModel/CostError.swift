public import Pricing
public import TokenomicsCore

/// Why a cost could not be computed.
public enum CostError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Token counts that contradict each other or are negative.
    case inconsistentUsage(String)
    /// The model has no per-token price for a class the usage needs.
    case unpriced(model: String, tokenClass: TokenClass)
    /// The model could not be found.
    case pricing(PricingError)

    public var description: String {
        switch self {
        case .inconsistentUsage(let why): "Inconsistent usage: \(why)."
        case .unpriced(let model, let cls): "Model '\(model)' has no price for \(cls) tokens in the catalog; add one with a custom-models file (--catalog)."
        case .pricing(let error): error.description
        }
    }

    /// True when the caller's input is at fault.
    public var isBadInput: Bool {
        switch self {
        case .inconsistentUsage, .unpriced: true
        case .pricing(let error): error.isBadInput
        }
    }
}

extension CostError: ReportableError {}
