import Pricing
public import TokenomicsCore

/// How the ledger stores money: femto-dollars (10⁻¹⁵ USD), split into two integer columns.
///
/// `Money` resolves 10⁻²¹ USD in an `Int128`, which no database column holds natively. The ledger
/// rounds every cost, saving and reservation **once**, to the nearest femto-dollar (half away
/// from zero), before it touches a budget or a row, so that budgets, reservations and request rows
/// all hold the same rounded amount and `SUM` over request rows equals the spend a budget counted,
/// exactly. A femto-dollar is 80,000 times finer than the cheapest token in the catalog
/// ($1.25 × 10⁻⁸ for a cached token), so the rounding is at most 5 × 10⁻¹⁶ USD per request.
///
/// A request row stores the amount as `micros` (whole micro-dollars, 10⁻⁶ USD) plus `femtos`
/// (the remainder, 0 ..< 10⁹ femto-dollars). Both are 64-bit integers whose `SUM`s cannot overflow in
/// SQLite: `SUM(micros)` reaches 2⁶³ only at $9.2 × 10¹², and `SUM(femtos)` only after 9.2 × 10⁹ rows.
/// The exact total is `SUM(micros) × 10⁻⁶ + SUM(femtos) × 10⁻¹⁵` USD.
public struct StoredMoney: Sendable, Hashable {
    /// Whole micro-dollars.
    public var micros: Int64
    /// The remainder in femto-dollars, `0 ..< 1_000_000_000` (same sign as `micros` for negatives).
    public var femtos: Int64

    /// Units of `Money` (10⁻²¹ USD) in one femto-dollar.
    static let unitsPerFemto: Int128 = 1_000_000
    static let femtosPerMicro: Int128 = 1_000_000_000

    /// Rounds an amount to the nearest femto-dollar (half away from zero).
    public static func rounded(_ money: Money) -> Money {
        let half = unitsPerFemto / 2
        let units = money.units
        let femtos = units >= 0 ? (units + half) / unitsPerFemto : (units - half) / unitsPerFemto
        return Money(units: femtos * unitsPerFemto)
    }

    /// Splits an amount, rounded to the nearest femto-dollar, into the two stored columns.
    public init(_ money: Money) {
        let femtos = Self.rounded(money).units / Self.unitsPerFemto
        self.micros = Int64(femtos / Self.femtosPerMicro)
        self.femtos = Int64(femtos % Self.femtosPerMicro)
    }

    /// Builds the amount back from stored columns (or from their `SUM`s, which may exceed one column's range).
    public static func money(micros: Int128, femtos: Int128) -> Money {
        Money(units: (micros * femtosPerMicro + femtos) * unitsPerFemto)
    }

    /// The amount these columns hold.
    public var money: Money { Self.money(micros: Int128(micros), femtos: Int128(femtos)) }
}
