public import CostModel
public import Pricing
public import TokenomicsCore

/// One metered call, from any source: a log line, a provider export, an OTLP span or the ledger.
///
/// Token counts follow ``Usage``'s convention (input includes cached input and cache writes;
/// output includes reasoning). Feed events to a ``UsageAggregator``.
public struct UsageEvent: Sendable, Hashable {
    /// When the call happened, in seconds since 1970-01-01 UTC.
    public var timestamp: Int64
    /// Who made it (the end user of the product).
    public var user: String
    /// The product feature it served (`""` when unknown).
    public var feature: String
    /// The model, as named by the source (looked up in the catalog).
    public var model: String
    /// Token counts by class.
    public var usage: Usage
    /// The service tier billed.
    public var tier: ServiceTier
    /// What the provider billed, when the source says; otherwise the catalog prices the call.
    public var billedCost: Money?
    /// A hash of the normalised request, for exact-duplicate detection.
    public var requestHash: String?
    /// The interaction (or session) the call belonged to, when known.
    public var interactionID: String?
    /// The model requests the event stands for: 1 for one call, more for a row of an export that
    /// sums a time bucket (OpenAI's `num_model_requests`).
    public var requests: Int

    public init(
        timestamp: Int64,
        user: String,
        feature: String = "",
        model: String,
        usage: Usage,
        tier: ServiceTier = .standard,
        billedCost: Money? = nil,
        requestHash: String? = nil,
        interactionID: String? = nil,
        requests: Int = 1
    ) {
        self.timestamp = timestamp
        self.user = user
        self.feature = feature
        self.model = model
        self.usage = usage
        self.tier = tier
        self.billedCost = billedCost
        self.requestHash = requestHash
        self.interactionID = interactionID
        self.requests = requests
    }
}

/// Calendar arithmetic on UTC timestamps, without Foundation's calendar (fast and exact).
public enum UTC: Sendable {
    /// Days since 1970-01-01 of a civil date (proleptic Gregorian).
    @inline(__always)
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number.
    public static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// The day number of a timestamp.
    @inline(__always)
    public static func day(of timestamp: Int64) -> Int {
        Int(timestamp >= 0 ? timestamp / 86_400 : (timestamp - 86_399) / 86_400)
    }

    /// `year * 12 + (month - 1)` of a day number.
    public static func monthIndex(ofDay day: Int) -> Int {
        let c = civil(days: day)
        return c.year * 12 + c.month - 1
    }

    /// `YYYY-MM-DD`.
    public static func dayString(_ day: Int) -> String {
        let c = civil(days: day)
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// `YYYY-MM` of a month index.
    public static func monthString(_ index: Int) -> String {
        "\(pad(index / 12, 4))-\(pad(index % 12 + 1, 2))"
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public static func timestampString(_ timestamp: Int64) -> String {
        let day = day(of: timestamp)
        let seconds = Int(timestamp - Int64(day) * 86_400)
        return dayString(day) + "T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))Z"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Parses an ISO 8601 date-time (`2025-03-14T09:26:53Z`, `…53.123+02:00`, `2025-03-14 09:26:53`,
    /// `2025-03-14`) or a number of seconds (or milliseconds/microseconds/nanoseconds, judged by
    /// magnitude) since the epoch. Returns nil when it is neither.
    public static func parseTimestamp(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        @inline(__always) func digit(_ i: Int) -> Int? {
            guard i < n else { return nil }
            let b = p[i]
            return b >= 48 && b <= 57 ? Int(b - 48) : nil
        }
        @inline(__always) func number(_ i: Int, _ count: Int) -> Int? {
            var value = 0
            for k in 0..<count {
                guard let d = digit(i + k) else { return nil }
                value = value * 10 + d
            }
            return value
        }
        if n >= 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-") {
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                month >= 1, month <= 12, day >= 1, day <= 31
            else { return nil }
            var seconds = Int64(days(year: year, month: month, day: day)) * 86_400
            if n == 10 { return seconds }
            guard p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: " ") || p[10] == UInt8(ascii: "t"),
                let hour = number(11, 2), n >= 16, p[13] == UInt8(ascii: ":"), let minute = number(14, 2), hour < 24, minute < 60
            else { return nil }
            seconds += Int64(hour * 3600 + minute * 60)
            var i = 16
            if i < n, p[i] == UInt8(ascii: ":") {
                guard let second = number(i + 1, 2), second <= 60 else { return nil }
                seconds += Int64(second)
                i += 3
                if i < n, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
                    i += 1
                    while digit(i) != nil { i += 1 }
                }
            }
            if i == n { return seconds }
            let zone = p[i]
            if zone == UInt8(ascii: "Z") || zone == UInt8(ascii: "z") { return i + 1 == n ? seconds : nil }
            if zone == UInt8(ascii: "+") || zone == UInt8(ascii: "-") {
                guard let oh = number(i + 1, 2) else { return nil }
                var j = i + 3
                if j < n, p[j] == UInt8(ascii: ":") { j += 1 }
                let om = number(j, 2) ?? 0
                if number(j, 2) != nil { j += 2 }
                guard j == n else { return nil }
                let offset = Int64(oh * 3600 + om * 60)
                return zone == UInt8(ascii: "+") ? seconds - offset : seconds + offset
            }
            return nil
        }
        // Epoch number, possibly fractional.
        var value: Int64 = 0
        var i = 0
        var digits = 0
        while i < n, let d = digit(i) {
            if digits < 19 { value = value * 10 + Int64(d) }
            digits += 1
            i += 1
        }
        guard digits > 0, digits <= 19 else { return nil }
        if i < n {
            guard p[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            while digit(i) != nil { i += 1 }
            guard i == n else { return nil }
        }
        if value >= 100_000_000_000_000_000 { return value / 1_000_000_000 }
        if value >= 100_000_000_000_000 { return value / 1_000_000 }
        if value >= 100_000_000_000 { return value / 1000 }
        return value
    }

    /// ``parseTimestamp(_:)`` for a `String`.
    public static func parseTimestamp(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parseTimestamp(UnsafeRawBufferPointer($0)) }
    }
}
