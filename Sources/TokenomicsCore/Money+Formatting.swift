/// A whole number for people, with thousands separators: `128,000`, `-1,500`.
public func groupedDigits(_ value: Int) -> String {
    (value < 0 ? "-" : "") + Money.groupThousands(String(value.magnitude))
}

extension Money {
    /// The amount for people: `$1,234.56` from one dollar up, and below a dollar at least four
    /// decimals and enough to show three significant digits: `$0.0135`, `$0.0100`, `$0.0000125`.
    ///
    /// Rounds half to even. Zero prints as `$0.00`; negative amounts as `-$1.50`.
    public func formatted() -> String {
        if units == 0 { return "$0.00" }
        let magnitude = Money(units: Int128(bitPattern: units.magnitude))
        let sign = units < 0 ? "-" : ""
        if magnitude.units >= Money.unitsPerDollar {
            let text = magnitude.decimalString(fractionDigits: 2)
            return sign + "$" + Self.groupThousands(text)
        }
        // Position of the first non-zero fraction digit (1 = tenths).
        var firstDigit = 1
        var threshold = Money.unitsPerDollar / 10
        while magnitude.units < threshold && firstDigit < Money.scale {
            firstDigit += 1
            threshold /= 10
        }
        let places = min(Money.scale, max(4, firstDigit + 2))
        return sign + "$" + magnitude.decimalString(fractionDigits: places)
    }

    /// A rate in USD per token shown per million tokens, as price lists do: `$2.50`, `$0.075`.
    public func formattedPerMillion() -> String {
        let perMillion = self * 1_000_000
        if perMillion.units == 0 { return "$0.00" }
        if perMillion.units.magnitude >= UInt128(Money.unitsPerDollar) {
            // Keep all the precision a price list has (up to 4 decimals), at least 2.
            var text = perMillion.exactString
            if let dot = text.firstIndex(of: ".") {
                let decimals = text.distance(from: dot, to: text.endIndex) - 1
                if decimals < 2 { text += String(repeating: "0", count: 2 - decimals) }
                if decimals > 4 { text = perMillion.decimalString(fractionDigits: 4) }
            } else {
                text += ".00"
            }
            return (perMillion.units < 0 ? "-$" : "$") + Self.groupThousands(text.hasPrefix("-") ? String(text.dropFirst()) : text)
        }
        let exact = perMillion.exactString
        let decimals = exact.firstIndex(of: ".").map { exact.distance(from: $0, to: exact.endIndex) - 1 } ?? 0
        if decimals <= 6 {
            let padded = decimals < 2 ? perMillion.decimalString(fractionDigits: 2) : exact
            return (perMillion.units < 0 ? "-$" : "$") + (padded.hasPrefix("-") ? String(padded.dropFirst()) : padded)
        }
        return perMillion.formatted()
    }

    static func groupThousands(_ text: String) -> String {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = Array(parts[0])
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return parts.count > 1 ? grouped + "." + parts[1] : grouped
    }
}
