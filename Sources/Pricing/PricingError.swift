public import TokenomicsCore

/// What went wrong while loading a catalog or finding a model in it.
public enum PricingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No model has that name; `suggestions` are the closest names in the catalog.
    case unknownModel(String, suggestions: [String])
    /// A catalog file is malformed: `location` names the file and line or entry, `field` the field.
    case malformedCatalog(location: String, field: String, reason: String)
    /// A catalog or custom-models file could not be read.
    case unreadable(path: String, reason: String)
    /// The bundled catalog is missing from the installation.
    case bundledCatalogMissing

    public var description: String {
        switch self {
        case .unknownModel(let name, let suggestions):
            let hint = suggestions.isEmpty ? "" : " Did you mean \(suggestions.map { "'\($0)'" }.joined(separator: ", "))?"
            return "Unknown model '\(name)'.\(hint) Run `tokenomics models \(name.split(separator: "/").last.map(String.init) ?? name)` to search the catalog."
        case .malformedCatalog(let location, let field, let reason):
            return "\(location): field '\(field)': \(reason)"
        case .unreadable(let path, let reason):
            return "Cannot read \(path): \(reason)"
        case .bundledCatalogMissing:
            return "The bundled price catalog is missing from this installation; rebuild Tokenomics or pass --catalog FILE."
        }
    }

    /// True when the error is about the caller's input (a name or a file they gave) rather than the
    /// installation.
    public var isBadInput: Bool {
        switch self {
        case .unknownModel, .malformedCatalog, .unreadable: true
        case .bundledCatalogMissing: false
        }
    }
}

extension PricingError: ReportableError {}
