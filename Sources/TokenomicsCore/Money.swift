/// An exact amount of US dollars.
///
/// `Money` is a fixed-point decimal: an `Int128` count of zeptodollars (10⁻²¹ USD). That unit is
/// fine enough for every per-token rate in the catalog (after the generator rounds the source's
/// float noise to 12 significant digits, the smallest rate digit is 10⁻¹⁹ USD), so a rate times a
/// token count is exact, and `Int128` holds about 1.7 × 10¹⁷ USD, so totals up to 10¹² USD never
/// overflow. `Money` never passes through `Double`; ``doubleValue`` exists only for statistics.
///
/// ```swift
/// let rate = try Money(exactly: "2.5e-6")          // USD per token
/// let cost = rate * 2_000                          // $0.005, exactly
/// print(cost.formatted())                          // "$0.0050"
/// print(cost.exactString)                          // "0.005"
/// ```
public struct Money: Sendable, Hashable, Comparable, AdditiveArithmetic, CustomStringConvertible {
    /// Number of decimal places the unit resolves: one unit is 10⁻²¹ USD.
    public static let scale = 21
    /// Units in one US dollar (10²¹).
    public static let unitsPerDollar: Int128 = pow10(21)

    /// The amount in zeptodollars (10⁻²¹ USD).
    public var units: Int128

    /// Creates an amount from a count of zeptodollars.
    public init(units: Int128) { self.units = units }

    /// Zero dollars.
    public static let zero = Money(units: 0)

    /// A whole number of dollars.
    public static func dollars(_ value: Int) -> Money { Money(units: Int128(value) * unitsPerDollar) }

    /// A whole number of cents.
    public static func cents(_ value: Int) -> Money { Money(units: Int128(value) * pow10(19)) }

    /// An amount parsed exactly from decimal text such as `"0.0135"`, `"2.5e-6"` or `"1,234.56"`.
    ///
    /// - Parameters:
    ///   - text: a decimal number, optionally with a leading `$`, sign, thousands separators and an
    ///     exponent.
    ///   - rounding: what to do with digits finer than 10⁻²¹ USD. `.exact` (the default) rejects them.
    /// - Throws: ``MoneyParseError`` when the text is not a number or is too precise or too large.
    public init(exactly text: String, rounding: DecimalRounding = .exact) throws(MoneyParseError) {
        let decimal = try Decimal128Text.parse(text)
        self.units = try decimal.scaled(to: Money.scale, rounding: rounding, original: text)
    }

    /// The amount as a `Double` number of dollars, for statistics and charts only.
    public var doubleValue: Double {
        // Amounts under 2^53 units ($0.000009) convert exactly, so the result is correctly rounded.
        if let small = Int64(exactly: units), small.magnitude < 1 << 53 { return Double(small) / 1e21 }
        let whole = units / Money.unitsPerDollar
        let fraction = units % Money.unitsPerDollar
        return Money.double(whole) + Money.double(fraction) / 1e21
    }

    /// `Double(value)` without the generic conversion, which dominated statistics over many amounts.
    @inline(__always)
    static func double(_ value: Int128) -> Double {
        if let small = Int64(exactly: value) { return Double(small) }
        return Double(Int64(truncatingIfNeeded: value >> 64)) * 18_446_744_073_709_551_616.0 + Double(UInt64(truncatingIfNeeded: value))
    }

