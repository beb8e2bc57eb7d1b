import Pricing
public import TokenomicsCore

/// Why a scenario could not be read or modelled.
///
/// Every case says where (file, line and field when the scenario is at fault) and what to do. The
/// command line prints ``description`` as it is.
public enum ModelingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field of the scenario is missing, malformed, out of range or unknown.
    case invalid(YAMLFields.Problem)
    /// The scenario file could not be read.
    case unreadable(file: String, reason: String)
    /// A call could not be priced (a model without token prices, say), at a field of the scenario.
    case unpriced(location: String, field: String, reason: String)
    /// A report could not be written.
    case unwritable(file: String, reason: String)
    /// The inputs make no sense together (no plans where one is needed, and so on).
    case badInput(String)

    public var description: String {
        switch self {
        case .invalid(let problem): problem.description
        case .unreadable(let file, let reason): "\(file): cannot read the scenario: \(reason)"
        case .unpriced(let location, let field, let reason): "\(location): field '\(field)': \(reason)"
        case .unwritable(let file, let reason): "\(file): cannot write the report: \(reason)"
        case .badInput(let reason): reason
        }
    }

    /// True when the caller's input is at fault.
    public var isBadInput: Bool {
        switch self {
        case .invalid, .unpriced, .badInput: true
        case .unreadable: true
        case .unwritable: false
        }
    }
}

extension ModelingError: ReportableError {}
