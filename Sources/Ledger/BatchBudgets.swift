/// The budgets one settle batch touches, each read once and written once.
///
/// A batch of request rows settles in one transaction; when many rows hold the same budget (one key
/// making most of the calls), reading and writing it for every row cost more than the rows
/// themselves. The settlements apply in order to the copy held here, which gives the same budget
/// as applying them row by row in the database.
struct BatchBudgets {
    private var loaded: [String: BudgetStatus?] = [:]
    private var order: [String] = []
    private var dirty: Set<String> = []

    /// Applies `change` to the budget, loading it with `load` the first time the batch meets it;
    /// a budget that does not exist (deleted since the reservation) is skipped.
    mutating func update(_ scope: BudgetScope, _ subject: String, load: () throws -> BudgetStatus?, _ change: (BudgetStatus) -> BudgetStatus) rethrows {
        let key = scope.rawValue + "\u{0}" + subject
        if loaded[key] == nil {
            loaded[key] = .some(try load())
            order.append(key)
        }
        guard let current = loaded[key], let budget = current else { return }
        loaded[key] = .some(change(budget))
        dirty.insert(key)
    }

    /// The budgets that changed, in the order the batch first met them.
    var changed: [BudgetStatus] {
        order.compactMap { key in dirty.contains(key) ? loaded[key] ?? nil : nil }
    }
}