    /// An approximation of a `Double` dollar amount, rounded to the nearest unit.
    ///
    /// Only for values that come from statistics (a simulated mean, a fitted price); never use it
    /// on the path from a catalog rate to a cost.
    public init(approximating dollars: Double) {
        precondition(dollars.isFinite, "Money(approximating:) needs a finite value")
        // Split into whole dollars and a fraction so that large values keep their precision.
        let whole = dollars.rounded(.towardZero)
        let fraction = dollars - whole
        self.units = Int128(whole) * Money.unitsPerDollar + Int128((fraction * 1e21).rounded())
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.units < rhs.units }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units + rhs.units) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(units: lhs.units - rhs.units) }
    public static prefix func - (value: Money) -> Money { Money(units: -value.units) }
    public static func += (lhs: inout Money, rhs: Money) { lhs.units += rhs.units }
    public static func -= (lhs: inout Money, rhs: Money) { lhs.units -= rhs.units }

    /// A per-unit amount times a count: a rate in USD per token times tokens. Exact.
    public static func * (lhs: Money, rhs: Int) -> Money { Money(units: lhs.units * Int128(rhs)) }
    /// A count times a per-unit amount. Exact.
    public static func * (lhs: Int, rhs: Money) -> Money { rhs * lhs }

    /// The amount divided by a whole number, rounded half to even to the nearest unit.
    public func divided(by divisor: Int) -> Money {
        precondition(divisor != 0, "division of Money by zero")
        return Money(units: Self.divideRounded(units, Int128(divisor)))
    }

    /// The ratio of two amounts as a `Double` (for margins and shares).
    public func ratio(to other: Money) -> Double {
        guard other.units != 0 else { return .nan }
        // Scale down together so the conversion keeps 15+ significant digits.
        return Double(units) / Double(other.units)
    }

    /// Sum of many amounts.
    public static func sum<S: Sequence>(_ values: S) -> Money where S.Element == Money {
        values.reduce(.zero, +)
    }

    /// The exact decimal value in dollars, without exponent and without trailing zeros:
    /// `"0.0135"`, `"1234.5"`, `"0"`, `"-0.000000025"`.
    public var exactString: String { Self.decimalString(units, scale: Money.scale, minFractionDigits: 0) }

    /// The exact decimal value with a fixed number of fraction digits (rounded half to even).
    public func decimalString(fractionDigits: Int) -> String {
        precondition(fractionDigits >= 0 && fractionDigits <= Money.scale)
        let divisor = pow10(Money.scale - fractionDigits)
        let rounded = Self.divideRounded(units, divisor)
        return Self.decimalString(rounded, scale: fractionDigits, minFractionDigits: fractionDigits)
    }

    public var description: String { formatted() }

    // MARK: - Helpers

    static func divideRounded(_ value: Int128, _ divisor: Int128) -> Int128 {
        let (q, r) = value.quotientAndRemainder(dividingBy: divisor)
        let twice = r.magnitude * 2
        let d = divisor.magnitude
        if twice < d { return q }
        let away: Int128 = (value < 0) != (divisor < 0) ? -1 : 1
        if twice > d { return q + away }
        return q.isMultiple(of: 2) ? q : q + away
    }

    /// `value × 10⁻ˢᶜᵃˡᵉ` in decimal, with trailing fraction zeros removed down to
    /// `minFractionDigits`. Works on ASCII digits: the ledger formats budget amounts on every
    /// request, and `Character`-based string slicing had cost more than the arithmetic.
    static func decimalString(_ value: Int128, scale: Int, minFractionDigits: Int) -> String {
        // Digits, least significant first, 19 at a time through UInt64.
        var digits: [UInt8] = []
        digits.reserveCapacity(48)
        var magnitude = value.magnitude
        let chunk: UInt128 = 10_000_000_000_000_000_000
        repeat {
            let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: chunk)
            var part = UInt64(remainder)
            for _ in 0..<19 {
                digits.append(UInt8(part % 10))
                part /= 10
            }
            magnitude = quotient
        } while magnitude > 0
        while digits.count > scale + 1, digits.last == 0 { digits.removeLast() }
        while digits.count < scale + 1 { digits.append(0) }
        var fractionStart = 0  // index of the lowest fraction digit kept
        while scale - fractionStart > minFractionDigits, digits[fractionStart] == 0 { fractionStart += 1 }
        var text: [UInt8] = []
        text.reserveCapacity(digits.count + 2)
        if value < 0 { text.append(UInt8(ascii: "-")) }
        for index in stride(from: digits.count - 1, through: scale, by: -1) { text.append(UInt8(ascii: "0") + digits[index]) }
        if fractionStart < scale {
            text.append(UInt8(ascii: "."))
            for index in stride(from: scale - 1, through: fractionStart, by: -1) { text.append(UInt8(ascii: "0") + digits[index]) }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// 10 raised to a non-negative power, as an `Int128`.
@inlinable
public func pow10(_ exponent: Int) -> Int128 {
    precondition(exponent >= 0 && exponent <= 38, "10^\(exponent) does not fit Int128")
    var result: Int128 = 1
    for _ in 0..<exponent { result *= 10 }
    return result
}

/// How to treat digits finer than a decimal type resolves.
public enum DecimalRounding: Sendable, Hashable {
    /// Reject them with an error.
    case exact
    /// Round half to even.
    case halfEven
}

/// Why decimal text could not be read as an exact amount.
public struct MoneyParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text that was read.
    public let text: String
    /// What is wrong with it.
    public let reason: String

    public var description: String { "'\(text)' is not a valid amount: \(reason)" }
}

