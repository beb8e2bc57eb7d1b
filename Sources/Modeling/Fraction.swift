import Pricing
public import TokenomicsCore

/// An exact decimal fraction such as a share of traffic or a cache hit rate, with up to nine
/// decimal places (`0.8`, `0.125`, `0.333333333`).
///
/// Shares must add up exactly, and token counts and costs derived from them must be reproducible,
/// so fractions are kept as an integer count of billionths rather than a `Double`.
public struct Fraction: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Billionths: 1 is 10⁻⁹, ``one`` is 10⁹.
    public var parts: Int64

    /// The denominator of ``parts``.
    public static let denominator: Int64 = 1_000_000_000
    /// Zero.
    public static let zero = Fraction(parts: 0)
    /// One (the whole).
    public static let one = Fraction(parts: denominator)

    /// A fraction from a count of billionths.
    public init(parts: Int64) { self.parts = parts }

    /// Parses decimal text exactly (`"0.8"`, `"12.5%"` is not accepted: write `0.125`).
    ///
    /// - Returns: nil when the text is not a decimal with at most nine decimal places.
    public init?(exactly text: String) {
        guard let money = try? Money(exactly: text) else { return nil }
        let scale = Money.unitsPerDollar / Int128(Self.denominator)
        guard money.units % scale == 0 else { return nil }
        let value = money.units / scale
        guard value >= Int128(Int64.min), value <= Int128(Int64.max) else { return nil }
        self.parts = Int64(value)
    }

    /// Parses decimal text, rounding half to even to nine decimal places (`"1.23456e-7"` → 0.000000123).
    ///
    /// - Returns: nil when the text is not a decimal number.
    public init?(rounding text: String) {
        guard let money = try? Money(exactly: text, rounding: .halfEven) else { return nil }
        let scale = Money.unitsPerDollar / Int128(Self.denominator)
        let value = Self.divideRounded(money.units, scale)
        guard value >= Int128(Int64.min), value <= Int128(Int64.max) else { return nil }
        self.parts = Int64(value)
    }

    /// The nearest fraction to a `Double` (for values computed by statistics).
    public init(approximating value: Double) {
        parts = Int64((value * Double(Self.denominator)).rounded())
    }

    /// The fraction as a `Double`, for statistics and display.
    public var doubleValue: Double { Double(parts) / Double(Self.denominator) }

    /// One minus the fraction.
    public var complement: Fraction { Fraction(parts: Self.denominator - parts) }

    /// `count × fraction`, rounded down to a whole number (token counts).
    public func floor(of count: Int) -> Int {
        Int((Int128(count) * Int128(parts)) / Int128(Self.denominator))
    }

    /// `amount × fraction`, rounded half to even to 10⁻²¹ USD. Meant for per-interaction amounts
    /// (up to about $10¹⁷ before the intermediate product would overflow).
    public func of(_ amount: Money) -> Money {
        Money(units: Self.divideRounded(amount.units * Int128(parts), Int128(Self.denominator)))
    }

    static func divideRounded(_ value: Int128, _ divisor: Int128) -> Int128 {
        let (q, r) = value.quotientAndRemainder(dividingBy: divisor)
        let twice = r.magnitude * 2
        if twice > divisor.magnitude || (twice == divisor.magnitude && q % 2 != 0) {
            return (value < 0) != (divisor < 0) ? q - 1 : q + 1
        }
        return q
    }

    public static func < (lhs: Fraction, rhs: Fraction) -> Bool { lhs.parts < rhs.parts }
    public static func + (lhs: Fraction, rhs: Fraction) -> Fraction { Fraction(parts: lhs.parts + rhs.parts) }
    public static func - (lhs: Fraction, rhs: Fraction) -> Fraction { Fraction(parts: lhs.parts - rhs.parts) }

    /// The exact decimal text, without trailing zeros (`0.8`).
    public var description: String {
        Money(units: Int128(parts) * (Money.unitsPerDollar / Int128(Self.denominator))).exactString
    }
}
