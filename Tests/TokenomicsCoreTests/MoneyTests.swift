import Testing

@testable import TokenomicsCore

struct MoneyTests {
    /// The decimal text agrees with a plain reference (the `String`-slicing version it replaced) on
    /// random amounts of every size and sign, at every scale and minimum of fraction digits, and
    /// reads back to the same amount.
    @Test func decimalTextMatchesTheReference() throws {
        func reference(_ value: Int128, scale: Int, minFractionDigits: Int) -> String {
            var digits = String(value.magnitude)
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            let split = digits.index(digits.endIndex, offsetBy: -scale)
            let whole = digits[..<split]
            var fraction = Substring(digits[split...])
            while fraction.count > minFractionDigits, fraction.last == "0" { fraction.removeLast() }
            let sign = value < 0 && (whole.contains { $0 != "0" } || fraction.contains { $0 != "0" }) ? "-" : ""
            return fraction.isEmpty ? sign + whole : sign + whole + "." + fraction
        }
        var generator = SystemRandomNumberGenerator()
        var values: [Int128] = [0, 1, -1, 10, 1_000_000, Int128.max, Int128.min + 1, 10_000_000_000_000_000_000, 9_999_999_999_999_999_999]
        for _ in 0..<3_000 {
            let bits = Int.random(in: 1...126, using: &generator)
            let magnitude = Int128(UInt128.random(in: 0...(UInt128(1) << bits), using: &generator))
            values.append(Bool.random(using: &generator) ? magnitude : -magnitude)
        }
        for value in values {
            for scale in [0, 2, 6, 15, 21] {
                for minimum in [0, 2, scale] where minimum <= scale {
                    #expect(Money.decimalString(value, scale: scale, minFractionDigits: minimum) == reference(value, scale: scale, minFractionDigits: minimum), "\(value) scale \(scale) min \(minimum)")
                }
            }
            // The parser reads up to 36 significant digits.
            if value.magnitude < UInt128(pow10(36)) { #expect(try Money(exactly: Money(units: value).exactString) == Money(units: value)) }
        }
    }

    @Test(arguments: [
        ("0.0135", "0.0135"), ("2.5e-6", "0.0000025"), ("$1,234.56", "1234.56"), ("-0.5", "-0.5"), ("0", "0"), ("1e3", "1000"), ("3.28571428571e-08", "0.0000000328571428571"),
    ])
    func parsesExactly(text: String, exact: String) throws {
        #expect(try Money(exactly: text).exactString == exact)
    }

    // The source's float noise is finer than the unit: the catalog generator rounds it first.
    @Test(arguments: ["", "abc", "1.2.3", "1e", "--1", "1e-22", "1.0000000000000001E-7"])
    func rejectsBadText(text: String) {
        #expect(throws: MoneyParseError.self) { try Money(exactly: text) }
    }

    @Test func roundsWhenAsked() throws {
        #expect(try Money(exactly: "1e-22", rounding: .halfEven) == .zero)
        #expect(try Money(exactly: "15e-22", rounding: .halfEven).units == 2)
        #expect(try Money(exactly: "25e-22", rounding: .halfEven).units == 2)
    }

    @Test func rateTimesTokensIsExact() throws {
        // 1.25e-8 USD per token × 3 tokens = 3.75e-8 exactly, where Double gives 3.7500000000000005e-08.
        let rate = try Money(exactly: "1.25e-8")
        #expect((rate * 3).exactString == "0.0000000375")
        let cached = try Money(exactly: "0.0000000125")
        #expect((cached * 1_000_000_007).exactString == "12.5000000875")
    }

    @Test func totalsUpToATrillionDollarsDoNotOverflow() throws {
        let big = Money.dollars(1_000_000_000)
        var sum = Money.zero
        for _ in 0..<1000 { sum += big }
        #expect(sum.exactString == "1000000000000")
        // The largest catalog-sized product: $0.1 per token × 10¹² tokens.
        let product = try Money(exactly: "0.1") * 1_000_000_000_000
        #expect(product == .dollars(100_000_000_000))
    }

    @Test(arguments: [
        ("0.0135", "$0.0135"), ("1234.56", "$1,234.56"), ("0.01", "$0.0100"), ("2", "$2.00"), ("0.0000125", "$0.0000125"),
        ("0", "$0.00"), ("-1.5", "-$1.50"), ("1234567.891", "$1,234,567.89"), ("0.00125", "$0.00125"), ("0.5", "$0.5000"),
    ])
    func formatsForPeople(text: String, shown: String) throws {
        #expect(try Money(exactly: text).formatted() == shown)
    }

    @Test(arguments: [(0, "0"), (999, "999"), (1_000, "1,000"), (43_011, "43,011"), (-1_500, "-1,500"),
                      (1_234_567, "1,234,567"), (Int.min, "-9,223,372,036,854,775,808")])
    func groupsDigitsForPeople(value: Int, shown: String) {
        #expect(groupedDigits(value) == shown)
    }

    @Test(arguments: [("2.5e-6", "$2.50"), ("7.5e-8", "$0.075"), ("1.25e-6", "$1.25"), ("3e-5", "$30.00"), ("1.23456e-7", "$0.123456")])
    func formatsRatesPerMillion(rate: String, shown: String) throws {
        #expect(try Money(exactly: rate).formattedPerMillion() == shown)
    }

    @Test func dividesHalfToEven() {
        #expect(Money(units: 5).divided(by: 2).units == 2)
        #expect(Money(units: 7).divided(by: 2).units == 4)
        #expect(Money(units: -7).divided(by: 2).units == -4)
    }

    @Test func significantDigitRoundingRemovesFloatNoise() throws {
        let noisy = try Decimal128Text.parse("1.0000000000000001E-7").roundedToSignificantDigits(12)
        #expect(noisy.compactText == "1e-7")
        let other = try Decimal128Text.parse("5.714000000000001e-06").roundedToSignificantDigits(12)
        #expect(other.compactText == "5.714e-6")
    }

    @Test func codableAsExactString() throws {
        let money = try Money(exactly: "0.000000125")
        #expect(money.exactString == "0.000000125")
        #expect(money.doubleValue == 1.25e-7)
    }

    /// `doubleValue` is within one part in 10^15 of the decimal, for small, large, negative and
    /// past-`Int64` amounts (the fast conversion splits an `Int128` in two halves).
    @Test(arguments: [
        "0", "0.000000000000000000001", "0.000000125", "0.0000089", "0.0092233720368547758", "1234.5",
        "-0.000001", "-98765.432109876543210987", "1000000000000.000000000000000000001", "170141183460469.231731687303715884105",
    ])
    func doubleValueMatchesTheDecimal(text: String) throws {
        let money = try Money(exactly: text)
        let expected = try #require(Double(text))
        #expect(abs(money.doubleValue - expected) <= abs(expected) * 1e-15)
        #expect((money.doubleValue < 0) == (expected < 0))
    }
}