/// A decimal number read from text exactly: `significand × 10^exponent`.
package struct Decimal128Text: Sendable {
    /// The significand's bound: 36 significant digits.
    static let significandLimit: Int128 = pow10(36)

    package var negative: Bool
    package var significand: Int128
    package var exponent: Int

    /// Parses `[$][+-]digits[.digits][e[+-]digits]`, allowing `,` and `_` between digits.
    package static func parse(_ raw: String) throws(MoneyParseError) -> Decimal128Text {
        var bytes = Array(raw.utf8)[...]
        func fail(_ why: String) -> MoneyParseError { MoneyParseError(text: raw, reason: why) }
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        if bytes.first == UInt8(ascii: "$") { bytes.removeFirst() }
        if !negative, bytes.first == UInt8(ascii: "-") { negative = true; bytes.removeFirst() }
        var significand: Int128 = 0
        var exponent = 0
        var sawDigit = false
        var sawPoint = false
        var droppedNonZero = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                sawDigit = true
                let digit = Int128(byte - UInt8(ascii: "0"))
                if significand < Self.significandLimit {
                    significand = significand * 10 + digit
                    if sawPoint { exponent -= 1 }
                } else {
                    // More than 36 significant digits: keep the magnitude, remember lost digits.
                    if digit != 0 { droppedNonZero = true }
                    if !sawPoint { exponent += 1 }
                }
            } else if byte == UInt8(ascii: ".") {
                if sawPoint { throw fail("more than one decimal point") }
                sawPoint = true
            } else if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "_") {
                if sawPoint || !sawDigit { throw fail("misplaced digit separator") }
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                break
            } else {
                throw fail("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
            index += 1
        }
        if !sawDigit { throw fail("no digits") }
        if index < bytes.endIndex {
            index += 1  // skip e
            var expNegative = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                expNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            var expDigits = 0
            while index < bytes.endIndex {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { throw fail("bad exponent") }
                value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 100_000)
                expDigits += 1
                index += 1
            }
            if expDigits == 0 { throw fail("exponent has no digits") }
            exponent += expNegative ? -value : value
        }
        if droppedNonZero { throw fail("more than 36 significant digits") }
        return Decimal128Text(negative: negative, significand: significand, exponent: exponent)
    }

    /// The value as an integer count of `10^-scale` units.
    package func scaled(to scale: Int, rounding: DecimalRounding, original: String) throws(MoneyParseError) -> Int128 {
        let shift = exponent + scale
        var magnitude: Int128
        if significand == 0 {
            magnitude = 0
        } else if shift >= 0 {
            let digits = String(significand).count
            guard digits + shift <= 38 else { throw MoneyParseError(text: original, reason: "too large") }
            magnitude = significand * pow10(shift)
            guard magnitude / pow10(shift) == significand else { throw MoneyParseError(text: original, reason: "too large") }
        } else {
            let drop = -shift
            if drop > 38 {
                if rounding == .exact { throw MoneyParseError(text: original, reason: "finer than 10^-\(scale)") }
                magnitude = 0
            } else {
                let divisor = pow10(drop)
                let (q, r) = significand.quotientAndRemainder(dividingBy: divisor)
                if r != 0 {
                    if rounding == .exact { throw MoneyParseError(text: original, reason: "finer than 10^-\(scale)") }
                    magnitude = Money.divideRounded(significand, divisor)
                } else {
                    magnitude = q
                }
            }
        }
        return negative ? -magnitude : magnitude
    }

    /// Rounds the significand to at most `digits` significant digits, half to even.
    package func roundedToSignificantDigits(_ digits: Int) -> Decimal128Text {
        let count = String(significand).count
        guard count > digits else { return self }
        let drop = count - digits
        let rounded = Money.divideRounded(significand, pow10(drop))
        return Decimal128Text(negative: negative, significand: rounded, exponent: exponent + drop).normalized()
    }

    /// Strips trailing zeros of the significand into the exponent.
    func normalized() -> Decimal128Text {
        var copy = self
        if copy.significand == 0 { copy.exponent = 0; return copy }
        while copy.significand % 10 == 0 { copy.significand /= 10; copy.exponent += 1 }
        return copy
    }

    /// Compact text such as `2.5e-6` or `1e-5` or `0.01`, which `parse` reads back exactly.
    package var compactText: String {
        let n = normalized()
        let digits = String(n.significand)
        let sign = n.negative && n.significand != 0 ? "-" : ""
        if n.exponent >= 0 && n.exponent <= 6 { return sign + digits + String(repeating: "0", count: n.exponent) }
        let adjusted = n.exponent + digits.count - 1
        let mantissa = digits.count == 1 ? digits : String(digits.first!) + "." + digits.dropFirst()
        if adjusted >= -4 && n.exponent < 0 {
            // Plain decimal for moderate values: 0.0135
            let places = -n.exponent
            if digits.count > places { return sign + digits.dropLast(places) + "." + digits.suffix(places) }
            return sign + "0." + String(repeating: "0", count: places - digits.count) + digits
        }
        return sign + mantissa + "e" + String(adjusted)
    }
}

extension Money: Codable {
    /// Decodes an exact decimal string (`"0.0135"`); a JSON number is accepted only when it is an
    /// integer, since fractional JSON numbers arrive as `Double`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            do {
                self = try Money(exactly: text)
            } catch {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
            }
            return
        }
        let whole = try container.decode(Int.self)
        self = .dollars(whole)
    }

    /// Encodes the exact decimal string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(exactString)
    }
}
