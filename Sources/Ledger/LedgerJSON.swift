public import Foundation
public import TokenomicsCore

/// The ledger's records as JSON, as the CLI (`keys … --json`, `budgets … --json`) and the
/// gateway's admin API (`/admin/keys`, `/admin/budgets`, `/admin/spend`) print them: keys in the
/// order documented in docs/gateway.md, money as exact decimal numbers, times in ISO 8601 (UTC).
///
/// ```swift
/// let keys = try await ledger.keys(user: nil)
/// print(JSONValue.array(keys.map(LedgerJSON.key)).serialized(compact: true))
/// ```
public enum LedgerJSON: Sendable {
    /// One key: `id`, `user`, `feature`, `rpm`, `tpm`, `created_at`, `revoked_at`.
    public static func key(_ key: KeyInfo) -> JSONValue {
        .object([
            ("id", .string(key.id)),
            ("user", .string(key.user)),
            ("feature", .optional(key.feature, JSONValue.string)),
            ("rpm", .optional(key.rpm, JSONValue.int)),
            ("tpm", .optional(key.tpm, JSONValue.int)),
            ("created_at", .string(timestamp(key.createdAt))),
            ("revoked_at", .optional(key.revokedAt) { .string(timestamp($0)) }),
        ])
    }

    /// A newly issued key: `key` (the secret, shown once) and `id`.
    public static func issued(_ issued: IssuedKey) -> JSONValue {
        .object([("key", .string(issued.secret)), ("id", .string(issued.info.id))])
    }

    /// A revoked key: `id` and `revoked: true`.
    public static func revoked(id: String) -> JSONValue {
        .object([("id", .string(id)), ("revoked", .bool(true))])
    }

    /// The user a budget belongs to: the subject of a user budget, the key's owner for a key budget.
    public static func owner(of budget: BudgetStatus, keys: [KeyInfo]) -> String? {
        switch budget.scope {
        case .user: budget.subject
        case .key: keys.first { $0.id == budget.subject }?.user
        case .feature: nil
        }
    }

    /// One budget: `user`, `scope`, `subject`, `period`, `budget_usd`, `spent_usd`,
    /// `reserved_usd`, `remaining_usd`, `soft_percent`, `soft_threshold_reached`.
    public static func budget(_ budget: BudgetStatus, keys: [KeyInfo]) -> JSONValue {
        .object([
            ("user", .optional(owner(of: budget, keys: keys), JSONValue.string)),
            ("scope", .string(budget.scope.rawValue)),
            ("subject", .string(budget.subject)),
            ("period", .string(budget.period.rawValue)),
            ("budget_usd", .money(budget.limit)),
            ("spent_usd", .money(budget.spent)),
            ("reserved_usd", .money(budget.reserved)),
            ("remaining_usd", .money(budget.remaining)),
            ("soft_percent", .int(budget.softPercent)),
            ("soft_threshold_reached", .bool(budget.isPastSoftThreshold)),
        ])
    }

    /// Budgets relevant to a user (their own and their keys'), or all.
    public static func budgets(_ all: [BudgetStatus], keys: [KeyInfo], user: String?) -> [BudgetStatus] {
        guard let user else { return all }
        return all.filter { owner(of: $0, keys: keys) == user }
    }

    /// One row of spend grouped by `grouping`: the group under the grouping's name (`user`,
    /// `feature`, …), then `requests`, `cache_hits`, `cost_usd`, `saving_usd`, `input_tokens`, `output_tokens`.
    public static func spend(_ row: SpendRow, by grouping: SpendGrouping) -> JSONValue {
        .object([
            (grouping.rawValue, .string(row.group)),
            ("requests", .int(row.requests)),
            ("cache_hits", .int(row.cacheHits)),
            ("cost_usd", .money(row.cost)),
            ("saving_usd", .money(row.saving)),
            ("input_tokens", .int(row.inputTokens)),
            ("output_tokens", .int(row.outputTokens)),
        ])
    }

    /// A time as the ledger's JSON writes it: ISO 8601 in UTC, to the second (`2026-01-31T09:30:00Z`).
    public static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
