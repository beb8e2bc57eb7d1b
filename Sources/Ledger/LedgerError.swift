import Pricing
public import TokenomicsCore

/// Why a ledger operation failed.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `--database` value is neither `sqlite:PATH` nor `postgres://…`.
    case badURL(String, reason: String)
    /// The database could not be opened, migrated or queried.
    case storage(operation: String, reason: String)
    /// A stored value could not be read back (a corrupt or foreign database).
    case corrupt(table: String, field: String, value: String)
    /// A budget, key or argument the caller gave is not valid.
    case invalid(String)
    /// The key does not exist.
    case unknownKey(String)

    public var description: String {
        switch self {
        case .badURL(let url, let reason):
            "Database URL '\(url)' is not usable: \(reason). Use sqlite:PATH (for example sqlite:./tokenomics.db) or postgres://USER@HOST:PORT/DB."
        case .storage(let operation, let reason):
            "Ledger \(operation) failed: \(reason)."
        case .corrupt(let table, let field, let value):
            "Ledger table '\(table)' holds an unreadable \(field) '\(value)'; was the database written by another program?"
        case .invalid(let why):
            why
        case .unknownKey(let id):
            "No key with id '\(id)'; list keys with `tokenomics keys list --database URL`."
        }
    }

    /// True when the caller's input is at fault.
    public var isBadInput: Bool {
        switch self {
        case .badURL, .invalid, .unknownKey: true
        case .storage, .corrupt: false
        }
    }
}

extension LedgerError: ReportableError {}
