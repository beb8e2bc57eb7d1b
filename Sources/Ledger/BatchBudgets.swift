/// The budgets one settle batch touches, each read once and written once.
///
/// A batch of request rows settles in one transaction; when many rows hold the same budget (one key
/// making most of the calls), reading and writing it for every row cost more than the rows
/// themselves. The settlements apply in order to the copy held here, which gives the same budget
/// as applying them row by row in the database.
struct BatchBudgets {
    /// A budget's identity as a dictionary key.
    static func key(_ scope: BudgetScope, _ subject: String) -> String { scope.rawValue + "\u{0}" + subject }

    /// Every budget met so far, by key; `nil` for one that does not exist (deleted since the reservation).
    private var loaded: [String: BudgetStatus?] = [:]
    private var order: [String] = []

    /// Applies `change` to the budget, loading it with `load` the first time the batch meets it;
    /// a budget that does not exist is skipped.
    mutating func update(_ scope: BudgetScope, _ subject: String, load: () throws -> BudgetStatus?, _ change: (BudgetStatus) -> BudgetStatus) rethrows {
        let key = Self.key(scope, subject)
        if loaded[key] == nil {
            loaded[key] = .some(try load())
            order.append(key)
        }
        guard let current = loaded[key], let budget = current else { return }
        loaded[key] = .some(change(budget))
    }

    /// The budgets to write back (every existing one the batch met), in the order it met them.
    var changed: [BudgetStatus] {
        order.compactMap { loaded[$0] ?? nil }
    }
}
